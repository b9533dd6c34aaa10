using System.Net.Sockets;
using NSec.Cryptography;
using Rx.Network.Identity;
using Rx.Network.Interop.Tests.Fixture;

namespace Rx.Network.Interop.Tests;

/// <summary>
/// Proves the js-libp2p peer and its fixture with js-to-js runs, so that a failing C#-to-js test
/// later points at the C# stack, not at the harness.
/// </summary>
[Trait("Category", "Interop")]
public sealed class JsPeerTests
{
    private const string Seed = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private const int EightMiB = 8 * 1024 * 1024;
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StartListenerAsync_WithSeed_PrintsPeerIdDerivedFromSeedAndLoopbackAddress()
    {
        await using var peer = await JsPeer.StartListenerAsync(Seed);

        // The same Ed25519 key computed on the C# side must give the same peer ID.
        Assert.Equal(PeerIdFromSeed(Seed), peer.PeerId);
        Assert.Equal(peer.PeerId, PeerId.Parse(peer.PeerId).ToString());
        var addr = peer.LoopbackAddr;
        Assert.Matches(@"^/ip4/127\.0\.0\.1/tcp/[1-9][0-9]*/p2p/", addr);
        Assert.EndsWith("/p2p/" + peer.PeerId, addr);
    }

    [Fact]
    public async Task RunDialAsync_JsDialerToJsListener_EveryCheckPasses()
    {
        await using var listener = await JsPeer.StartListenerAsync();
        string[] checks = ["ping", "echo", "streams", "reset", "identify", "wrong-peer", "sink"];

        var result = await JsPeer.RunDialAsync(listener.LoopbackAddr, checks, bytes: EightMiB, streams: 16);

        Assert.True(result.AllPassed, result.Describe());
        Assert.Equal(checks, result.Checks.Select(c => c.Name));
        Assert.Equal(EightMiB, result["echo"].GetInt64("bytes"));
        Assert.Equal(EightMiB, result["sink"].GetInt64("bytes"));
        Assert.Equal(16, result["streams"].GetInt64("streams"));
        Assert.NotNull(result["ping"].GetInt64("rttMs"));
        Assert.Equal("StreamResetError", result["reset"].GetString("remoteResetError"));
        var protocols = result["identify"].GetStrings("protocols");
        Assert.Contains("/ipfs/ping/1.0.0", protocols);
        Assert.Contains("/ipfs/id/1.0.0", protocols);
        Assert.Contains("/echo/1.0.0", protocols);
        Assert.Contains("/sink/1.0.0", protocols);
        Assert.Contains("/reset/1.0.0", protocols);
        Assert.StartsWith("js-libp2p/", result["identify"].GetString("agentVersion"));

        // The listener saw the dialer's abort as a reset, and reset the /reset/1.0.0 stream itself.
        await listener.WaitForEventAsync(
            e => Is(e, "stream-close") && Str(e, "protocol") == "/echo/1.0.0" && Flag(e, "reset"), EventTimeout);
        await listener.WaitForEventAsync(
            e => Is(e, "stream-close") && Str(e, "protocol") == "/reset/1.0.0" && Flag(e, "aborted"), EventTimeout);
    }

    [Fact]
    public async Task RunDialAsync_WrongPeerCheck_DialIsRejectedForPeerIdMismatch()
    {
        await using var listener = await JsPeer.StartListenerAsync(Seed);

        var result = await JsPeer.RunDialAsync(listener.LoopbackAddr, ["wrong-peer"]);

        Assert.True(result.AllPassed, result.Describe());
        var check = result["wrong-peer"];
        Assert.NotEqual(listener.PeerId, check.GetString("dialedPeer"));
        Assert.NotNull(check.GetString("rejectedWith"));
    }

