using Rx.Network.Interop.Tests.Fixture;

namespace Rx.Network.Interop.Tests;

[Trait("Category", "Interop")]
public sealed class JsPeerEnvironmentTests
{
    [Fact]
    public void PeerDirectory_FromBaseDirectory_FindsRepositoryAndPeerScript()
    {
        Assert.True(File.Exists(Path.Combine(JsPeerEnvironment.RepositoryRoot, "RxNet.sln")));
        Assert.True(File.Exists(JsPeerEnvironment.PeerScript));
        Assert.True(File.Exists(Path.Combine(JsPeerEnvironment.PeerDirectory, "package-lock.json")));
    }

    [Fact]
    public async Task EnsureInstalledAsync_CalledConcurrently_InstallsPinnedLibp2p()
    {
        await Task.WhenAll(
            JsPeerEnvironment.EnsureInstalledAsync(),
            JsPeerEnvironment.EnsureInstalledAsync(),
            JsPeerEnvironment.EnsureInstalledAsync());

        var manifest = Path.Combine(JsPeerEnvironment.PeerDirectory, "node_modules", "libp2p", "package.json");
        Assert.True(File.Exists(manifest));
        Assert.Contains("\"version\": \"3.3.11\"", await File.ReadAllTextAsync(manifest));
    }
}
