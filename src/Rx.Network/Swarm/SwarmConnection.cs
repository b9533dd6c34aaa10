using System.Collections.Concurrent;
using System.Reactive.Subjects;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Rx.Network.Addressing;
using Rx.Network.Errors;
using Rx.Network.Identity;
using Rx.Network.Muxing;
using Rx.Network.Negotiation;
using Rx.Network.Resources;
using Rx.Network.Transports;

namespace Rx.Network.Swarm;

/// <summary>
/// A connection of the swarm: an upgraded transport connection whose muxer streams get their
/// protocol negotiated (outbound against the caller's list, inbound against the network's
/// <see cref="ProtocolRouter"/>) and are tracked until they end.
/// </summary>
/// <remarks>
/// Ordering guarantee: every stream's <see cref="IConnectionHost.OnStreamClosed"/> runs before
/// <see cref="IConnectionHost.OnConnectionClosed"/>, which runs before <see cref="Completion"/>
/// completes: the network's <see cref="Disconnected"/> event follows every <see cref="StreamClosed"/>
/// of the connection, and a caller awaiting a close finds the network's view already updated.
/// </remarks>
internal sealed partial class SwarmConnection : IConnection
{
    private readonly UpgradedConnection upgraded;
    private readonly IConnectionHost host;
    // Starts small (the default is 31 buckets and a lock per core): most connections hold a few
    // streams or none, and an idle one should cost little (issue #18); the table grows as needed.
    private readonly ConcurrentDictionary<SwarmStream, Task> streams = new(concurrencyLevel: 1, capacity: 4);
    private readonly ISubject<IStream> incoming = Subject.Synchronize(new Subject<IStream>());
    private readonly TaskCompletionSource closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock streamsGate = new();
    private int started;
    private bool streamsClosed;

    public SwarmConnection(UpgradedConnection upgraded, IConnectionHost host, string id, DateTimeOffset opened)
    {
        this.upgraded = upgraded;
        this.host = host;
        Id = id;
        Opened = opened;
    }

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public PeerId LocalPeer => upgraded.Channel.LocalPeer;

    /// <summary>Where the connection's continuations run (the network's <c>NetworkScheduler.Tasks</c>).</summary>
    internal TaskScheduler Tasks => host.Tasks;

    /// <inheritdoc/>
    public PeerId RemotePeer => upgraded.Channel.RemotePeer;

    /// <inheritdoc/>
    public PublicKey RemotePublicKey => upgraded.Channel.RemotePublicKey;

    /// <inheritdoc/>
    public Multiaddr LocalAddress => upgraded.Raw.LocalAddress;

    /// <inheritdoc/>
    public Multiaddr RemoteAddress => upgraded.Raw.RemoteAddress;

    /// <inheritdoc/>
    public Direction Direction => upgraded.IsInitiator ? Direction.Outbound : Direction.Inbound;

    /// <inheritdoc/>
    public string Security => upgraded.Channel.SecurityProtocol;

    /// <inheritdoc/>
    public string Muxer => upgraded.Session.Protocol;

    /// <inheritdoc/>
    public DateTimeOffset Opened { get; }

    /// <inheritdoc/>
    public IReadOnlyCollection<IStream> Streams => streams.Keys.ToArray();

    /// <inheritdoc/>
    public Task Completion => closed.Task;

    /// <inheritdoc/>
    public ISourceBlock<TracedFrame> Frames =>
        upgraded.Session.Frames ?? throw new NotSupportedException($"The connection {Id} runs {Muxer}, which has no frame trace.");

    /// <inheritdoc/>
    public IObservable<IStream> IncomingStreams => incoming;

    /// <summary>Whether the connection has ended or is ending.</summary>
    public bool IsClosed => closed.Task.IsCompleted || upgraded.Session.Completion.IsCompleted;

    /// <summary>
    /// Whether a new stream can be opened on it: open, and its muxer not closing nor told by the
    /// remote to open no more (a remote GoAway leaves the connection up while its streams finish).
    /// </summary>
    internal bool CanOpenStreams => !IsClosed && upgraded.Session.CanOpenStreams;

    internal NetworkMetrics Metrics => host.Metrics;

    internal IMuxerSession Session => upgraded.Session;

    /// <summary>Starts accepting inbound streams. Called once, after the network published <see cref="Connected"/>.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref started, 1) == 1)
        {
            return;
        }

