using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using Rx.Network.Transports;
using static Rx.Network.Tests.Transports.TcpTestKit;

namespace Rx.Network.Tests.Transports;

/// <summary>
/// The TCP transport's bounds on the operating system's queues (issue #18 item 1): the unsent low
/// watermark and the fixed receive buffer on a short path, on both ends of a connection.
/// </summary>
public sealed class KernelQueuesTests
{
    private const int LinuxTcpNotSentLowat = 25;

    [Theory]
    [InlineData(200, 256 * 1024, true)] // 256 KiB covers 10 Gbit/s for up to ~210 µs
    [InlineData(250, 256 * 1024, false)]
    [InlineData(20_000, 256 * 1024, false)] // a WAN path keeps auto-tuning
    [InlineData(20_000, 32 * 1024 * 1024, true)]
    public void ShortPath_IsWhereTheBufferCoversA10GbitPathsBandwidthDelayProduct(int rttMicroseconds, int bufferSize, bool expected)
    {
        Assert.Equal(expected, KernelQueues.IsShortPath(TimeSpan.FromMicroseconds(rttMicroseconds), bufferSize));
    }

    [Fact]
    public async Task Defaults_BoundTheUnsentBytes_OnBothEnds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // TCP_NOTSENT_LOWAT is read back through Linux's option number only
        }

        foreach (var connection in await PairAsync(TcpTransportOptions.Default))
        {
            await using (connection)
            {
                Assert.True(connection.KernelQueueBounds.UnsentLowWatermark);
                Assert.Equal(TcpTransportOptions.DefaultUnsentLowWatermark, ReadLowWatermark(connection.Socket));
            }
        }
    }

    [Fact]
    public async Task AShortPath_FixesTheReceiveBuffer_OnBothEnds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the round trip comes from Linux's TCP_INFO
        }

        // 32 MiB covers a 10 Gbit/s path of up to ~27 ms: loopback's connect round trip, however busy the machine.
        var options = new TcpTransportOptions { ShortPathReceiveBufferSize = 32 * 1024 * 1024 };
        foreach (var connection in await PairAsync(options))
        {
            await using (connection)
            {
                var applied = connection.KernelQueueBounds;
                Assert.NotNull(applied.RoundTrip);
                Assert.True(applied.FixedReceiveBuffer, $"round trip {applied.RoundTrip}");

                // Linux doubles the value for its bookkeeping, capped by net.core.rmem_max.
                int expected = 2 * Math.Min(options.ShortPathReceiveBufferSize, RmemMax());
                Assert.Equal(expected, connection.Socket.ReceiveBufferSize);
            }
        }
    }

    [Fact]
    public async Task Zero_LeavesTheKernelsDefaults()
    {
        var options = new TcpTransportOptions { UnsentLowWatermark = 0, ShortPathReceiveBufferSize = 0 };
        foreach (var connection in await PairAsync(options))
        {
            await using (connection)
            {
                Assert.False(connection.KernelQueueBounds.UnsentLowWatermark);
                Assert.False(connection.KernelQueueBounds.FixedReceiveBuffer);
                if (OperatingSystem.IsLinux())
                {
                    Assert.NotEqual(TcpTransportOptions.DefaultUnsentLowWatermark, ReadLowWatermark(connection.Socket));
                }
            }
        }
    }

    [Fact]
    public void Options_RefuseBoundsTheKernelCannotMean()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpTransportOptions { UnsentLowWatermark = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpTransportOptions { ShortPathReceiveBufferSize = 1024 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpTransportOptions { ShortPathReceiveBufferSize = -1 });
        Assert.Equal(0, new TcpTransportOptions { ShortPathReceiveBufferSize = 0 }.ShortPathReceiveBufferSize);
    }

    private static async Task<TcpConnection[]> PairAsync(TcpTransportOptions options)
    {
        var transport = new TcpTransport(options);
        var listener = await transport.ListenAsync(Any4);
        await using (listener)
        {
            var (dialed, accepted) = await ConnectAsync(transport, listener);
            return [(TcpConnection)dialed, (TcpConnection)accepted];
        }
    }

    private static int ReadLowWatermark(Socket socket)
    {
        Span<byte> value = stackalloc byte[sizeof(int)];
        Assert.Equal(sizeof(int), socket.GetRawSocketOption((int)ProtocolType.Tcp, LinuxTcpNotSentLowat, value));
        return BinaryPrimitives.ReadInt32LittleEndian(value);
    }

    private static int RmemMax() => int.Parse(File.ReadAllText("/proc/sys/net/core/rmem_max").Trim(), CultureInfo.InvariantCulture);
}