    [Fact]
    public async Task RunDialAsync_NothingListening_ReportsEveryCheckAsFailed()
    {
        var port = FreeLoopbackPort();
        var addr = $"/ip4/127.0.0.1/tcp/{port}/p2p/{PeerIdFromSeed(Seed)}";

        var result = await JsPeer.RunDialAsync(addr, ["ping", "echo"], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(1, result.ExitCode);
        Assert.False(result.AllPassed);
        Assert.Equal(["ping", "echo"], result.Checks.Select(c => c.Name));
        Assert.All(result.Checks, c =>
        {
            Assert.False(c.Ok);
            Assert.StartsWith("dial failed", c.Error);
        });
    }

    [Fact]
    public async Task CloseStandardInput_Listener_ShutsDownAndExitsWithZero()
    {
        await using var listener = await JsPeer.StartListenerAsync();

        listener.CloseStandardInput();

        Assert.Equal(0, await listener.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(listener.Events, e => Is(e, "shutdown") && Str(e, "reason") is "stdin-eof" or "stdin-closed");
    }

    [Fact]
    public async Task DisposeAsync_Listener_StopsListening()
    {
        var listener = await JsPeer.StartListenerAsync();
        var port = PortOf(listener.LoopbackAddr);
        using (var before = new TcpClient())
        {
            await before.ConnectAsync("127.0.0.1", port);
        }

        await listener.DisposeAsync();

        Assert.True(listener.HasExited);
        using var after = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => after.ConnectAsync("127.0.0.1", port));
    }

    [Fact]
    public async Task StartListenerAsync_InvalidArguments_Throw()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => JsPeer.StartListenerAsync(listenAddress: " "));
        await Assert.ThrowsAsync<ArgumentNullException>(() => JsPeer.StartListenerAsync(listenAddress: null!));
    }

    [Fact]
    public async Task RunDialAsync_InvalidArguments_Throw()
    {
        const string addr = "/ip4/127.0.0.1/tcp/1";
        await Assert.ThrowsAsync<ArgumentNullException>(() => JsPeer.RunDialAsync(null!, ["ping"]));
        await Assert.ThrowsAsync<ArgumentException>(() => JsPeer.RunDialAsync("", ["ping"]));
        await Assert.ThrowsAsync<ArgumentNullException>(() => JsPeer.RunDialAsync(addr, null!));
        await Assert.ThrowsAsync<ArgumentException>(() => JsPeer.RunDialAsync(addr, []));
        await Assert.ThrowsAsync<ArgumentException>(() => JsPeer.RunDialAsync(addr, ["ping", " "]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => JsPeer.RunDialAsync(addr, ["echo"], bytes: 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => JsPeer.RunDialAsync(addr, ["streams"], streams: 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => JsPeer.RunDialAsync(addr, ["streams"], streamBytes: 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => JsPeer.RunDialAsync(addr, ["ping"], timeout: TimeSpan.Zero));
    }

    [Fact]
    public async Task WaitForEventAsync_NoSuchEvent_TimesOutWithStderrInMessage()
    {
        await using var listener = await JsPeer.StartListenerAsync();

        var e = await Assert.ThrowsAsync<TimeoutException>(
            () => listener.WaitForEventAsync(_ => false, TimeSpan.FromMilliseconds(200)));
        Assert.Contains("stderr", e.Message);
        await Assert.ThrowsAsync<ArgumentNullException>(() => listener.WaitForEventAsync(null!, EventTimeout));
    }

    /// <summary>The libp2p peer ID of the Ed25519 key whose 32-byte seed is <paramref name="seedHex"/>.</summary>
    private static string PeerIdFromSeed(string seedHex)
    {
        using var key = Key.Import(SignatureAlgorithm.Ed25519, Convert.FromHexString(seedHex), KeyBlobFormat.RawPrivateKey);
        var raw = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        // PublicKey { Type = Ed25519 (1); Data = raw } as protobuf, inside an identity multihash.
        byte[] protobuf = [0x08, 0x01, 0x12, (byte)raw.Length, .. raw];
        byte[] multihash = [0x00, (byte)protobuf.Length, .. protobuf];
        return PeerId.FromBytes(multihash).ToString();
    }

    private static int FreeLoopbackPort()
    {
        var probe = new TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static int PortOf(string multiaddr)
    {
        var parts = multiaddr.Split('/');
        return int.Parse(parts[Array.IndexOf(parts, "tcp") + 1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool Is(System.Text.Json.JsonElement e, string name) => Str(e, "event") == name;

    private static string? Str(System.Text.Json.JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;

    private static bool Flag(System.Text.Json.JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.True;
}
