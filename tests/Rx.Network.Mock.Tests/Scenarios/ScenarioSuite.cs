using System.Runtime.CompilerServices;
using Rx.Network.Identity;
using Rx.Network.Protocols;
using Rx.Network.Resources;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests.Scenarios;

/// <summary>
/// One scenario suite, run three ways (#15 item 4): over TCP loopback (<see cref="TcpScenarios"/>),
/// on the mock's fast mode (<see cref="FastScenarios"/>) and on its real-stack mode in virtual time
/// (<see cref="RealStackScenarios"/>). Every scenario asserts the same outcomes on all three —
/// delivery, typed errors, <see cref="Connectedness"/> transitions, event order, limits — and, on
/// the two mock modes, each mode's exact virtual time over a 20 ms link (<see cref="Timings"/>).
/// Where the modes must differ, the mock README's table says so.
/// </summary>
public abstract class ScenarioSuite : IAsyncLifetime
{
    private const string RequestProtocol = "/test/scenario/request/1.0.0";

    /// <summary>The host of this run.</summary>
    protected IScenarioHost Host { get; private set; } = null!;

    /// <summary>Each scenario's exact virtual duration on this mode (empty in real time).</summary>
    protected abstract IReadOnlyDictionary<string, TimeSpan> Timings { get; }

    /// <summary>Creates this run's host.</summary>
    protected abstract IScenarioHost CreateHost();

