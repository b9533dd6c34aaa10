using System.Net.Sockets;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Text = System.Text;
using Rx.Network.Addressing;
using Rx.Network.Protocols;
using Rx.Network.Swarm;
using Rx.Network.Tests.Swarm;

namespace Rx.Network.Tests.Reliability;

/// <summary>
/// Hostile input on the WebSocket path of a listening network: each attack closes only its own
/// connection, publishes <see cref="InboundUpgradeFailed"/>, and an honest /ws client is served after it.
/// </summary>
[Collection(ReliabilityGroup.Name)]
public sealed class WebSocketHostileTests
{
    // Short, so that stalled handshakes are dropped quickly; long enough for the honest peers'
    // upgrades on a loaded machine (at 1 s, one was cut off at load 50: the listener reset it).
    private static readonly TimeSpan UpgradeTimeout = TimeSpan.FromSeconds(4);

    private const string ValidRequest = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    [Fact]
    public async Task NonUpgradeRequest_Gets426_AndIsClosed()
    {
        var response = await AttackAsync(Text.Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 426 ", response, StringComparison.Ordinal);
        Assert.Contains("Upgrade: websocket", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongWebSocketVersion_Gets426()
    {
        var response = await AttackAsync(Text.Encoding.ASCII.GetBytes(ValidRequest.Replace("Version: 13", "Version: 8", StringComparison.Ordinal)));
        Assert.StartsWith("HTTP/1.1 426 ", response, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Version: 13", response, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST / HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("not http at all\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n folded: header\r\n\r\n")]
    public async Task MalformedRequest_Gets400(string request)
    {
        var response = await AttackAsync(Text.Encoding.ASCII.GetBytes(request));
        Assert.StartsWith("HTTP/1.1 400 ", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedUpgradeRequest_Gets431_BeforeItsEnd()
    {
        var request = "GET / HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Repeat("X-Filler: " + new string('a', 100) + "\r\n", 400)) + "\r\n";
        var response = await AttackAsync(Text.Encoding.ASCII.GetBytes(request));
        Assert.StartsWith("HTTP/1.1 431 ", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowHeaders_AreCutOffAtTheUpgradeDeadline()
    {
        var response = await AttackAsync(Text.Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n"));
        Assert.Equal("", response);
    }

    [Fact]
    public async Task GarbageFrames_AfterTheUpgrade_CloseTheConnection()
    {
        var garbage = new byte[64];
        new Random(7).NextBytes(garbage);
        garbage[0] = 0xF3; // reserved bits set and an unknown opcode
        var response = await AttackAsync([.. Text.Encoding.ASCII.GetBytes(ValidRequest), .. garbage]);
        Assert.StartsWith("HTTP/1.1 101 ", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnmaskedClientFrame_ClosesTheConnection()
    {
        byte[] frame = [0x82, 0x05, 1, 2, 3, 4, 5]; // binary, not masked: clients must mask
        var response = await AttackAsync([.. Text.Encoding.ASCII.GetBytes(ValidRequest), .. frame]);
        Assert.StartsWith("HTTP/1.1 101 ", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TextFrame_ClosesTheConnection()
    {
        var response = await AttackAsync([.. Text.Encoding.ASCII.GetBytes(ValidRequest), .. MaskedFrame(0x1, "/multistream/1.0.0\n"u8.ToArray())]);
        Assert.StartsWith("HTTP/1.1 101 ", response, StringComparison.Ordinal);
    }

    /// <summary>
    /// Sends <paramref name="bytes"/> to a fresh /ws listener from a raw socket, waits until the
    /// listener drops the connection, checks the event and that an honest client is still served;
    /// returns what the listener answered (its HTTP response head, if any).
    /// </summary>
    private static async Task<string> AttackAsync(byte[] bytes)
    {
        await using var server = await new NetworkBuilder()
            .ListenOn("/ip4/127.0.0.1/tcp/0/ws")
            .WithOptions(o => o with { Upgrade = new UpgradeOptions { Timeout = UpgradeTimeout }, ShutdownTimeout = TimeSpan.FromSeconds(2) })
            .StartAsync();
        var address = server.ListenAddresses[0];
        var failed = server.Events.OfType<InboundUpgradeFailed>().FirstAsync().ToTask();

        string response;
        using (var socket = await SwarmKit.ConnectSilentAsync(address))
        {
            await socket.SendAsync(bytes, SocketFlags.None);
            response = await ReadUntilClosedAsync(socket);
        }

        var e = await failed.WaitAsync(SwarmKit.Wait);
        Assert.Equal(address.DecapsulateCode(MultiaddrProtocol.Tcp.Code), e.RemoteAddress.DecapsulateCode(MultiaddrProtocol.Tcp.Code));
        Assert.True(e.RemoteAddress.Contains(MultiaddrProtocol.Ws));

        // Only that connection: an honest client is served.
        await using var honest = await new NetworkBuilder().StartAsync();
        SwarmKit.Introduce(honest, server);
        await PingService.PingAsync(honest, server.LocalPeer).WaitAsync(SwarmKit.Wait);
        return response;
    }

    private static async Task<string> ReadUntilClosedAsync(Socket socket)
    {
        var all = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(SwarmKit.Wait)) > 0)
            {
                all.Write(buffer, 0, n);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            // Reset rather than closed: dropped all the same.
        }

        var text = Text.Encoding.Latin1.GetString(all.ToArray());
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return end < 0 ? text : text[..(end + 4)];
    }

    private static byte[] MaskedFrame(byte opcode, byte[] payload)
    {
        byte[] mask = [0x11, 0x22, 0x33, 0x44];
        var frame = new List<byte> { (byte)(0x80 | opcode), (byte)(0x80 | payload.Length) };
        frame.AddRange(mask);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ mask[i % 4])));
        return [.. frame];
    }
}
