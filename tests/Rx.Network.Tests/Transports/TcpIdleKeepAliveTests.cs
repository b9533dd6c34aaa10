using Microsoft.Extensions.Time.Testing;
using Rx.Network.Identity;
using Rx.Network.Muxing;
using Rx.Network.Security;
using Rx.Network.Tests.Muxing;
using Rx.Network.Transports;
using static Rx.Network.Tests.Transports.TcpTestKit;

namespace Rx.Network.Tests.Transports;

/// <summary>
/// An idle TCP connection waits for bytes with a zero-byte receive and holds no receive segment
/// (issue #18): yamux keep-alives must still cross it both ways, and a silent peer still be found dead.
/// </summary>
public sealed class TcpIdleKeepAliveTests : IAsyncLifetime
{
    private static readonly PublicKey KeyA = PrivateKey.FromSeed(new byte[32]).PublicKey;
    private static readonly PublicKey KeyB = PrivateKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray()).PublicKey;

    private readonly TcpTransport transport = new();
    private IRawListener listener = null!;

    public async Task InitializeAsync() => listener = await transport.ListenAsync(Any4);

    public async Task DisposeAsync() => await listener.DisposeAsync();

    [Fact]
    public async Task IdleConnection_AnswersKeepAlivePings()
    {
        var (dialed, accepted) = await ConnectAsync(transport, listener);
        var options = new YamuxOptions { PingOnStart = false, KeepAliveInterval = TimeSpan.FromMilliseconds(20), PingTimeout = TimeSpan.FromSeconds(10) };
        var pinging = new YamuxSession(Channel(dialed, KeyA, KeyB), isInitiator: true, options);
        var answering = new YamuxSession(Channel(accepted, KeyB, KeyA), isInitiator: false, new YamuxOptions { PingOnStart = false, KeepAliveInterval = null });
        try
        {
            // Nothing but keep-alives crosses: each side's receive pump is back in its zero-byte
            // receive between them. A measured round trip is an answered ping.
            await Poll.UntilAsync(() => pinging.Rtt > TimeSpan.Zero);
            Assert.False(pinging.Completion.IsCompleted);
            Assert.False(answering.Completion.IsCompleted);
        }
        finally
        {
            await CloseAsync(pinging, answering);
        }
    }

    [Fact]
    public async Task IdleConnection_SilentPeer_EndsTheSessionAtThePingTimeout()
    {
        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await using (accepted)
        {
            var time = new FakeTimeProvider();
            var options = new YamuxOptions { PingOnStart = false, KeepAliveInterval = TimeSpan.FromSeconds(30), PingTimeout = TimeSpan.FromSeconds(10) };
            var session = new YamuxSession(Channel(dialed, KeyA, KeyB), isInitiator: true, options, time);
            try
            {
                // The peer's socket stays open but nothing answers: the ping arrives there...
                time.Advance(TimeSpan.FromSeconds(30));
                var ping = await ReadExactlyAsync(accepted.Pipe.Input, YamuxHeader.Size);
                Assert.Equal((byte)YamuxFrameType.Ping, ping[1]);

                // ...and the unanswered ping ends the session.
                time.Advance(TimeSpan.FromSeconds(10));
                await Assert.ThrowsAsync<TimeoutException>(() => session.Completion.WaitAsync(Wait));
            }
            finally
            {
                session.Abort(new OperationCanceledException("test over"));
            }
        }
    }

    private static SecureChannel Channel(IRawConnection connection, PublicKey local, PublicKey remote) =>
        new(connection.Pipe, PassThroughCodec.Instance, PassThroughCodec.Instance, new SecureSession(PeerId.FromPublicKey(local), PeerId.FromPublicKey(remote), remote, "/plaintext/2.0.0", null), TaskScheduler.Default, owner: connection);

    private static async Task CloseAsync(params YamuxSession[] sessions)
    {
        foreach (var session in sessions)
        {
            session.Abort(new OperationCanceledException("test over"));
        }

        await Task.WhenAll(sessions.Select(s => s.Completion.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(Wait);
    }
}
