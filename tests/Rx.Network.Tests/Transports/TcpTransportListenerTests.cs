using System.Net.Sockets;
using Rx.Network.Transports;
using static Rx.Network.Tests.Transports.TcpTestKit;

namespace Rx.Network.Tests.Transports;

public class TcpTransportListenerTests
{
    private static int RawOption(Socket socket, int name)
    {
        var value = new byte[4];
        socket.GetRawSocketOption(1, name, value); // SOL_SOCKET on Linux
        return BitConverter.ToInt32(value);
    }

    [Fact]
    public async Task ListenAsync_SetsOptions_ReuseAddrButNotReusePortAndNoDelay()
    {
        var transport = new TcpTransport();
        await using var listener = (TcpTransportListener)await transport.ListenAsync(Any6);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(1, RawOption(listener.Socket, 2)); // SO_REUSEADDR
            Assert.Equal(0, RawOption(listener.Socket, 15)); // SO_REUSEPORT: no silent port sharing
        }

        Assert.False(listener.Socket.DualMode);

        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await using (dialed)
        await using (accepted)
        {
            Assert.True(((TcpConnection)dialed).Socket.NoDelay);
            Assert.True(((TcpConnection)accepted).Socket.NoDelay);
        }
    }

    [Fact]
    public async Task DisposeAsync_EndsPendingAcceptAndRefusesNewDials()
    {
        var transport = new TcpTransport();
        var listener = await transport.ListenAsync(Any4);
        var accepting = listener.AcceptAsync().AsTask();
        Assert.False(accepting.IsCompleted);

        await listener.DisposeAsync();
        Assert.Null(await accepting.WaitAsync(Wait));
        Assert.Null(await listener.AcceptAsync().AsTask().WaitAsync(Wait));

        var e = await Assert.ThrowsAsync<TransportException>(() => transport.DialAsync(listener.LocalAddress).WaitAsync(Wait));
        Assert.Equal(SocketError.ConnectionRefused, e.SocketError);
        await listener.DisposeAsync(); // idempotent
    }

    [Fact]
    public async Task DisposeAsync_AcceptedConnectionsLiveOn()
    {
        var transport = new TcpTransport();
        var listener = await transport.ListenAsync(Any4);
        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await listener.DisposeAsync();
        await using (dialed)
        await using (accepted)
        {
            await WriteAsync(accepted, [42]);
            Assert.Equal([42], await ReadExactlyAsync(dialed.Pipe.Input, 1));
        }
    }

    [Fact]
    public async Task AcceptAsync_Canceled_ThrowsAndListenerStaysUsable()
    {
        var transport = new TcpTransport();
        await using var listener = await transport.ListenAsync(Any4);
        using var cts = new CancellationTokenSource();
        var accepting = listener.AcceptAsync(cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting.WaitAsync(Wait));

        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await dialed.DisposeAsync();
        await accepted.DisposeAsync();
    }

    [Fact]
    public async Task AcceptAsync_SeveralDials_EachAcceptedOnce()
    {
        var transport = new TcpTransport();
        await using var listener = await transport.ListenAsync(Any6);
        var dials = Enumerable.Range(0, 5).Select(_ => transport.DialAsync(listener.LocalAddress)).ToArray();
        var accepted = new List<IRawConnection>();
        for (int i = 0; i < dials.Length; i++)
        {
            accepted.Add((await listener.AcceptAsync().AsTask().WaitAsync(Wait))!);
        }

        var dialed = await Task.WhenAll(dials).WaitAsync(Wait);
        Assert.Equal(
            dialed.Select(d => d.LocalAddress).OrderBy(a => a.ToString()),
            accepted.Select(a => a.RemoteAddress).OrderBy(a => a.ToString()));
        foreach (var c in dialed.Concat(accepted))
        {
            await c.DisposeAsync();
        }
    }
}
