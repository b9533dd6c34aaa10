using Rx.Network.Protocols;

namespace Rx.Network.Tests.Protocols;

public sealed class PerfServiceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RunAsync_MovesTheRequestedBytesBothWays()
    {
        await using var nodes = await TwoNodes.StartAsync();
        using var perf = new PerfService(nodes.Server);
        var reported = new List<long>();

        var result = await PerfService.RunAsync(nodes.Client, nodes.Server.LocalPeer, 3_000_000, 5_000_000, new SyncProgress(reported.Add)).WaitAsync(Timeout);

        Assert.Equal(3_000_000, result.UploadBytes);
        Assert.Equal(5_000_000, result.DownloadBytes);
        Assert.True(result.UploadTime > TimeSpan.Zero && result.DownloadTime > TimeSpan.Zero);
        Assert.True(result.UploadMegabytesPerSecond > 0 && result.DownloadMegabytesPerSecond > 0);
        Assert.Equal(8_000_000, reported[^1]);
    }

    [Fact]
    public async Task RunAsync_ZeroBytes_Works()
    {
        await using var nodes = await TwoNodes.StartAsync();
        using var perf = new PerfService(nodes.Server);

        var result = await PerfService.RunAsync(nodes.Client, nodes.Server.LocalPeer, 0, 0).WaitAsync(Timeout);

        Assert.Equal(0, result.DownloadBytes);
    }

    [Fact]
    public async Task RunAsync_NotServed_ThrowsNegotiationException()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var perf = new PerfService(nodes.Server);
        perf.Dispose();

        await Assert.ThrowsAsync<NegotiationException>(() => PerfService.RunAsync(nodes.Client, nodes.Server.LocalPeer, 1, 1).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Arguments_AreChecked()
    {
        await using var nodes = await TwoNodes.StartAsync();
        Assert.Throws<ArgumentNullException>(() => new PerfService(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => PerfService.RunAsync(null!, nodes.Server.LocalPeer, 1, 1));
        await Assert.ThrowsAsync<ArgumentNullException>(() => PerfService.RunAsync(nodes.Client, null!, 1, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => PerfService.RunAsync(nodes.Client, nodes.Server.LocalPeer, -1, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => PerfService.RunAsync(nodes.Client, nodes.Server.LocalPeer, 1, PerfService.MaxDownloadBytes + 1));
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool, which would race the assertion).</summary>
    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
