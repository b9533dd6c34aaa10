using System.Reactive.Subjects;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Resources;

namespace Rx.Network.Mock.Peers;

/// <summary>
/// One end of a mock connection: streams opened by protocol (the remote picks the first protocol
/// it serves, one round trip, as multistream-select would), closed gracefully or failed by the link.
/// </summary>
internal sealed class MockConnection : IConnection
{
    /// <summary>What <see cref="Security"/> and <see cref="Muxer"/> report for fast-mode connections.</summary>
    public const string MockProtocol = "/rx-network/mock/1.0.0";

    // Made on first use, as the subject and the completion below: a simulation holds hundreds of thousands of
    // connections, many of which never carry a stream or have an observer of incoming ones.
    private Dictionary<uint, MockStream>? streams;
    private Dictionary<uint, PendingOpen>? opening;
    private TaskCompletionSource? completion;
    private Exception? closeError;
    private ISubject<IStream>? incoming;
    private readonly ConnectionScope resources;
    private readonly int number;
    private string? name;
    private uint nextStreamId;
    private bool closed;

    public MockConnection(ConnectionPair pair, MockPeer local, MockPeer remote, Direction direction, int number, DateTimeOffset opened, ConnectionScope resources)
    {
        this.resources = resources;
        Pair = pair;
        Local = local;
        Remote = remote;
        Direction = direction;
        this.number = number;
        Opened = opened;
        // Parity keeps the ids the two ends allocate apart, as in yamux.
        nextStreamId = direction == Direction.Outbound ? 1u : 2u;
    }

    public ConnectionPair Pair { get; }

    // Both ends lock their pair (internal, never handed out) rather than a Lock each: a
    // simulation holds hundreds of thousands of connection ends. Every section under it is short
    // and calls nothing else, so sharing it between the two ends costs nothing.
    private ConnectionPair Gate => Pair;

    public MockPeer Local { get; }

    public MockPeer Remote { get; }

    public MockNetwork Network => Local.Network;

    // Formatted on first read (the local peer's short id and the connection's ordinal): most
    // connections of a simulation are never named.
    public string Id => name ??= $"{Local.LocalPeer.Short()}-c{number}";

    public PeerId LocalPeer => Local.LocalPeer;

    public PeerId RemotePeer => Remote.LocalPeer;

    public PublicKey RemotePublicKey => Remote.LocalPublicKey;

    public Multiaddr LocalAddress => Local.Address;

    public Multiaddr RemoteAddress => Remote.Address;

    public Direction Direction { get; }

    public DateTimeOffset Opened { get; }

    /// <summary>Fast-mode connections are neither encrypted nor multiplexed on the wire: the mock models streams directly.</summary>
    public string Security => MockProtocol;

    public string Muxer => MockProtocol;

    public IReadOnlyCollection<IStream> Streams
    {
        get
        {
            lock (Gate)
            {
                return streams is null ? [] : [.. streams.Values];
            }
        }
    }

    public Task Completion
    {
        get
        {
            lock (Gate)
            {
                if (completion is null)
                {
                    completion = new TaskCompletionSource(Network.ContinuationOptions);
                    if (closed)
                    {
                        Complete(completion, closeError);
                    }
                }

                return completion.Task;
            }
        }
    }

    public IObservable<IStream> IncomingStreams
    {
        get
        {
            lock (Gate)
            {
                if (incoming is null)
                {
                    incoming = Subject.Synchronize(new Subject<IStream>());
                    if (closed)
                    {
                        incoming.OnCompleted();
                    }
                }

                return incoming;
            }
        }
    }

    public bool IsClosed
    {
        get
        {
            lock (Gate)
            {
                return closed;
            }
        }
    }

    public Task<IStream> NewStreamAsync(IReadOnlyList<string> protocols, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        if (protocols.Count == 0 || protocols.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Give at least one protocol id, none empty.", nameof(protocols));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingOpen([.. protocols], new TaskCompletionSource<IStream>(Network.ContinuationOptions));
        uint id;
        lock (Gate)
        {
            if (closed)
            {
                throw new MuxerClosedException("The connection is closed.");
            }

            id = nextStreamId;
            nextStreamId += 2;
            (opening ??= [])[id] = pending;
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => pending.Outcome.TrySetCanceled(cancellationToken));
            _ = pending.Outcome.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, Network.Work.Tasks);
        }

