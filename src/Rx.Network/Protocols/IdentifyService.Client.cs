using System.IO.Pipelines;
using Rx.Network.Encoding;
using Rx.Network.Errors;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Reactive;

namespace Rx.Network.Protocols;

public sealed partial class IdentifyService
{
    /// <summary>The identification of <paramref name="connection"/>: the one made or under way, or a new one.</summary>
    private SharedOutcome<IdentifyResult> GetOrStartIdentify(IConnection connection)
    {
        while (true)
        {
            // Every caller of one exchange resumes through the network's scheduler (ADR 0011).
            var fresh = new SharedOutcome<IdentifyResult>(scheduler);
            if (identified.TryAdd(connection, fresh))
            {
                // Forget the connection once it closes, so the cache holds only open connections.
                _ = connection.Completion.ContinueWith(
                    _ => identified.TryRemove(connection, out SharedOutcome<IdentifyResult>? _),
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    scheduler.Tasks);
                fresh.Follow(IdentifyCoreAsync(connection));
                return fresh;
            }

            if (!identified.TryGetValue(connection, out var existing))
            {
                continue;
            }

            if (!existing.Failed)
            {
                return existing;
            }

            // The last attempt failed: one caller wins the retry, the others share it.
            if (identified.TryUpdate(connection, fresh, existing))
            {
                fresh.Follow(IdentifyCoreAsync(connection));
                return fresh;
            }
        }
    }

    private async Task IdentifyInBackgroundAsync(IConnection connection)
    {
        try
        {
            await GetOrStartIdentify(connection).WaitAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.IdentifyFailed(e, connection);
        }
    }

    private async Task<IdentifyResult> IdentifyCoreAsync(IConnection connection)
    {
        // Off the caller's thread: the event pump or a user's call must not run the exchange inline.
        await scheduler.Hop();
        using var timeout = new CancellationTokenSource(Options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
        IStream? stream = null;
        try
        {
            stream = await connection.NewStreamAsync([ProtocolId], linked.Token).ConfigureAwait(false);
            var content = await ReadContentAsync(stream, linked.Token).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            var result = Apply(connection, content, isPush: false);
            RecordObserved(content.ObservedAddress);
            logger.Identified(connection, result.AgentVersion, result.Protocols.Count, result.ListenAddresses.Count);
            Publish(result);
            return result;
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            stream?.Reset();
            throw Error.Timeout("identify", Options.Timeout, e);
        }
        catch
        {
            stream?.Reset();
            throw;
        }
    }

    /// <summary>
    /// Reads the messages of one identify or push stream until the remote closes it (at most
    /// <see cref="IdentifyOptions.MaxMessages"/>, examining at most <see cref="IdentifyOptions.MaxProtocols"/>
    /// protocols and <see cref="IdentifyOptions.MaxListenAddresses"/> addresses) and merges them. As
    /// js-libp2p does, a failure after the first good message ends the reading and keeps what arrived.
    /// </summary>
    private async Task<IdentifyContent> ReadContentAsync(IStream stream, CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(stream.AsStream(), new StreamPipeReaderOptions(leaveOpen: true));
        var content = new IdentifyReader(Options.MaxProtocols, Options.MaxListenAddresses);
        try
        {
            while (content.Messages < Options.MaxMessages)
            {
                try
                {
                    var payload = await LengthPrefixed.ReadAsync(reader, Options.MaxMessageSize, cancellationToken).ConfigureAwait(false);
                    if (payload is null)
                    {
                        break;
                    }

                    content.Add(payload);
                }
                catch (Exception e) when (content.Messages > 0 && !stopping.IsCancellationRequested)
                {
                    logger.StoppedReading(e, stream.Connection, content.Messages);
                    break;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        if (content.EntriesSkipped > 0)
        {
            logger.EntriesSkipped(stream.Connection, content.EntriesSkipped);
        }

        Interlocked.Add(ref entriesExamined, content.ProtocolsExamined + content.AddressesExamined);
        return content.Messages > 0
            ? content.Content
            : throw Error.Protocol("The peer closed the identify stream without sending a message.");
    }

    /// <summary>Checks <paramref name="content"/> against the connection's peer, then stores it.</summary>
    /// <exception cref="WireProtocolViolationException">The public key is not the peer's; nothing is stored.</exception>
    private IdentifyResult Apply(IConnection connection, IdentifyContent content, bool isPush)
    {
        var peer = connection.RemotePeer;
        if (content.PublicKey is { } key)
        {
            var claimed = PeerId.FromPublicKey(key);
            if (claimed != peer)
            {
                throw Error.Protocol(
                    $"The identify message carries the public key of {claimed}, not of the connection's peer {peer}.",
                    AddressedError.PeerIdMismatch(peer, claimed));
            }
        }

        var store = network.Peerstore;
        if (content.PublicKey is not null)
        {
            store.AddPublicKey(peer, content.PublicKey);
        }

        if (content.ListenAddresses.Count > 0)
        {
            store.AddAddresses(peer, content.ListenAddresses, AddressTtl.Connected);
        }

        // A push may be partial (spec: missing fields are ignored); an identify response is the
        // whole list, even when empty.
        if (!isPush || content.Protocols.Count > 0)
        {
            store.SetProtocols(peer, content.Protocols);
        }

        if (content.AgentVersion is not null || content.ProtocolVersion is not null)
        {
            store.SetVersions(peer, content.AgentVersion, content.ProtocolVersion);
        }

        return new IdentifyResult(
            peer,
            connection,
            isPush,
            content.PublicKey,
            content.ProtocolVersion,
            content.AgentVersion,
            content.ListenAddresses,
            content.ObservedAddress,
            content.Protocols);
    }
}
