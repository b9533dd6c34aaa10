using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using Rx.Network.Swarm;

namespace Rx.Network.Tests.Swarm;

public partial class SwarmNetworkTests
{
    [Fact]
    public void ConnectionLimits_RateSettings_RejectOutOfRangeValues()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConnectionLimits { InboundPerIpPerSecond = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConnectionLimits { InboundPerIpBurst = 0 });
        Assert.Equal(64, ConnectionLimits.Default.InboundPerIpPerSecond);
        Assert.Equal(256, ConnectionLimits.Default.InboundPerIpBurst);
    }

    [Fact]
    public async Task RateLimit_ConnectionsBeyondTheBurst_AreRefusedBeforeTheHandshake_CountedAndReported()
    {
        long refusedByRate = 0;
        using var meter = new MeterListener();
        meter.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Rx.Network" && instrument.Name == "rxnet.connections.refused")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meter.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "limit", Value: nameof(ConnectionLimits.InboundPerIpPerSecond) })
                {
                    Interlocked.Add(ref refusedByRate, value);
                }
            }
        });
        meter.Start();

        var time = new FakeTimeProvider();
        await using var b = await SwarmKit.StartAsync(x => x
            .WithTimeProvider(time)
            .WithLimits(new ConnectionLimits { InboundPerIpPerSecond = 1, InboundPerIpBurst = 2 }));
        using var events = new EventRecorder(b);
        await using var a1 = await SwarmKit.StartAsync(listen: false);
        await using var a2 = await SwarmKit.StartAsync(listen: false);
        await using var a3 = await SwarmKit.StartAsync(listen: false);
        await SwarmKit.ConnectAsync(a1, b);
        await SwarmKit.ConnectAsync(a2, b);

        // The third from the same address within the same (virtual) second is over the rate.
        SwarmKit.Introduce(a3, b);
        await Assert.ThrowsAsync<DialException>(() => a3.DialPeerAsync(b.LocalPeer).WaitAsync(Wait));
        var refused = await events.WaitForAsync<InboundRefused>();
        Assert.Equal(nameof(ConnectionLimits.InboundPerIpPerSecond), refused.Reason.Limit);
        Assert.Equal(1, refused.Reason.Value);
        Assert.True(Interlocked.Read(ref refusedByRate) >= 1);
        Assert.Equal(2, b.Connections.Count);

        // A token returns after a second; the refusal left no backoff on b's side to wait for.
        time.Advance(TimeSpan.FromSeconds(1));
        await using var a4 = await SwarmKit.StartAsync(listen: false);
        await SwarmKit.ConnectAsync(a4, b);
        Assert.Equal(3, b.Connections.Count);
    }

    [Fact]
    public async Task Limits_MaxInbound_RefusalIsAnEvent()
    {
        await using var b = await SwarmKit.StartAsync(Limits(new ConnectionLimits { MaxInbound = 1 }));
        using var events = new EventRecorder(b);
        await using var a1 = await SwarmKit.StartAsync(listen: false);
        await using var a2 = await SwarmKit.StartAsync(listen: false);
        await SwarmKit.ConnectAsync(a1, b);

        SwarmKit.Introduce(a2, b);
        await Assert.ThrowsAsync<DialException>(() => a2.DialPeerAsync(b.LocalPeer).WaitAsync(Wait));
        var refused = await events.WaitForAsync<InboundRefused>();
        Assert.Equal(nameof(ConnectionLimits.MaxInbound), refused.Reason.Limit);
        Assert.DoesNotContain(events.Events.OfType<Connected>(), c => c.Connection.RemotePeer == a2.LocalPeer);
    }
}
