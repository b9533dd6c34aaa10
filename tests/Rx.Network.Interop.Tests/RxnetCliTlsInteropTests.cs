using Rx.Network.Interop.Tests.Fixture;

namespace Rx.Network.Interop.Tests;

/// <summary>The rxnet CLI with <c>--security tls</c> against js-libp2p 3.x with TLS only, in both directions.</summary>
[Trait("Category", "Interop")]
public sealed class RxnetCliTlsInteropTests
{
    private const int EightMiB = 8 * 1024 * 1024;

    // Quarantined (issue #17 stays open for it): in 1 of 3 full runs on a quiet machine the
    // 200-streams check stalled until its 120 s timeout (the 8 MiB echo before it ran at 17 MB/s,
    // far below the usual), with rxnet dialing js-libp2p over TCP + TLS. The same checks over TLS
    // in the other direction and in-process (TlsInteropTests) pass. Not yet understood: a stall
    // in the TLS byte path's flow control against js-libp2p is the lead. Run it by hand with
    // `dotnet test --filter RxnetDial_JsTlsListener` after removing the Skip.
    [Fact(Skip = "Flaky: 200 streams rxnet → js over TLS stalled in 1 of 3 runs; see the comment and issue #17.")]
    public async Task RxnetDial_JsTlsListener_AllChecksPass()
    {
        await using var js = await JsPeer.StartListenerAsync(security: "tls");

        // A generous per-check timeout: the machine running the suite may be loaded (a timeout is not a speed test).
        var result = await RxnetCli.DialAsync(js.LoopbackAddr, "ping,echo,streams,reset,identify", "--security", "tls", "--bytes", EightMiB.ToString(), "--streams", "200", "--stream-bytes", "4096", "--timeout", "120");

        Assert.True(result.AllPassed, result.Describe());
        Assert.Contains("\"security\":\"/tls/1.0.0\"", result.StandardError, StringComparison.Ordinal);
        Assert.StartsWith("js-libp2p/", result["identify"].GetString("agentVersion"));
        Assert.Equal(EightMiB, result["echo"].GetInt64("bytes"));
        Assert.Equal(200, result["streams"].GetInt64("streams"));
    }

    [Fact]
    public async Task JsTlsDial_RxnetListener_OfferingNoiseThenTls_AllChecksPass()
    {
        // rxnet offers both; js offers only TLS, so multistream-select settles on /tls/1.0.0.
        await using var rxnet = await RxnetCli.ListenAsync("--security", "noise,tls");

        var result = await JsPeer.RunDialAsync(rxnet.Address, ["ping", "echo", "streams", "reset", "identify", "wrong-peer"], bytes: EightMiB, streams: 200, streamBytes: 4096, security: "tls");

        Assert.True(result.AllPassed, result.Describe());
        Assert.StartsWith("rx-network/", result["identify"].GetString("agentVersion"));
    }

    [Fact]
    public async Task RxnetDial_UnknownSecurity_IsAUsageError()
    {
        var result = await RxnetCli.DialAsync("/ip4/127.0.0.1/tcp/1/p2p/12D3KooWM6CgA9iBFZmcYAHA6A2qvbAxqfkmrYiRQuz3XEsk4Ksv", "ping", "--security", "ssl3");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unknown protocol 'ssl3'", result.StandardError, StringComparison.Ordinal);
    }
}
