using System.Runtime.CompilerServices;
using Rx.Network.Addressing;
using Rx.Network.Encoding;
using Rx.Network.Identity;

namespace Rx.Network.Protocols;

public sealed partial class IdentifyService
{
    private readonly Lock observedGate = new();
    private readonly ConditionalWeakTable<IConnection, PushAllowance> pushAllowances = [];

    /// <summary>Answers an inbound identify stream: our information, then the handler returns and the stream closes.</summary>
    private async Task ServeIdentifyAsync(IStream stream)
    {
        using var timeout = new CancellationTokenSource(Options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
        var payload = Frame(LocalContent(stream.Connection));
        await stream.WriteAsync(payload, linked.Token).ConfigureAwait(false);

        // Returning closes our side (the swarm disposes the stream): the reader sees the end of the
        // message list, which is what js-libp2p waits for.
    }

    /// <summary>
    /// Takes an inbound push: merges the fields it carries into the peer store. A push beyond the
    /// connection's <see cref="IdentifyOptions.MaxPushesPerMinute"/> is reset unread.
    /// </summary>
    private async Task ServePushAsync(IStream stream)
    {
        var now = time.GetUtcNow();
        if (!pushAllowances.GetValue(stream.Connection, _ => new PushAllowance(Options.MaxPushesPerMinute, now)).TryTake(now))
        {
            logger.PushRefused(stream.Connection);
            stream.Reset();
            return;
        }

        using var timeout = new CancellationTokenSource(Options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
        var content = await ReadContentAsync(stream, linked.Token).ConfigureAwait(false);
        Publish(Apply(stream.Connection, content, isPush: true));
    }

    /// <summary>
    /// Our identify information. For a response on <paramref name="connection"/>, with our key and
    /// the address we see the peer at; for a push (null), only what can change.
    /// </summary>
    private IdentifyContent LocalContent(IConnection? connection)
    {
        var addresses = network.InterfaceListenAddresses()
            .Select(a => a.WithoutPeerId())
            .Where(a => !a.IsEmpty)
            .Distinct()
            .ToArray();
        var protocols = (Volatile.Read(ref localProtocols) ?? [ProtocolId, PushProtocolId]).Order(StringComparer.Ordinal).ToArray();
        PublicKey? key = null;
        Multiaddr? observedAddress = null;
        if (connection is not null)
        {
            key = network.LocalPublicKey;
            observedAddress = connection.RemoteAddress.IsEmpty ? null : connection.RemoteAddress;
        }

        return new IdentifyContent(Options.ProtocolVersion, Options.AgentVersion, key, addresses, observedAddress, protocols);
    }

    /// <summary>Encodes and length-prefixes <paramref name="content"/>, as one buffer for one write.</summary>
    private byte[] Frame(IdentifyContent content)
    {
        var messages = IdentifyCodec.Encode(content, Options.MaxMessageSize, Options.MaxMessages, out int dropped);
        if (dropped > 0)
        {
            logger.Truncated(messages.Count, dropped);
        }

        var framed = new byte[messages.Sum(m => LengthPrefixed.GetFramedLength(m.Length))];
        int offset = 0;
        foreach (var message in messages)
        {
            offset += Varint.Write(framed.AsSpan(offset), (ulong)message.Length);
            message.CopyTo(framed, offset);
            offset += message.Length;
        }

        return framed;
    }

    /// <summary>Counts a report of our address, evicting the least recently reported beyond the bound.</summary>
    private void RecordObserved(Multiaddr? address)
    {
        if (address is null || IsDisposed)
        {
            return;
        }

        var now = time.GetUtcNow();
        lock (observedGate)
        {
            try
            {
                ObservedAddress? evict = null;
                if (!observed.TryGetValue(address, out var existing) && observed.Count >= Options.MaxObservedAddresses)
                {
                    evict = observed.Items.MinBy(o => o.LastReported);
                }

                observed.Edit(u =>
                {
                    if (evict is not null)
                    {
                        u.Remove(evict.Address);
                    }

                    u.AddOrUpdate(new ObservedAddress(address, (existing?.Reports ?? 0) + 1, now));
                });
            }
            catch (ObjectDisposedException)
            {
                // The service stopped while this identification finished.
            }
        }
    }
}
