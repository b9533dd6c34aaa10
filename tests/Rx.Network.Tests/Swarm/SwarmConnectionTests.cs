using System.IO.Pipelines;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rx.Network.Addressing;
using Rx.Network.Encoding;
using Rx.Network.Identity;
using Rx.Network.Muxing;
using Rx.Network.Negotiation;
using Rx.Network.Security;
using Rx.Network.Swarm;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Swarm;

/// <summary>
/// <see cref="SwarmConnection"/> over a scripted muxer, for the races a real connection only
/// rarely hits: a stream that has already ended when its negotiation returns, and a stream
/// negotiated after the connection reported its end.
/// </summary>
public class SwarmConnectionTests
{
    private const string Protocol = "/test/scripted";
    private static readonly TimeSpan Wait = SwarmKit.Wait;

    [Fact]
    public async Task NewStreamAsync_StreamAlreadyEnded_IsReportedOpenedThenClosed_AndNotKept()
    {
        var session = new ScriptedSession();
        var host = new RecordingHost();
        var connection = Create(session, host);
        connection.Start();

        var stream = await connection.NewStreamAsync([Protocol]).WaitAsync(Wait);
        Assert.Equal(Protocol, stream.Protocol);
        Assert.Empty(connection.Streams);
        Assert.Equal([$"opened {stream.Id}", $"closed {stream.Id}"], host.Calls);

        // Nothing is left for the close to wait on.
        await connection.CloseAsync().WaitAsync(Wait);
        Assert.Equal($"connection closed {connection.Id}", host.Calls[^1]);
    }

    [Fact]
    public async Task NewStreamAsync_NegotiatedAfterTheConnectionEnded_FailsAndPublishesNothing()
    {
        var session = new ScriptedSession();
        var host = new RecordingHost();
        var connection = Create(session, host);
        connection.Start();
        session.End();
        await connection.Completion.WaitAsync(Wait);

        // The muxer still hands out a stream (it lost the race with the session's end).
        await Assert.ThrowsAsync<MuxerClosedException>(() => connection.NewStreamAsync([Protocol]).WaitAsync(Wait));
        Assert.Equal([$"connection closed {connection.Id}"], host.Calls);
        Assert.True(session.LastStream!.WasReset);
    }

    [Fact]
    public void Frames_MuxerWithoutATrace_ThrowsNotSupported()
    {
        var connection = Create(new ScriptedSession(), new RecordingHost());

        Assert.Throws<NotSupportedException>(() => connection.Frames);
        Assert.Throws<NotSupportedException>(() => connection.TraceFrames().Subscribe(_ => { }));
    }

    private static SwarmConnection Create(ScriptedSession session, RecordingHost host)
    {
        var upgraded = new UpgradedConnection(new NullRaw(), new NullChannel(), session, IsInitiator: true);
        return new SwarmConnection(upgraded, host, "t1", DateTimeOffset.UnixEpoch);
    }

    private static byte[] Message(string text)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(text + "\n");
        return [.. Varint.Encode((ulong)body.Length), .. body];
    }

    /// <summary>A muxer whose streams answer the negotiation with <see cref="Protocol"/> and have ended already.</summary>
    private sealed class ScriptedSession : IMuxerSession
    {
        private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private uint nextId = 1;

        public string Protocol => "/test/muxer";

        public int StreamCount => 0;

        public bool CanOpenStreams => !completion.Task.IsCompleted;

        public Task Completion => completion.Task;

        public ScriptedStream? LastStream { get; private set; }

        public void End() => completion.TrySetResult();

        public Task<IMuxedStream> OpenStreamAsync(CancellationToken cancellationToken = default)
        {
            LastStream = new ScriptedStream(nextId);
            nextId += 2;
            return Task.FromResult<IMuxedStream>(LastStream);
        }

        public async ValueTask<IMuxedStream?> AcceptStreamAsync(CancellationToken cancellationToken = default)
        {
            await completion.Task.WaitAsync(cancellationToken);
            return null;
        }

        public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task CloseAsync(CancellationToken cancellationToken = default)
        {
            End();
            return Task.CompletedTask;
        }

        public void Abort(Exception reason) => completion.TrySetException(reason);
    }

    private sealed class ScriptedStream(uint id) : IMuxedStream
    {
        private readonly MemoryStream script = new([.. Message(MultistreamSelect.ProtocolId), .. Message(SwarmConnectionTests.Protocol)]);

        public uint StreamId { get; } = id;

        public bool IsOutbound => true;

        public Task Completion => Task.CompletedTask;

        public bool WasReset { get; private set; }

        public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(script.Read(buffer.Span));

        public ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask CloseWriteAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public void Reset() => WasReset = true;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class RecordingHost : IConnectionHost
    {
        private readonly List<string> calls = [];

        public string[] Calls
        {
            get
            {
                lock (calls)
                {
                    return [.. calls];
                }
            }
        }

        public ProtocolRouter Router { get; } = new();

        public MultistreamOptions Multistream => MultistreamOptions.Default;

        public TimeSpan StreamNegotiationTimeout => TimeSpan.FromSeconds(10);

        public TimeProvider Time => TimeProvider.System;

        public TaskScheduler Tasks => TaskScheduler.Default;

        public NetworkMetrics Metrics => NetworkMetrics.Shared;

        public ILogger Logger => NullLogger.Instance;

        public void OnStreamOpened(SwarmStream stream) => Record($"opened {stream.Id}");

        public void OnStreamClosed(SwarmStream stream, Exception? error) => Record($"closed {stream.Id}");

        public void OnInboundStream(SwarmStream stream) => Record($"inbound {stream.Id}");

        public void OnConnectionClosed(SwarmConnection connection, Exception? error) => Record($"connection closed {connection.Id}");

        private void Record(string call)
        {
            lock (calls)
            {
                calls.Add(call);
            }
        }
    }

    private sealed class NullRaw : IRawConnection
    {
        private readonly Pipe pipe = new();

        public IDuplexPipe Pipe => new DuplexPipe(pipe.Reader, pipe.Writer);

        public Multiaddr LocalAddress { get; } = Multiaddr.Parse("/ip4/127.0.0.1/tcp/1");

        public Multiaddr RemoteAddress { get; } = Multiaddr.Parse("/ip4/127.0.0.1/tcp/2");

        public void Abort()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class NullChannel : ISecureChannel
    {
        private static readonly PrivateKey Key = PrivateKey.Generate();

        public PeerId LocalPeer { get; } = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);

        public PeerId RemotePeer { get; } = PeerId.FromPublicKey(Key.PublicKey);

        public PublicKey RemotePublicKey => Key.PublicKey;

        public string SecurityProtocol => "/test/security";

        public string? EarlyMuxer => null;

        public ISourceBlock<PooledBuffer> Input { get; } = new BufferBlock<PooledBuffer>();

        public ITargetBlock<PooledBuffer> Output { get; } = new BufferBlock<PooledBuffer>();

        public Task Completion => Task.CompletedTask;

        public void Abort(Exception reason)
        {
        }
    }
}