        Pair.Send(
            this,
            LinkFrameKind.Open,
            pending.Protocols[0],
            0,
            remote => remote.OnOpen(id, pending.Protocols),
            lost => FailOpen(id, new StreamResetException("The stream's opening was lost on the mock link.", lost)));
        return pending.Outcome.Task;
    }

    public Task CloseAsync(CancellationToken cancellationToken = default)
    {
        Close(null, notifyRemote: true);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    public override string ToString() => $"{Id} {Direction} {RemotePeer.Short()}";

    public MockStream? FindStream(uint id)
    {
        lock (Gate)
        {
            return streams?.GetValueOrDefault(id);
        }
    }

    /// <summary>Ends the connection: gracefully (error null) or failed; streams and pending opens fail first.</summary>
    /// <param name="error">Why it failed; null for a graceful close.</param>
    /// <param name="notifyRemote">Whether to tell the other end (a graceful local close).</param>
    public void Close(Exception? error, bool notifyRemote)
    {
        MockStream[] failing;
        PendingOpen[] abandoned;
        lock (Gate)
        {
            if (closed)
            {
                return;
            }

            closed = true;
            closeError = error;
            failing = streams is null ? [] : [.. streams.Values];
            abandoned = opening is null ? [] : [.. opening.Values];
            opening?.Clear();
        }

        var streamError = error ?? new MuxerClosedException(
            notifyRemote ? "The connection was closed." : "The remote peer closed the connection.",
            remote: !notifyRemote,
            errorCode: null);
        foreach (var stream in failing)
        {
            stream.Fail(streamError);
        }

        foreach (var open in abandoned)
        {
            open.Outcome.TrySetException(streamError);
        }

        if (notifyRemote)
        {
            Pair.Send(this, kind: null, protocol: null, 0, remote => remote.Close(null, notifyRemote: false), lost: null);
        }

        if (Pair.Other(this) is null or { IsClosed: true })
        {
            Pair.Link.Untrack(Pair);
        }

        resources.Dispose();
        Local.ResourceManager.PublishIfObserved();
        Local.OnConnectionClosed(this, error);
        ISubject<IStream>? observed;
        TaskCompletionSource? awaited;
        lock (Gate)
        {
            observed = incoming;
            awaited = completion;
        }

        observed?.OnCompleted();
        if (awaited is not null)
        {
            Complete(awaited, error);
        }
    }

    private static void Complete(TaskCompletionSource completion, Exception? error)
    {
        if (error is null)
        {
            completion.TrySetResult();
        }
        else
        {
            completion.TrySetException(error);
            _ = completion.Task.Exception;
        }
    }

    /// <summary>A stream of this connection ended (cleanly or not): forget it and tell the peer.</summary>
    public void OnStreamEnded(MockStream stream, Exception? error)
    {
        lock (Gate)
        {
            streams?.Remove(stream.StreamId);
        }

        stream.Resources?.Dispose();
        Local.ResourceManager.PublishIfObserved();
        Local.OnStreamClosed(stream, error);
    }

    /// <summary>The remote end proposes a stream.</summary>
    private void OnOpen(uint id, string[] protocols)
    {
        string? protocol = null;
        foreach (string proposed in protocols)
        {
            if (Local.Router.Serves(proposed))
            {
                protocol = proposed;
                break;
            }
        }

        if (protocol is null)
        {
            Pair.Send(this, kind: null, protocol: null, 0, remote => remote.FailOpen(id, new NegotiationException(
                NegotiationFailure.NoCommonProtocol,
                protocols,
                $"The remote peer supports none of the protocols proposed: {string.Join(", ", protocols)}.")), lost: null);
            return;
        }

        // Reserved as yamux and the router do: the stream and its window, then its protocol's
        // limits; refused, the opener sees a reset with the resource-limit code.
        if (!TryReserveStream(inbound: true, protocol, out var scope, out _))
        {
            Pair.Send(this, kind: null, protocol: null, 0, remote => remote.FailOpen(id, new StreamResetException(remote: true, ResourceLimitExceededException.StreamResetCode)), lost: null);
            return;
        }

        var stream = new MockStream(this, id, protocol, Direction.Inbound) { Resources = scope };
        lock (Gate)
        {
            if (closed)
            {
                scope?.Dispose();
                return;
            }

            (streams ??= [])[id] = stream;
        }

        Pair.Send(this, kind: null, protocol, 0, remote => remote.OnAccepted(id, protocol), lost: null);
        Local.OnStreamOpened(stream);
        ISubject<IStream>? observed;
        lock (Gate)
        {
            observed = incoming;
        }

        try
        {
            // No subject yet: nobody observes, and a later subscriber would not see this stream either.
            observed?.OnNext(stream);
        }
        catch (Exception)
        {
            // A throwing observer must not cost the stream its handler.
        }

        Local.DispatchInbound(stream);
    }

    /// <summary>The remote end accepted our stream with <paramref name="protocol"/>.</summary>
    private void OnAccepted(uint id, string protocol)
    {
        PendingOpen? pending;
        lock (Gate)
        {
            if (opening is null || !opening.Remove(id, out pending) || closed)
            {
                pending = null;
            }
        }

        if (pending is null)
        {
            return;
        }

        if (!TryReserveStream(inbound: false, protocol, out var scope, out var refusal))
        {
            // Our own limit: the opener learns which scope; the remote's stream is reset.
            pending.Outcome.TrySetException((Exception?)refusal ?? new MuxerClosedException("The connection is closed."));
            Pair.Send(this, kind: null, protocol: null, 0, remote => remote.FindStream(id)?.Reset(), lost: null);
            return;
        }

        var stream = new MockStream(this, id, protocol, Direction.Outbound) { Resources = scope };
        lock (Gate)
        {
            if (closed)
            {
                pending = null;
            }
            else
            {
                (streams ??= [])[id] = stream;
            }
        }

        if (pending is null)
        {
            scope?.Dispose();
            return;
        }

        Local.OnStreamOpened(stream);
        if (!pending.Outcome.TrySetResult(stream))
        {
            // The opener gave up (canceled) meanwhile: the remote must not wait on this stream.
            stream.Reset();
        }
    }

    /// <summary>Reserves a stream, its window and its protocol; false (with the refusal, if a limit) when refused.</summary>
    private bool TryReserveStream(bool inbound, string protocol, out StreamScope? scope, out ResourceLimitExceededException? refusal)
    {
        scope = resources.TryOpenStream(inbound, Network.Options.StreamWindow, out refusal);
        if (scope is not null && !scope.TrySetProtocol(protocol, out refusal))
        {
            scope.Dispose();
            scope = null;
        }

        Local.ResourceManager.PublishIfObserved();
        return scope is not null;
    }

    private void FailOpen(uint id, Exception error)
    {
        PendingOpen? pending;
        lock (Gate)
        {
            pending = null;
            opening?.Remove(id, out pending);
        }

        pending?.Outcome.TrySetException(error);
    }

    private sealed record PendingOpen(string[] Protocols, TaskCompletionSource<IStream> Outcome);
}
