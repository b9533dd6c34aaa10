using Rx.Network.Muxing;
using Rx.Network.Negotiation;
using Rx.Network.Swarm;
using Rx.Network.Tests.Swarm;
using PrivateKey = Rx.Network.Identity.PrivateKey;

namespace Rx.Network.Tests.Reliability;

// Attacks after a successful upgrade: flow control, stream and ping floods, GoAway, endless
// proposals, an abortive close.
public sealed partial class HostilePeerTests
{
    private const int MaxInboundStreams = 32;
    private const string Hold = "/hold/1.0.0";

    [Fact]
    public async Task DataBeyondTheWindow_EndsTheConnectionWithGoAwayProtocolError()
    {
        await using var target = await Target.StartAsync();
        using var identity = PrivateKey.Generate();
        await using (var peer = await HostilePeer.ConnectAsync(target.Address))
        {
            await peer.UpgradeAsync(identity);

            // The stream goes to a handler that never reads, so nothing but the 256 KiB window
            // stands between the peer and the listener's memory. (Garbage instead of a proposal
            // would get the stream reset first, and data for a reset stream is dropped.)
            var chunk = new byte[16 * 1024];
            var proposal = MultistreamMessage.Frame(MultistreamSelect.ProtocolId, Hold).ToArray();
            var frames = new List<(YamuxHeader, byte[]?)> { (YamuxHeader.Data(1, (uint)proposal.Length, YamuxFlags.Syn), proposal) };
            for (int i = 0; i < 40; i++)
            {
                frames.Add((YamuxHeader.Data(1, (uint)chunk.Length), chunk));
            }

            // Read while sending: the listener stops reading once it has given up on us.
            var sending = peer.TrySendFramesAsync([.. frames]);
            var goAway = await peer.ReadUntilAsync(h => h.Type == YamuxFrameType.GoAway);
            Assert.Equal(YamuxHeader.GoAway((uint)YamuxGoAwayCode.ProtocolError), goAway?.Header);
            await peer.AwaitClosedAsync();
            await sending;
        }

        await target.AssertRecoveredAsync();
    }

    [Fact]
    public async Task StreamFlood_PastTheStreamLimit_ExcessIsReset_ConnectionLives()
    {
        await using var target = await Target.StartAsync(b => b.WithYamux(new YamuxOptions { MaxInboundStreams = MaxInboundStreams, AcceptBacklog = 8 }));
        using var identity = PrivateKey.Generate();
        await using (var peer = await HostilePeer.ConnectAsync(target.Address))
        {
            await peer.UpgradeAsync(identity);
            const int opened = 400;
            var syns = Enumerable.Range(0, opened).Select(i => (YamuxHeader.WindowUpdate((uint)(2 * i) + 1, 0, YamuxFlags.Syn), (byte[]?)null)).ToArray();
            await peer.SendFramesAsync(syns);

            int resets = 0;
            while (resets < opened - MaxInboundStreams)
            {
                var frame = await peer.ReadUntilAsync(h => h.Flags.HasFlag(YamuxFlags.Rst));
                Assert.NotNull(frame);
                resets++;
            }

            // Still alive and responsive.
            await peer.SendFramesAsync((YamuxHeader.Ping(7, response: false), null));
            Assert.NotNull(await peer.ReadUntilAsync(h => h == YamuxHeader.Ping(7, response: true)));
            Assert.Single(target.Listener.Connections);
        }

        await target.AssertRecoveredAsync();
    }

    [Fact]
    public async Task PingFlood_WithoutReading_IsBoundedOrDropped_ListenerRecovers()
    {
        await using var target = await Target.StartAsync();
        using var identity = PrivateKey.Generate();
        await using (var peer = await HostilePeer.ConnectAsync(target.Address))
        {
            await peer.UpgradeAsync(identity);
            var pings = Enumerable.Range(0, 20_000).Select(i => (YamuxHeader.Ping((uint)i, response: false), (byte[]?)null)).ToArray();
            for (int round = 0; round < 10; round++)
            {
                if (!await peer.TrySendFramesAsync(pings))
                {
                    break;
                }
            }

            // Either the listener kept up (then a last ping is answered in order) or it dropped
            // a peer that provoked too many replies without reading them; nothing in between.
            await peer.TrySendFramesAsync((YamuxHeader.Ping(uint.MaxValue, response: false), null));
            await peer.ReadUntilAsync(h => h == YamuxHeader.Ping(uint.MaxValue, response: true));
            peer.Reset();
        }

        await target.AssertRecoveredAsync();
    }

    [Fact]
    public async Task GoAway_FromThePeer_ListenerClosesTheConnection()
    {
        await using var target = await Target.StartAsync();
        using var events = new EventRecorder(target.Listener);
        using var identity = PrivateKey.Generate();
        await using (var peer = await HostilePeer.ConnectAsync(target.Address))
        {
            await peer.UpgradeAsync(identity);
            await events.WaitForAsync<Connected>();
            await peer.SendFramesAsync((YamuxHeader.GoAway((uint)YamuxGoAwayCode.Normal), null));

            // A GoAway means no new streams. Once the streams the listener opened to us (identify)
            // are refused, it has none left and must close rather than hold the connection. The
            // peer itself never closes.
            while (await peer.TryReadFrameAsync() is { } frame)
            {
                if (frame.Header.Flags.HasFlag(YamuxFlags.Syn) && frame.Header.StreamId != 0)
                {
                    await peer.TrySendFramesAsync((YamuxHeader.WindowUpdate(frame.Header.StreamId, 0, YamuxFlags.Rst), null));
                }
            }

            var disconnected = await events.WaitForAsync<Disconnected>();
            Assert.Null(disconnected.Error);
        }

        await target.AssertRecoveredAsync();
    }