    public Task InitializeAsync()
    {
        Host = CreateHost();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    [Fact]
    public async Task Echo_DeliversTheBytesBack()
    {
        var (a, b) = await Host.TwoPeersAsync(connect: true);
        using var echo = ServeEcho(b);

        var start = Host.Now;
        var echoed = await Host.RunAsync(async () =>
        {
            var stream = await a.NewStreamAsync(b.LocalPeer, [Echo]);
            await stream.WriteAsync("hello, echo"u8.ToArray());
            await stream.CloseWriteAsync();
            return await ReadToEndAsync(stream);
        });

        Assert.Equal("hello, echo"u8.ToArray(), echoed);
        AssertTook(start);
    }

    [Fact]
    public async Task RequestReply_AnswersTheRequest_DialingFirst()
    {
        var (a, b) = await Host.TwoPeersAsync(connect: false);
        using var server = new RequestReplyService(b, RequestProtocol, (request, _) =>
            Task.FromResult<ReadOnlyMemory<byte>>(request.Request.ToArray().Reverse().ToArray()));
        using var client = new RequestReplyService(a, RequestProtocol);

        var start = Host.Now;
        var reply = await Host.RunAsync(() => client.RequestAsync(b.LocalPeer, "abc"u8.ToArray()));

        Assert.Equal("cba"u8.ToArray(), reply.ToArray());
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
        AssertTook(start);
    }

    [Fact]
    public async Task DialToAnUnknownPeer_FailsWithDialException()
    {
        var (a, _) = await Host.TwoPeersAsync(connect: false);
        using var key = PrivateKey.Generate();
        var stranger = PeerId.FromPublicKey(key.PublicKey);

        var error = await Host.RunAsync(() => Catch(() => a.DialPeerAsync(stranger)));

        Assert.IsAssignableFrom<DialException>(error);
        Assert.Equal(Connectedness.CannotConnect, a.Connectedness(stranger));
    }

    [Fact]
    public async Task AProtocolTheRemoteDoesNotSpeak_FailsWithNegotiationException_AndKeepsTheConnection()
    {
        var (a, b) = await Host.TwoPeersAsync(connect: true);
        using var echo = ServeEcho(b);

        var start = Host.Now;
        var error = await Host.RunAsync(() => Catch(() => a.NewStreamAsync(b.LocalPeer, ["/test/nobody/1.0.0"])));

        Assert.IsType<NegotiationException>(error);
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
        AssertTook(start);
    }

    [Fact]
    public async Task AStreamTheRemoteResets_FailsTheReaderWithStreamResetException()
    {
        var (a, b) = await Host.TwoPeersAsync(connect: true);
        using var handler = b.SetStreamHandler(Echo, async stream =>
        {
            await stream.ReadAsync(new byte[1]);
            stream.Reset();
        });

        var start = Host.Now;
        var error = await Host.RunAsync(async () =>
        {
            var stream = await a.NewStreamAsync(b.LocalPeer, [Echo]);
            await stream.WriteAsync(new byte[] { 1 });
            return await Catch(() => stream.ReadAsync(new byte[8]).AsTask());
        });

        Assert.IsType<StreamResetException>(error);
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
        AssertTook(start);
    }

    [Fact]
    public async Task ARequestOverTheServersLimit_IsRefused_WithATypedError()
    {
        var (a, b) = await Host.TwoPeersAsync(connect: true);
        using var server = new RequestReplyService(b, RequestProtocol, (request, _) => Task.FromResult(request.Request), new RequestReplyOptions { MaxRequestSize = 16 });
        using var client = new RequestReplyService(a, RequestProtocol);

        var refused = await Host.RunAsync(() => Catch(() => client.RequestAsync(b.LocalPeer, new byte[100])));
        var small = await Host.RunAsync(() => client.RequestAsync(b.LocalPeer, new byte[16]));

        Assert.IsType<RequestFailedException>(refused);
        Assert.Equal(16, small.Length);
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
    }

    [Fact]
    public async Task StreamsOverThePerPeerLimit_AreRefused_WithATypedError()
    {
        var limits = ResourceLimits.Default with { Peer = ResourceLimits.Default.Peer with { InboundStreams = 2 } };
        var (a, b) = await Host.TwoPeersAsync(connect: true, limits);
        using var echo = ServeEcho(b);

        var start = Host.Now;
        var outcome = await Host.RunAsync(async () =>
        {
            var open = new List<IStream>();
            for (int i = 0; i < 2; i++)
            {
                var stream = await a.NewStreamAsync(b.LocalPeer, [Echo]);
                await stream.WriteAsync(new byte[] { 1 });
                await ReadExactlyAsync(stream, new byte[1]);
                open.Add(stream);
            }

            var refused = await Catch(async () =>
            {
                var third = await a.NewStreamAsync(b.LocalPeer, [Echo]);
                await third.WriteAsync(new byte[] { 1 });
                return await third.ReadAsync(new byte[1]);
            });
            return (open.Count, refused);
        });

        // The remote refuses the third stream with a reset carrying the limit's code (0x1002, as
        // go-libp2p's yamux). The fast mode reports it while opening, the real stack on the first
        // read (its open is optimistic: the protocol's proposal goes with the stream's SYN).
        Assert.Equal(2, outcome.Count);
        var reset = Assert.IsType<StreamResetException>(outcome.refused);
        Assert.True(reset.Remote);
        Assert.Equal(0x1002u, reset.Code);
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
        AssertTook(start);
    }

    [Fact]
    public async Task Connectedness_AndTheEventStream_FollowConnectStreamAndClose_InOrder()
    {
        var (a, b) = await Host.TwoPeersAsync(connect: false);
        using var echo = ServeEcho(b);
        using var seen = new EventRecorder(a, Echo);
        using var subscription = a.Events.Subscribe(seen);
        var states = new List<Connectedness> { a.Connectedness(b.LocalPeer) };

        var start = Host.Now;
        await Host.RunAsync(async () =>
        {
            await a.DialPeerAsync(b.LocalPeer);
            states.Add(a.Connectedness(b.LocalPeer));
            var stream = await a.NewStreamAsync(b.LocalPeer, [Echo]);
            await stream.WriteAsync(new byte[] { 42 });
            await stream.CloseWriteAsync();
            await ReadToEndAsync(stream);
            await stream.DisposeAsync();
            await a.ClosePeerAsync(b.LocalPeer);
            states.Add(a.Connectedness(b.LocalPeer));
            return true;
        });
        AssertTook(start);
        await Host.SettleAsync();
        var events = await seen.WaitForAsync(4);

        // Closed gracefully by us: CanConnect (see Connectedness).
        Assert.Equal([Connectedness.NotConnected, Connectedness.Connected, Connectedness.CanConnect], states);
        Assert.Equal(
            ["Connected Outbound", $"StreamOpened {Echo} Outbound", $"StreamClosed {Echo} ", "Disconnected "],
            events);
    }

    /// <summary>Asserts the mode's exact virtual duration of the calling scenario since <paramref name="start"/> (virtual time only).</summary>
    private void AssertTook(DateTimeOffset start, [CallerMemberName] string scenario = "")
    {
        if (!Host.IsVirtual)
        {
            return;
        }

        var took = Host.Now - start;
        Assert.True(Timings.TryGetValue(scenario, out var expected), $"{Host}: no timing for {scenario} (took {took.TotalMilliseconds} ms)");
        Assert.True(expected == took, $"{Host}: {scenario} took {took.TotalMilliseconds} ms, expected {expected.TotalMilliseconds} ms");
    }

    private static async Task<Exception?> Catch<T>(Func<Task<T>> operation)
    {
        try
        {
            await operation();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    /// <summary>
    /// The public event stream as the scenarios compare it: connection events with their direction
    /// or error type, and stream events of one protocol.
    /// </summary>
    private sealed class EventRecorder(INetwork network, string protocol) : IObserver<NetworkEvent>, IDisposable
    {
        private readonly List<string> lines = [];
        private readonly SemaphoreSlim added = new(0);

        public async Task<string[]> WaitForAsync(int count)
        {
            using var bound = new CancellationTokenSource(Patience);
            while (true)
            {
                lock (lines)
                {
                    if (lines.Count >= count)
                    {
                        return [.. lines];
                    }
                }

                await added.WaitAsync(bound.Token);
            }
        }

        public void OnNext(NetworkEvent value)
        {
            string? line = value switch
            {
                Connected c => $"Connected {c.Connection.Direction}",
                Disconnected d => $"Disconnected {d.Error?.GetType().Name}",
                StreamOpened o when o.Stream.Protocol == protocol => $"StreamOpened {o.Stream.Protocol} {o.Stream.Direction}",
                StreamClosed s when s.Stream.Protocol == protocol => $"StreamClosed {s.Stream.Protocol} {s.Error?.GetType().Name}",
                _ => null,
            };
            if (line is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(line);
            }

            added.Release();
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose() => added.Dispose();

        public override string ToString() => network.LocalPeer.ToString();
    }
}
