using Rx.Network.Mock.Links;
using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests.Links;

public sealed partial class LinkDirectionTests
{
    private readonly object gate = new();
    private readonly TestScheduler scheduler = new();
    private readonly List<(string Name, long Tick)> arrivals = [];

    [Fact]
    public void Transmit_ArrivesAfterTheLatency()
    {
        var direction = Create();

        Send(direction, new LinkOptions { Latency = TimeSpan.FromTicks(100) }, 10, "a");
        scheduler.AdvanceTo(99);
        Assert.Empty(arrivals);
        scheduler.AdvanceTo(1000);

        Assert.Equal([("a", 100L)], arrivals);
    }

    [Fact]
    public void Transmit_ZeroLatencyStillGoesThroughTheScheduler()
    {
        var direction = Create();

        Send(direction, LinkOptions.Default, 10, "a");

        Assert.Empty(arrivals);
        scheduler.AdvanceTo(1);
        Assert.Equal([("a", 1L)], arrivals);
    }

    [Fact]
    public void Transmit_SerializesAtTheBandwidthInSegments()
    {
        var direction = Create();
        var options = new LinkOptions { Bandwidth = 1_000_000, Latency = TimeSpan.FromTicks(5) };
        int remaining = 40_000;
        int piece = 0;

        while (remaining > 0)
        {
            int take = Math.Min(remaining, direction.RoomInSegment);
            Send(direction, options, take, $"p{piece++}");
            remaining -= take;
        }

        scheduler.Start();

        // One microsecond a byte: each segment arrives when its last byte is through.
        Assert.Equal([("p0", 163_845L), ("p1", 327_685L), ("p2", 400_005L)], arrivals);
    }

    [Fact]
    public void Transmit_SameTickIsOneBurstWhateverTheChunking()
    {
        var options = new LinkOptions { Bandwidth = 1000, Latency = TimeSpan.FromTicks(7) };
        var whole = Create();
        Send(whole, options, 1000, "whole");
        scheduler.Start();
        var expected = arrivals[0].Tick;
        arrivals.Clear();

        var other = new TestScheduler();
        var split = new LinkDirection(gate, other, seed: 1);
        SendOn(split, other, options, 300, "first");
        SendOn(split, other, options, 700, "second");
        other.Start();

        Assert.Equal([("first", expected), ("second", expected)], arrivals);
    }

    [Fact]
    public void Transmit_LaterBurstWaitsForTheLinkToBeFree()
    {
        var direction = Create();
        var options = new LinkOptions { Bandwidth = 1000 };

        Send(direction, options, 500, "first");
        scheduler.AdvanceTo(TimeSpan.FromMilliseconds(100).Ticks);
        Send(direction, options, 500, "second");
        scheduler.Start();

        Assert.Equal([("first", TimeSpan.FromMilliseconds(500).Ticks), ("second", TimeSpan.FromSeconds(1).Ticks)], arrivals);
    }

    [Fact]
    public void Transmit_JitterNeverReordersAndRepeatsWithTheSeed()
    {
        var options = new LinkOptions { Latency = TimeSpan.FromTicks(1000), Jitter = TimeSpan.FromTicks(5000) };

        var first = Run(seed: 5);
        var again = Run(seed: 5);
        var other = Run(seed: 6);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(first.Order(), first);
        Assert.All(first.Select((tick, i) => tick - (i * 100)), delay => Assert.InRange(delay, 1000, 6000));

        List<long> Run(int seed)
        {
            var clock = new TestScheduler();
            var direction = new LinkDirection(gate, clock, seed);
            var ticks = new List<long>();
            for (int i = 0; i < 20; i++)
            {
                clock.AdvanceTo(i * 100);
                lock (gate)
                {
                    direction.Transmit(options, 1, () => ticks.Add(clock.Clock));
                }
            }

            clock.Start();
            return ticks;
        }
    }

    [Fact]
    public void Release_SendsWhatWasHeldFromThatMoment()
    {
        var direction = Create();
        var down = new LinkOptions { Latency = TimeSpan.FromTicks(10), Down = true };

        Send(direction, down, 5, "a");
        Send(direction, down, 5, "b");
        scheduler.AdvanceTo(500);
        Assert.Empty(arrivals);
        Assert.Equal(2, direction.HeldCount);

        lock (gate)
        {
            direction.Release(down with { Down = false });
        }

        scheduler.Start();
        Assert.Equal([("a", 510L), ("b", 510L)], arrivals);
        Assert.Equal(0, direction.HeldCount);
    }

    [Fact]
    public void Clear_DropsWhatWasHeld()
    {
        var direction = Create();

        Send(direction, new LinkOptions { Down = true }, 5, "a");
        lock (gate)
        {
            direction.Clear();
            direction.Release(LinkOptions.Default);
        }

        scheduler.Start();
        Assert.Empty(arrivals);
    }

    private LinkDirection Create() => new(gate, scheduler, seed: 1);

    private void Send(LinkDirection direction, LinkOptions options, int size, string name) => SendOn(direction, scheduler, options, size, name);

    private void SendOn(LinkDirection direction, TestScheduler clock, LinkOptions options, int size, string name)
    {
        lock (gate)
        {
            direction.Transmit(options, size, () => arrivals.Add((name, clock.Clock)));
        }
    }
}
