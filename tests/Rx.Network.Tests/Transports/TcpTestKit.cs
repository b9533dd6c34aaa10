using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Rx.Network.Addressing;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Transports;

/// <summary>Loopback helpers for the TCP tests: every port is chosen by the operating system.</summary>
internal static class TcpTestKit
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public static Multiaddr Any4 => Multiaddr.Parse("/ip4/127.0.0.1/tcp/0");

    public static Multiaddr Any6 => Multiaddr.Parse("/ip6/::1/tcp/0");

    public static Multiaddr AnyLoopback(string family) => family == "ip6" ? Any6 : Any4;

    public static int PortOf(Multiaddr address) => ((IPEndPoint)address.ToEndPoint()).Port;

    /// <summary>A dialed connection and the matching accepted one.</summary>
    public static async Task<(IRawConnection Dialed, IRawConnection Accepted)> ConnectAsync(TcpTransport transport, IRawListener listener, Multiaddr? dialAddress = null)
    {
        var accepting = listener.AcceptAsync().AsTask();
        var dialed = await transport.DialAsync(dialAddress ?? listener.LocalAddress).WaitAsync(Wait);
        var accepted = await accepting.WaitAsync(Wait);
        Assert.NotNull(accepted);
        return (dialed, accepted);
    }

    /// <summary>A port on which nothing listens, held by a bound socket so no one else takes it meanwhile.</summary>
    public static Socket BindWithoutListening(IPAddress address, int port = 0)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, port));
        return socket;
    }

    public static async Task WriteAsync(IRawConnection connection, byte[] bytes)
    {
        var flush = await connection.Pipe.Output.WriteAsync(bytes).AsTask().WaitAsync(Wait);
        Assert.False(flush.IsCompleted);
    }

    public static async Task<byte[]> ReadExactlyAsync(PipeReader reader, int count)
    {
        var bytes = new byte[count];
        int got = 0;
        while (got < count)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(Wait);
            var buffer = result.Buffer;
            int take = (int)Math.Min(buffer.Length, count - got);
            buffer.Slice(0, take).CopyTo(bytes.AsSpan(got));
            got += take;
            reader.AdvanceTo(buffer.GetPosition(take));
            if (result.IsCompleted && got < count)
            {
                throw new EndOfStreamException($"Only {got} of {count} bytes arrived.");
            }
        }

        return bytes;
    }

    /// <summary>Reads until the remote's half-close.</summary>
    public static async Task<byte[]> ReadToEndAsync(PipeReader reader)
    {
        var all = new List<byte>();
        while (true)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(Wait);
            all.AddRange(result.Buffer.ToArray());
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return [.. all];
            }
        }
    }
}
