using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Rx.Network.Protocols;
using Rx.Network.Tests.Protocols;

namespace Rx.Network.Tests.Swarm;

/// <summary>The <c>Rx.Network</c> meter reports connections, streams, bytes, handshakes and dial failures.</summary>
public sealed class NetworkMetricsTests
{
    [Fact]
    public async Task Meter_ReportsConnectionsStreamsBytesAndHandshakes()
    {
        var totals = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Rx.Network")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => totals.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => totals.AddOrUpdate(instrument.Name, 1, (_, v) => v + 1));
        listener.Start();

        await using (var nodes = await TwoNodes.StartAsync())
        {
            await PingService.PingAsync(nodes.Client, nodes.Server.LocalPeer).WaitAsync(TimeSpan.FromSeconds(30));
        }

        // Other tests may run in parallel and add to the same process-wide meter: check lower bounds.
        Assert.True(totals.GetValueOrDefault("rxnet.connections.opened") >= 2, "connections opened");
        Assert.True(totals.GetValueOrDefault("rxnet.streams.opened") >= 2, "streams opened");
        Assert.True(totals.GetValueOrDefault("rxnet.bytes.out") >= PingService.PayloadSize, "bytes out");
        Assert.True(totals.GetValueOrDefault("rxnet.bytes.in") >= PingService.PayloadSize, "bytes in");
        Assert.True(totals.GetValueOrDefault("rxnet.handshake.duration") >= 2, "handshake durations recorded");
        Assert.True(totals.ContainsKey("rxnet.connections.open"), "open connections gauge");
    }

    [Fact]
    public async Task Meter_CountsDialFailures()
    {
        long failures = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Rx.Network" && instrument.Name == "rxnet.dial.failures")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref failures, value));
        listener.Start();

        await using var client = await new NetworkBuilder().StartAsync();
        using var stranger = Rx.Network.Identity.PrivateKey.Generate();
        var peer = Rx.Network.Identity.PeerId.FromPublicKey(stranger.PublicKey);
        using var dead = new DeadPort();
        client.Peerstore.AddAddresses(peer, [dead.Address], Rx.Network.Peerstore.AddressTtl.Temporary);
        await Assert.ThrowsAsync<DialException>(() => client.DialPeerAsync(peer));

        Assert.True(Interlocked.Read(ref failures) >= 1);
    }
    [Fact]
    public async Task Meter_HandshakeDuration_IsMeasuredOnTheNetworksClock()
    {
        // A clock on which every reading is an hour after the last: a handshake measured on it
        // lasts at least an hour, one measured on the wall clock (or Stopwatch) a few milliseconds.
        var durations = new ConcurrentBag<(double Seconds, string Direction)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Rx.Network" && instrument.Name == "rxnet.handshake.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string direction = string.Empty;
            foreach (var tag in tags)
            {
                if (tag.Key == "direction")
                {
                    direction = tag.Value as string ?? string.Empty;
                }
            }

            durations.Add((value, direction));
        });
        listener.Start();

        var clock = new HourlyClock();
        await using var server = await SwarmKit.StartAsync(b => b.WithTimeProvider(clock));
        await using var client = await SwarmKit.StartAsync(b => b.WithTimeProvider(clock), listen: false);
        await SwarmKit.ConnectAsync(client, server);

        // Other tests record real durations on the same meter in parallel: look for ours only.
        Assert.Contains(durations, d => d.Seconds >= 3600 && d.Direction == nameof(Direction.Outbound));
        Assert.Contains(durations, d => d.Seconds >= 3600 && d.Direction == nameof(Direction.Inbound));
    }

    /// <summary>Timers and wall time as the system's; each timestamp an hour after the previous one.</summary>
    private sealed class HourlyClock : TimeProvider
    {
        private long hours;

        public override long GetTimestamp() => Interlocked.Increment(ref hours) * 3600 * TimestampFrequency;
    }
}
