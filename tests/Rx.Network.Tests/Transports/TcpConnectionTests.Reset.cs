using System.Net;
using System.Net.Sockets;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Transports;

// Regression: a reset that a send reported first used to read as a clean end of stream (the kernel
// reports the error once; the receive that follows returns 0), so an abortively closed connection
// looked gracefully closed (Disconnected without error, the peer CanConnect).
public sealed class TcpConnectionResetTests
{
    [Fact]
    public async Task WasReset_ResetConsumedBySend_IsStillAReset()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // TCP_INFO is Linux's; elsewhere the check answers false by design.
        }

        var (client, server) = await PairAsync();
        using (client)
        using (server)
        {
            client.Close(0);
            await AwaitReadableAsync(server);

            // The send takes the pending error (or succeeds into the void); the receive then sees 0.
            try
            {
                server.Send(new byte[1]);
                server.Send(new byte[1]);
            }
            catch (SocketException)
            {
            }

            Assert.Equal(0, ReceiveOrZero(server));
            Assert.True(TcpConnection.WasReset(server, sentFin: false));
        }
    }

    [Fact]
    public async Task WasReset_GracefulClose_IsNotAReset()
    {
        var (client, server) = await PairAsync();
        using (client)
        using (server)
        {
            client.Shutdown(SocketShutdown.Send);
            await AwaitReadableAsync(server);
            Assert.Equal(0, server.Receive(new byte[16]));
            Assert.False(TcpConnection.WasReset(server, sentFin: false));

            // After our own FIN the state reaches CLOSE gracefully too: not taken for a reset.
            server.Shutdown(SocketShutdown.Send);
            Assert.False(TcpConnection.WasReset(server, sentFin: true));
        }
    }

    private static int ReceiveOrZero(Socket socket)
    {
        try
        {
            return socket.Receive(new byte[16]);
        }
        catch (SocketException)
        {
            // The reset was reported here instead: a second receive reads 0.
            return socket.Receive(new byte[16]);
        }
    }

    private static async Task AwaitReadableAsync(Socket socket)
    {
        // Poll with a timeout is an awaited signal (readability), bounded; it never sleeps blindly.
        await Task.Run(() => Assert.True(socket.Poll(TimeSpan.FromSeconds(10), SelectMode.SelectRead)));
    }

    private static async Task<(Socket Client, Socket Server)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accepting = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        return (client, await accepting.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
