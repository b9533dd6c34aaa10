using Rx.Network.Examples.Gossip;
using Rx.Network.Examples.Tests.Fixture;

namespace Rx.Network.Examples.Tests.Gossip;

/// <summary>The gossip simulation: `dotnet gossip.dll` as a process, and the simulation in-process.</summary>
public sealed class GossipProgramTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly TemporaryDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Gossip_ThousandPeers_ReachesEveryPeerAndWritesTheChart()
    {
        var (exitCode, output) = await ExampleProcess.RunAsync("gossip", temp.Path, "--chart", temp["delivery.png"]);

        Assert.True(exitCode == 0, output);
        Assert.Contains("reached 1000 of 1000 peers", output, StringComparison.Ordinal);
        Assert.Contains("peak working set", output, StringComparison.Ordinal);
        Assert.EndsWith("ok", output.TrimEnd(), StringComparison.Ordinal);
        var png = await File.ReadAllBytesAsync(temp["delivery.png"]);
        Assert.Equal(PngSignature, png.Take(PngSignature.Length));
    }

    [Fact]
    public async Task Gossip_BadOptions_ExitWithTwo()
    {
        var (exitCode, output) = await ExampleProcess.RunAsync("gossip", temp.Path, "--peers", "1");

        Assert.Equal(2, exitCode);
        Assert.Contains("failed:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulation_SameSeed_SameDeliveryTimes()
    {
        var options = new GossipOptions { Peers = 150, Degree = 4, Seed = 9 };

        var first = await GossipSimulation.RunAsync(options);
        var second = await GossipSimulation.RunAsync(options);

        Assert.Equal(150, first.Delivered);
        Assert.Equal(first.DeliveryTimes, second.DeliveryTimes);
        Assert.Equal(first.Sent, second.Sent);
        Assert.Equal(first.Sent, first.Duplicates + first.Delivered - 1);
        Assert.True(first.Completion >= options.MinLatency, $"completion {first.Completion}");
        Assert.Equal(TimeSpan.Zero, first.DeliveryTimes[0]);
    }

    [Fact]
    public async Task Simulation_OtherSeed_OtherDeliveryTimes()
    {
        // The other half of determinism: the seed decides the run (topology, latencies, keys), so
        // equal times under one seed are not times that ignore it.
        var options = new GossipOptions { Peers = 150, Degree = 4, Seed = 9 };

        var first = await GossipSimulation.RunAsync(options);
        var other = await GossipSimulation.RunAsync(options with { Seed = 10 });

        Assert.Equal(150, other.Delivered);
        Assert.NotEqual(first.DeliveryTimes, other.DeliveryTimes);
    }

    [Fact]
    public void Options_OutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GossipOptions { Peers = 1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new GossipOptions { Peers = 5, Degree = 5 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new GossipOptions { MinLatency = TimeSpan.FromSeconds(1), MaxLatency = TimeSpan.Zero }.Validate());
    }

    [Fact]
    public void DeliveryChart_WritesAPng()
    {
        var result = new GossipResult(3, 2, [TimeSpan.Zero, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(25)], 4, 2, TimeSpan.Zero, TimeSpan.Zero, 0);

        DeliveryChart.Save(result, temp["chart.png"]);

        Assert.Equal(PngSignature, File.ReadAllBytes(temp["chart.png"]).Take(PngSignature.Length));
        Assert.Equal(TimeSpan.FromMilliseconds(10), result.Percentile(0.5));
    }
}
