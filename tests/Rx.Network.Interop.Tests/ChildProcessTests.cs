using Rx.Network.Interop.Tests.Fixture;

namespace Rx.Network.Interop.Tests;

[Trait("Category", "Interop")]
public sealed class ChildProcessTests
{
    private static string WorkDir => JsPeerEnvironment.PeerDirectory;

    [Fact]
    public void Start_MissingExecutable_ThrowsNamingWhatToInstall()
    {
        var e = Assert.Throws<InvalidOperationException>(
            () => ChildProcess.Start("rxnet-no-such-tool-" + Guid.NewGuid().ToString("N"), [], WorkDir));

        Assert.Contains("Node.js", e.Message);
    }

    [Fact]
    public async Task RunAsync_Command_ReturnsExitCodeAndBothOutputs()
    {
        var (code, stdout, stderr) = await ChildProcess.RunAsync(
            "node", ["-e", "console.log('out'); console.error('err'); process.exit(7)"], WorkDir, TimeSpan.FromSeconds(60));

        Assert.Equal(7, code);
        Assert.Equal("out\n", stdout);
        Assert.Equal("err\n", stderr);
    }

    [Fact]
    public async Task RunAsync_CommandOutlivesTimeout_KillsItAndThrows()
    {
        var e = await Assert.ThrowsAsync<TimeoutException>(() => ChildProcess.RunAsync(
            "node", ["-e", "setTimeout(() => {}, 600000)"], WorkDir, TimeSpan.FromSeconds(2)));

        Assert.Contains("killed", e.Message);
    }

    [Fact]
    public async Task DisposeAsync_ChildIgnoringStdin_IsKilled()
    {
        var child = ChildProcess.Start("node", ["-e", "process.stdin.resume(); process.stdin.on('end', () => {}); setInterval(() => {}, 1000)"], WorkDir);

        await child.DisposeAsync();

        Assert.True(child.HasExited);
    }
}
