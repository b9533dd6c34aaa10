using CsCheck;
using Rx.Network.Mock.Links;
using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests.Links;

/// <summary>Arrival times depend on how many bytes are sent at which tick, never on how they were cut into writes.</summary>
public sealed partial class LinkDirectionTests
{
    [Fact]
    public void Transmit_ArrivalsDoNotDependOnChunking()
    {
        var bursts = Gen.Select(Gen.Long[0, 20_000], Gen.Int[1, 60_000], Gen.Int[0, 1_000_000]).Array[1, 8];
        var links = Gen.Select(Gen.Long[0, 5_000], Gen.Long[0, 5_000], Gen.Long[1_000, 10_000_000]);

        Gen.Select(bursts, links).Sample(sample =>
        {
            var (plan, (latency, jitter, bandwidth)) = sample;
            var options = new LinkOptions { Latency = TimeSpan.FromTicks(latency), Jitter = TimeSpan.FromTicks(jitter), Bandwidth = bandwidth };

            var whole = Run(plan, options, split: false);
            var cut = Run(plan, options, split: true);

            Assert.Equal(whole, cut);
            Assert.Equal(whole.Order(), whole);
        });
    }

    /// <summary>Sends each burst (after its gap) whole or in random pieces; returns when each burst's last byte arrived.</summary>
    private static List<long> Run((long Gap, int Size, int Seed)[] plan, LinkOptions options, bool split)
    {
        var gate = new object();
        var clock = new TestScheduler();
        var direction = new LinkDirection(gate, clock, seed: 9);
        var lastArrival = new long[plan.Length];
        for (int i = 0; i < plan.Length; i++)
        {
            var (gap, size, seed) = plan[i];
            clock.AdvanceTo(clock.Clock + gap);
            var random = new Random(seed);
            int remaining = size;
            while (remaining > 0)
            {
                int write = split ? Math.Min(remaining, random.Next(1, size + 1)) : remaining;
                remaining -= write;
                while (write > 0)
                {
                    int burst = i;
                    lock (gate)
                    {
                        int take = Math.Min(write, direction.RoomInSegment);
                        direction.Transmit(options, take, () => lastArrival[burst] = Math.Max(lastArrival[burst], clock.Clock));
                        write -= take;
                    }
                }
            }
        }

        clock.Start();
        return [.. lastArrival];
    }
}
