using Rx.Network.Identity;
using Rx.Network.Interop.Tests.Fixture;

namespace Rx.Network.Interop.Tests;

/// <summary>The rxnet CLI contract against js-libp2p 3.x, in both directions.</summary>
[Trait("Category", "Interop")]
public sealed class RxnetCliInteropTests
{
    private const int EightMiB = 8 * 1024 * 1024;

    [Fact]
    public async Task RxnetDial_JsListener_AllChecksPass()
    {
        await using var js = await JsPeer.StartListenerAsync();

        var result = await RxnetCli.DialAsync(js.LoopbackAddr, "ping,echo,streams,reset,sink,perf,identify", "--bytes", EightMiB.ToString(), "--streams", "200", "--stream-bytes", "4096");

        Assert.True(result.AllPassed, result.Describe());
        Assert.Equal(["ping", "echo", "streams", "reset", "sink", "perf", "identify"], result.Checks.Select(c => c.Name));
        Assert.True(result["perf"].Json.GetProperty("upload_MBps").GetDouble() > 0);
        Assert.True(result["perf"].Json.GetProperty("download_MBps").GetDouble() > 0);
        Assert.StartsWith("js-libp2p/", result["identify"].GetString("agentVersion"));
        Assert.Contains("/echo/1.0.0", result["identify"].GetStrings("protocols"));
        Assert.Equal(EightMiB, result["sink"].GetInt64("bytes"));
        Assert.Equal(EightMiB, result["echo"].GetInt64("bytes"));
        Assert.Equal(200, result["streams"].GetInt64("streams"));
    }

    [Fact]
    public async Task JsDial_RxnetListener_AllChecksPass()
    {
        await using var rxnet = await RxnetCli.ListenAsync();

        var result = await JsPeer.RunDialAsync(rxnet.Address, ["ping", "echo", "streams", "reset", "sink", "perf", "identify", "wrong-peer"], bytes: EightMiB, streams: 200, streamBytes: 4096);

        Assert.True(result.AllPassed, result.Describe());
        Assert.StartsWith("rx-network/", result["identify"].GetString("agentVersion"));
        Assert.Contains("/perf/1.0.0", result["identify"].GetStrings("protocols"));
        Assert.Equal(EightMiB, result["sink"].GetInt64("bytes"));
        Assert.Equal(EightMiB, result["perf"].GetInt64("bytes"));
    }

    [Fact]
    public async Task RxnetDial_RxnetListener_PerfAndSinkPass()
    {
        await using var rxnet = await RxnetCli.ListenAsync();

        var result = await RxnetCli.DialAsync(rxnet.Address, "perf,sink,ping", "--bytes", EightMiB.ToString());

        Assert.True(result.AllPassed, result.Describe());
        Assert.True(result["perf"].Json.GetProperty("upload_MBps").GetDouble() > 0);
        Assert.True(result["perf"].Json.GetProperty("download_MBps").GetDouble() > 0);
        Assert.True(result["perf"].Json.GetProperty("MBps").GetDouble() > 0);
        AssertFirstAndSettledPing(result, pings: 10);
    }

    [Fact]
    public async Task RxnetDial_JsListener_PingReportsFirstAndSettledRtt()
    {
        await using var js = await JsPeer.StartListenerAsync();

        var result = await RxnetCli.DialAsync(js.LoopbackAddr, "ping", "--pings", "5");

        Assert.True(result.AllPassed, result.Describe());
        AssertFirstAndSettledPing(result, pings: 5);
    }

    /// <summary>The ping check's fields: the first RTT (also rttMs, as before), the settled one, the count; no time is asserted.</summary>
    private static void AssertFirstAndSettledPing(JsDialResult result, int pings)
    {
        var ping = result["ping"].Json;
        Assert.Equal(pings, ping.GetProperty("pings").GetInt32());
        Assert.True(ping.GetProperty("firstRttMs").GetDouble() > 0);
        Assert.Equal(ping.GetProperty("firstRttMs").GetDouble(), ping.GetProperty("rttMs").GetDouble());
        Assert.True(ping.GetProperty("settledRttMs").GetDouble() > 0);
    }

    [Fact]
    public async Task RxnetDial_WrongPeerId_FailsTheCheckAndExitsNonZero()
    {
        await using var js = await JsPeer.StartListenerAsync();
        using var stranger = PrivateKey.Generate();
        var address = js.LoopbackAddr[..js.LoopbackAddr.LastIndexOf("/p2p/", StringComparison.Ordinal)] + "/p2p/" + PeerId.FromPublicKey(stranger.PublicKey);

        var result = await RxnetCli.DialAsync(address, "ping", "--timeout", "30");

        Assert.Equal(1, result.ExitCode);
        Assert.False(result["ping"].Ok);
        Assert.Contains("PeerIdMismatch", result.StandardError + result["ping"].Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RxnetListen_WithKey_HasReproduciblePeerId_AndExitsWhenStdinCloses()
    {
        const string seed = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        using var key = PrivateKey.FromSeed(Convert.FromHexString(seed));
        await using var rxnet = await RxnetCli.ListenAsync("--key", seed);

        Assert.Equal(PeerId.FromPublicKey(key.PublicKey).ToString(), rxnet.PeerId);
        Assert.Matches(@"^/ip4/127\.0\.0\.1/tcp/[1-9][0-9]*/p2p/", rxnet.Address);

        rxnet.Process.CloseStandardInput();
        Assert.Equal(0, await rxnet.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task RxnetListen_TcpAndWs_PrintsBoth_AndJsPassesEveryCheckOverWs()
    {
        await using var rxnet = await RxnetCli.ListenAsync("--listen", "/ip4/127.0.0.1/tcp/0", "--listen", "/ip4/127.0.0.1/tcp/0/ws");

        Assert.Equal(2, rxnet.Addresses.Count);
        Assert.Matches(@"^/ip4/127\.0\.0\.1/tcp/[1-9][0-9]*/p2p/", rxnet.Addresses[0]);
        Assert.Matches(@"^/ip4/127\.0\.0\.1/tcp/[1-9][0-9]*/ws/p2p/", rxnet.Addresses[1]);
        var result = await JsPeer.RunDialAsync(rxnet.Addresses[1], ["ping", "echo", "streams", "reset", "sink", "perf", "identify", "wrong-peer"], bytes: EightMiB, streams: 200, streamBytes: 4096);

        Assert.True(result.AllPassed, result.Describe());
        Assert.Equal(EightMiB, result["perf"].GetInt64("bytes"));
    }

    [Fact]
    public async Task RxnetDial_JsWsListener_AllChecksPass()
    {
        await using var js = await JsPeer.StartListenerAsync(listenAddress: "/ip4/127.0.0.1/tcp/0/ws");

        var result = await RxnetCli.DialAsync(js.LoopbackAddr, "ping,echo,streams,reset,sink,perf,identify", "--bytes", EightMiB.ToString(), "--streams", "200", "--stream-bytes", "4096");

        Assert.True(result.AllPassed, result.Describe());
        Assert.Equal(EightMiB, result["echo"].GetInt64("bytes"));
        Assert.Equal(200, result["streams"].GetInt64("streams"));
    }
}
