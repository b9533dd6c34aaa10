using Rx.Network.Packaging.Tests.Fixture;

namespace Rx.Network.Packaging.Tests;

/// <summary>The rxnet .NET tool, installed from the packed folder alone, runs.</summary>
[Collection(PackagedRepositoryGroup.Name)]
public sealed class ToolPackageTests(PackedRepository packed)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Tool_InstalledFromThePackedFolder_RunsTheMockDemo()
    {
        // No feed but the packed folder (--add-source): a tool package carries its dependencies.
        var feed = IsolatedFeed.Create(packed, "tool", sources: false);
        var tools = Path.Combine(feed.Directory, "tools");

        (await DotnetCommand.RunAsync(feed.Directory, CommandTimeout, feed.Environment,
            "tool", "install", "--tool-path", tools, "--add-source", packed.Packages,
            "--configfile", feed.ConfigFile, "--version", packed.Version, "rxnet")).EnsureSuccess();
        string rxnet = Path.Combine(tools, OperatingSystem.IsWindows() ? "rxnet.exe" : "rxnet");
        Assert.True(File.Exists(rxnet), $"{rxnet} was not installed");

        var version = (await DotnetCommand.RunProgramAsync(rxnet, feed.Directory, CommandTimeout, feed.Environment, "--version")).EnsureSuccess();
        Assert.StartsWith(packed.Version, version.Output.Trim(), StringComparison.Ordinal);

        var demo = (await DotnetCommand.RunProgramAsync(rxnet, feed.Directory, CommandTimeout, feed.Environment, "demo", "--mock")).EnsureSuccess();
        Assert.Contains("connected 5 nodes in a ring", demo.Output, StringComparison.Ordinal);
        Assert.Contains("request/reply: \"hello, rx.network\" -> \"HELLO, RX.NETWORK\"", demo.Output, StringComparison.Ordinal);
        Assert.Contains("7 steps passed", demo.Output, StringComparison.Ordinal);
    }
}
