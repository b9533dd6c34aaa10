using System.Buffers.Binary;
using System.Net.Sockets;

namespace Rx.Network.Transports;

/// <summary>
/// Bounds the bytes the operating system queues for one TCP connection, so that a frame the muxer
/// sends ahead of a bulk stream (a ping, a small request) does not wait behind megabytes the
/// kernel already holds (issue #18 item 1, docs/adr/0005-yamux-session.md "Latency beside bulk").
/// </summary>
/// <remarks>
/// <para>The muxer's writer puts small frames before bulk ones, but only among the frames it still
/// holds. Without these bounds, on a path where the receiver's CPU is the bottleneck (loopback, a
/// fast LAN), Linux auto-tunes the receive buffer to tens of megabytes and the send buffer to
/// 4 MiB: a ping measured 5–9 MB of bulk bytes ahead of it in the two kernels.</para>
/// <para>Two settings, both best effort (a platform without them keeps its own behaviour):</para>
/// <list type="bullet">
/// <item><description><c>TCP_NOTSENT_LOWAT</c> (Linux, macOS): the socket takes more bytes only while
/// fewer than <see cref="TcpTransportOptions.UnsentLowWatermark"/> wait unsent, so bytes not yet on
/// the wire stay in our queues, where priorities apply. It does not limit bytes in flight, so it
/// costs nothing on long paths (HTTP/2 servers set it for the same reason).</description></item>
/// <item><description>A fixed receive buffer (Linux): when the round trip the kernel measured while
/// connecting is so short that <see cref="TcpTransportOptions.ShortPathReceiveBufferSize"/> covers a
/// 10 Gbit/s path's bandwidth-delay product, the buffer is fixed at that size instead of
/// auto-tuned. On such a path a larger window only queues bytes before a busy receiver; on longer
/// paths auto-tuning stays, because the window must cover the round trip.</description></item>
/// </list>
/// </remarks>
internal static class KernelQueues
{
    /// <summary>The line rate whose bandwidth-delay product a fixed receive buffer must cover: 10 Gbit/s in bytes per second.</summary>
    internal const double ShortPathLineRate = 10e9 / 8;

    // linux/tcp.h and netinet/tcp.h: option numbers of IPPROTO_TCP.
    private const int LinuxTcpInfo = 11;
    private const int LinuxTcpNotSentLowat = 25;
    private const int MacTcpNotSentLowat = 0x201;

    // struct tcp_info: tcpi_rtt (smoothed round trip, microseconds) is the u32 at byte 68.
    private const int TcpInfoRttOffset = 68;
    private const int TcpInfoLength = TcpInfoRttOffset + sizeof(uint);

    /// <summary>Applies both bounds to a connected socket; a setting the platform refuses is skipped.</summary>
    /// <returns>What was set, for tests and diagnostics.</returns>
    public static Applied Apply(Socket socket, TcpTransportOptions options)
    {
        bool lowat = options.UnsentLowWatermark > 0 && TrySetUnsentLowWatermark(socket, options.UnsentLowWatermark);
        bool fixedReceive = false;
        var rtt = RoundTrip(socket);
        if (options.ShortPathReceiveBufferSize > 0 && rtt is { } measured && IsShortPath(measured, options.ShortPathReceiveBufferSize))
        {
            fixedReceive = TrySetReceiveBuffer(socket, options.ShortPathReceiveBufferSize);
        }

        return new Applied(lowat, fixedReceive, rtt);
    }

    /// <summary>Whether <paramref name="bufferSize"/> bytes cover the bandwidth-delay product of a 10 Gbit/s path with round trip <paramref name="rtt"/>.</summary>
    internal static bool IsShortPath(TimeSpan rtt, int bufferSize) => rtt.TotalSeconds * ShortPathLineRate <= bufferSize;

    /// <summary>The kernel's smoothed round trip of the connection (Linux), or <see langword="null"/> where it cannot be read.</summary>
    internal static TimeSpan? RoundTrip(Socket socket)
    {
        Span<byte> info = stackalloc byte[TcpInfoLength];
        if (!TryReadTcpInfo(socket, info))
        {
            return null;
        }

        uint micros = BinaryPrimitives.ReadUInt32LittleEndian(info[TcpInfoRttOffset..]);
        return micros == 0 ? null : TimeSpan.FromMicroseconds(micros);
    }

    /// <summary>
    /// Reads the first <c>info.Length</c> bytes of Linux's <c>struct tcp_info</c> for <paramref name="socket"/>;
    /// <see langword="false"/> elsewhere, on a closed socket, or when the kernel returns fewer bytes.
    /// </summary>
    internal static bool TryReadTcpInfo(Socket socket, Span<byte> info)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return socket.GetRawSocketOption((int)ProtocolType.Tcp, LinuxTcpInfo, info) >= info.Length;
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private static bool TrySetUnsentLowWatermark(Socket socket, int bytes)
    {
        int option = OperatingSystem.IsLinux() ? LinuxTcpNotSentLowat : OperatingSystem.IsMacOS() ? MacTcpNotSentLowat : 0;
        if (option == 0)
        {
            return false;
        }

        Span<byte> value = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(value, bytes);
        try
        {
            socket.SetRawSocketOption((int)ProtocolType.Tcp, option, value);
            return true;
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private static bool TrySetReceiveBuffer(Socket socket, int bytes)
    {
        try
        {
            socket.ReceiveBufferSize = bytes;
            return true;
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>What <see cref="Apply"/> set on one socket.</summary>
    /// <param name="UnsentLowWatermark">Whether <c>TCP_NOTSENT_LOWAT</c> was set.</param>
    /// <param name="FixedReceiveBuffer">Whether the receive buffer was fixed (a short path).</param>
    /// <param name="RoundTrip">The kernel's round trip when it was read, if the platform reports one.</param>
    internal readonly record struct Applied(bool UnsentLowWatermark, bool FixedReceiveBuffer, TimeSpan? RoundTrip);
}
