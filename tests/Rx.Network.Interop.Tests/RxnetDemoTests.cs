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
}
