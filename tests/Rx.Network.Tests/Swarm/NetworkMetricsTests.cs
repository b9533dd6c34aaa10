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

    [Fact]
    public async Task Meter_CountsBytesMovedThroughAsStreamAndAsPipe()
    {
        // Sizes no other test writes or reads in one call, so parallel tests cannot be mistaken for ours.
        const int ViaStream = 3331;
        const int ViaPipe = 3329;
        var measurements = new ConcurrentBag<(string Name, long Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Rx.Network" && instrument.Name is "rxnet.bytes.in" or "rxnet.bytes.out")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measurements.Add((instrument.Name, value)));
        listener.Start();

        await using var server = await SwarmKit.StartAsync();
        await using var client = await SwarmKit.StartAsync(listen: false);
        var received = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.SetStreamHandler("/count/stream", async stream =>
        {
            await using var adapter = stream.AsStream();
            var buffer = new byte[64 * 1024];
            int total = 0;
            int read;
            while ((read = await adapter.ReadAsync(buffer)) > 0)
            {
                total += read;
            }

            received.TrySetResult(total);
        });
        var piped = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.SetStreamHandler("/count/pipe", async stream =>
        {
            var pipe = stream.AsPipe();
            long total = 0;
            while (true)
            {
                var result = await pipe.Input.ReadAsync();
                total += result.Buffer.Length;
                pipe.Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            await pipe.Input.CompleteAsync();
            await pipe.Output.CompleteAsync();
            piped.TrySetResult(total);
        });
        await SwarmKit.ConnectAsync(client, server);

        var viaStream = await client.NewStreamAsync(server.LocalPeer, ["/count/stream"]).WaitAsync(SwarmKit.Wait);
        await using (var adapter = viaStream.AsStream())
        {
            await adapter.WriteAsync(new byte[ViaStream]);
        }

        Assert.Equal(ViaStream, await received.Task.WaitAsync(SwarmKit.Wait));

        var viaPipe = await client.NewStreamAsync(server.LocalPeer, ["/count/pipe"]).WaitAsync(SwarmKit.Wait);
        var clientPipe = viaPipe.AsPipe();
        await clientPipe.Output.WriteAsync(new byte[ViaPipe]);
        await clientPipe.Output.CompleteAsync();
        await clientPipe.Input.CompleteAsync();
        Assert.Equal(ViaPipe, await piped.Task.WaitAsync(SwarmKit.Wait));

        // One frame each: written in one call and read in one call on the other side.
        Assert.Contains(("rxnet.bytes.out", (long)ViaStream), measurements);
        Assert.Contains(("rxnet.bytes.in", (long)ViaStream), measurements);
        Assert.Contains(("rxnet.bytes.out", (long)ViaPipe), measurements);
        Assert.Contains(("rxnet.bytes.in", (long)ViaPipe), measurements);
    }

    /// <summary>Timers and wall time as the system's; each timestamp an hour after the previous one.</summary>
    private sealed class HourlyClock : TimeProvider
    {
        private long hours;

        public override long GetTimestamp() => Interlocked.Increment(ref hours) * 3600 * TimestampFrequency;
    }
}