        using (NetworkTracing.Detach())
        {
            _ = AcceptLoopAsync();
            _ = WatchSessionAsync();
        }
    }

    /// <inheritdoc/>
    public async Task<IStream> NewStreamAsync(IReadOnlyList<string> protocols, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        if (protocols.Count == 0 || protocols.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Give at least one protocol id, none empty.", nameof(protocols));
        }

        var muxed = await upgraded.Session.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
        using var activity = NetworkTracing.StartNegotiation(Direction.Outbound, RemotePeer, protocols);
        string protocol;
        try
        {
            protocol = await MultistreamSelect.SelectAsync(new DuplexStream(muxed), protocols, host.Multistream, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            NetworkTracing.Failed(activity, e);
            muxed.Reset();
            throw;
        }

        // Out of the transient scope into the protocol's (with its limits).
        if (muxed.Resources is { } scope && !scope.TrySetProtocol(protocol, out var refusal))
        {
            muxed.Reset(ResourceLimitExceededException.StreamResetCode);
            throw (Exception?)refusal ?? Error.MuxerClosed("The stream ended while its protocol was negotiated.", remote: false, null);
        }

        activity?.SetTag(NetworkTracing.ProtocolTag, protocol);

        var stream = new SwarmStream(muxed, this, protocol);
        if (!Track(stream))
        {
            muxed.Reset();
            throw Error.MuxerClosed("The connection closed while the stream's protocol was negotiated.", remote: false, null);
        }

        return stream;
    }

    /// <inheritdoc/>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await upgraded.Session.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            upgraded.Abort(new IOException("The connection was closed before its streams finished."));
        }

        Start();
        await closed.Task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    /// <summary>Tears the connection down at once; the remote sees a reset.</summary>
    public void Abort(Exception reason) => upgraded.Abort(reason);

    /// <inheritdoc/>
    public override string ToString() => $"{Id} {Direction} {RemotePeer} {RemoteAddress}";

    /// <summary>
    /// Publishes the stream's opening and, once it ends, its close. Returns false, publishing
    /// nothing, when the connection already reported its end (the stream lost a race with it).
    /// </summary>
    private bool Track(SwarmStream stream)
    {
        // Registered before the continuation exists: a stream that already ended removes itself
        // inline, and must find itself there.
        var reported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (streamsGate)
        {
            if (streamsClosed)
            {
                return false;
            }

            streams.TryAdd(stream, reported.Task);
        }

        host.Metrics.StreamOpened(stream.Protocol);
        host.OnStreamOpened(stream);
        _ = stream.Completion.ContinueWith(
            t =>
            {
                host.Metrics.StreamClosed(stream.Protocol);
                host.OnStreamClosed(stream, t.Exception?.GetBaseException());
                streams.TryRemove(stream, out _);
                reported.TrySetResult();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            host.Tasks);
        return true;
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (await upgraded.Session.AcceptStreamAsync().ConfigureAwait(false) is { } muxed)
            {
                _ = HandleInboundAsync(muxed);
            }
        }
        catch (Exception e)
        {
            // The session ended; WatchSessionAsync reports why.
            host.Logger.AcceptLoopEnded(e, Id);
        }
    }

    private async Task HandleInboundAsync(IMuxedStream muxed)
    {
        string protocol;
        using (var activity = NetworkTracing.StartNegotiation(Direction.Inbound, RemotePeer, offered: null))
        using (var deadline = new CancellationTokenSource(host.StreamNegotiationTimeout, host.Time))
        {
            try
            {
                var router = host.Router;
                protocol = await MultistreamSelect.HandleAsync(new DuplexStream(muxed), router.Serves, router.Protocols, host.Multistream, deadline.Token).ConfigureAwait(false);
                activity?.SetTag(NetworkTracing.ProtocolTag, protocol);
            }
            catch (Exception e)
            {
                NetworkTracing.Failed(activity, e);
                host.Logger.InboundNegotiationFailed(e, Id, muxed.StreamId);
                muxed.Reset();
                return;
            }
        }

        // Out of the transient scope into the protocol's: over the protocol's limits (e.g. ping's
        // inbound streams per peer), the stream is reset with the resource-limit code.
        if (muxed.Resources is { } scope && !scope.TrySetProtocol(protocol, out var refusal))
        {
            if (refusal is not null)
            {
                host.Logger.InboundNegotiationFailed(refusal, Id, muxed.StreamId);
            }

            muxed.Reset(ResourceLimitExceededException.StreamResetCode);
            return;
        }

        var stream = new SwarmStream(muxed, this, protocol);
        if (!Track(stream))
        {
            muxed.Reset();
            return;
        }

        try
        {
            incoming.OnNext(stream);
        }
        catch (Exception e)
        {
            // A throwing observer must not cost the stream its handler.
            host.Logger.IncomingObserverThrew(e, Id);
        }

        host.OnInboundStream(stream);
    }

    private async Task WatchSessionAsync()
    {
        Exception? error = null;
        try
        {
            await upgraded.Session.Completion.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            error = e;

            // A failed session leaves the transport to us: reset it so the remote learns at once.
            upgraded.Raw.Abort();
        }

        // Every stream ends with its session; wait until each one's close was reported. A stream
        // whose negotiation finished just as the session ended may join the set meanwhile: loop,
        // and once the set is empty, refuse latecomers so none is published after Disconnected.
        while (true)
        {
            Task[] pending;
            lock (streamsGate)
            {
                if (streams.IsEmpty)
                {
                    streamsClosed = true;
                    break;
                }

                pending = [.. streams.Values];
            }

            await Task.WhenAll(pending).ConfigureAwait(false);
        }

        incoming.OnCompleted();
        try
        {
            host.OnConnectionClosed(this, error);
        }
        finally
        {
            if (error is null)
            {
                closed.TrySetResult();
            }
            else
            {
                closed.TrySetException(error);
            }
        }
    }
}