    [Fact]
    public async Task EndlessProposals_AreCutOffAtTheRefusalLimit()
    {
        await using var target = await Target.StartAsync();
        await using (var peer = await HostilePeer.ConnectAsync(target.Address))
        {
            await peer.SendAsync(MultistreamMessage.Frame(MultistreamSelect.ProtocolId));
            Assert.Equal(MultistreamSelect.ProtocolId, await peer.ReadMultistreamAsync());
            // One proposal at a time, each answer read before the next (a burst would be cut
            // by the reset and the answers lost with it).
            int refused = 0;
            for (int i = 0; i < 1000; i++)
            {
                if (!await peer.TrySendAsync(MultistreamMessage.Frame($"/nope/{i}")))
                {
                    break;
                }

                try
                {
                    Assert.Equal(MultistreamSelect.NotAvailable, await peer.ReadMultistreamAsync());
                    refused++;
                }
                catch (Exception e) when (e is Xunit.Sdk.XunitException or IOException)
                {
                    break; // Closed instead of answering.
                }
            }

            Assert.Equal(MultistreamOptions.DefaultMaxRefusals, refused);
            await peer.AwaitClosedAsync();
        }

        await target.AssertRecoveredAsync();
    }

    [Fact]
    public async Task AbortiveClose_MidStream_ListenerSeesAFailedConnection_AndRecovers()
    {
        await using var target = await Target.StartAsync();
        using var events = new EventRecorder(target.Listener);
        using var identity = PrivateKey.Generate();
        await using (var peer = await HostilePeer.ConnectAsync(target.Address))
        {
            await peer.UpgradeAsync(identity);
            var proposal = MultistreamMessage.Frame(MultistreamSelect.ProtocolId, Echo).ToArray();
            await peer.SendFramesAsync((YamuxHeader.Data(1, (uint)proposal.Length, YamuxFlags.Syn), proposal));
            var opened = await events.WaitForAsync<StreamOpened>();
            await peer.SendFramesAsync((YamuxHeader.Data(1, 1000), new byte[1000]));
            peer.Reset();

            var closed = await events.WaitForAsync<StreamClosed>(e => e.Stream == opened.Stream);
            var disconnected = await events.WaitForAsync<Disconnected>();
            Assert.True(closed.Error is not null, $"stream closed cleanly; connection: {disconnected.Error}");
            Assert.NotNull(disconnected.Error);
        }

        await target.AssertRecoveredAsync();
    }

    /// <summary>A listening network with an echo handler, a short upgrade timeout and a baseline measured after one honest exchange.</summary>
    private sealed class Target : IAsyncDisposable
    {
        private readonly IDisposable echo;
        private readonly IDisposable hold;
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Target(INetwork listener)
        {
            Listener = listener;
            echo = listener.SetStreamHandler(Echo, EchoAsync);

            // Takes a stream and never reads it (until the target is disposed).
            hold = listener.SetStreamHandler(Hold, _ => released.Task);
        }

        public INetwork Listener { get; }

        public Rx.Network.Addressing.Multiaddr Address => Listener.ListenAddresses[0];

        public ResourceProbe Baseline { get; private set; } = null!;

        public static async Task<Target> StartAsync(Func<NetworkBuilder, NetworkBuilder>? configure = null)
        {
            var listener = await SwarmKit.StartAsync(b => (configure?.Invoke(b) ?? b)
                .WithOptions(o => o with { Upgrade = new UpgradeOptions { Timeout = UpgradeTimeout }, StreamNegotiationTimeout = TimeSpan.FromSeconds(2) }));
            var target = new Target(listener);

            // Warm up (thread pool, socket engine, JIT) so the baseline is steady.
            await target.AssertServesHonestPeerAsync();
            await target.AssertServesHonestPeerAsync();
            await WaitForNoConnectionsAsync(listener);
            target.Baseline = ResourceProbe.Capture();
            return target;
        }

        /// <summary>The listener serves an honest peer, then its resources return to the baseline.</summary>
        public async Task AssertRecoveredAsync()
        {
            await AssertServesHonestPeerAsync();
            await Baseline.AssertBackToBaselineAsync(Listener);
        }

        public async Task AssertServesHonestPeerAsync()
        {
            await using var honest = await SwarmKit.StartAsync(listen: false);
            var stream = await honest.NewStreamAsync(SwarmKit.Introduce(honest, Listener), [Echo]).WaitAsync(SwarmKit.Wait);
            await using (stream)
            {
                var message = "still serving"u8.ToArray();
                await stream.WriteAsync(message);
                await stream.CloseWriteAsync();
                var received = new MemoryStream();
                var buffer = new byte[256];
                int read;
                while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(SwarmKit.Wait)) > 0)
                {
                    received.Write(buffer, 0, read);
                }

                Assert.Equal(message, received.ToArray());
            }
        }

        public async ValueTask DisposeAsync()
        {
            released.TrySetResult();
            echo.Dispose();
            hold.Dispose();
            await Listener.DisposeAsync();
        }

        private static async Task WaitForNoConnectionsAsync(INetwork network)
        {
            var deadline = DateTime.UtcNow + SwarmKit.Wait;
            using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            while (network.Connections.Count > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "The honest peer's connection did not close.");
                await poll.WaitForNextTickAsync();
            }
        }

        private static async Task EchoAsync(IStream stream)
        {
            var buffer = new byte[4096];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read));
            }

            await stream.CloseWriteAsync();
        }
    }
}
