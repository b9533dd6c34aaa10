using Rx.Network.Interop.Tests.Fixture;

namespace Rx.Network.Interop.Tests;

/// <summary><c>rxnet demo</c>, the README's first command, run as a new user would (output not a terminal).</summary>
public sealed class RxnetDemoTests
{
    [Fact]
    public async Task Demo_RunsEveryStep_AndExitsZeroWithinAMinute()
    {
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(
            "dotnet", [Path.Combine(AppContext.BaseDirectory, "rxnet.dll"), "demo"], AppContext.BaseDirectory, TimeSpan.FromMinutes(1));

        Assert.True(exitCode == 0, $"exit {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Contains("connected 5 nodes in a ring", stdout);
        Assert.Contains("ping:", stdout);
        Assert.Contains("identify:", stdout);
        Assert.Contains("request/reply: \"hello, rx.network\" -> \"HELLO, RX.NETWORK\"", stdout);
        Assert.Contains("perf:", stdout);
        Assert.Contains("summary: 7 steps passed", stdout);
    }

    [Fact]
    public async Task DemoMock_RunsEveryStepInVirtualTime_WithTheLinksExactFigures()
    {
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(
            "dotnet", [Path.Combine(AppContext.BaseDirectory, "rxnet.dll"), "demo", "--mock"], AppContext.BaseDirectory, TimeSpan.FromMinutes(1));

        Assert.True(exitCode == 0, $"exit {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Contains("connected 5 nodes in a ring", stdout);

        // 20 ms links: a ping is two latencies plus 1.28 µs of 32 bytes each way at 50 MB/s, every run.
        Assert.Contains("ping: 5 round trips, average 40.001 ms", stdout);
        Assert.Contains("echo: 1,048,576 of 1,048,576 bytes came back", stdout);
        Assert.Contains("request/reply: \"hello, rx.network\" -> \"HELLO, RX.NETWORK\"", stdout);
        Assert.Contains("summary: 7 steps passed in", stdout);
        Assert.Contains("of virtual time", stdout);
    }
}
