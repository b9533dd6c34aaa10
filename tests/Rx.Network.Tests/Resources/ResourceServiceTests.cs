using System.Net;
using Rx.Network.Resources;
using Rx.Network.Tests.Swarm;

namespace Rx.Network.Tests.Resources;

/// <summary>Services reserving in the resource manager, and its instruments.</summary>
public sealed class ResourceServiceTests
{
    [Fact]
    public async Task RequestReply_RequestBufferBeyondTheStreamBudget_IsRefusedWithTheCode()
    {
        // A stream may hold its 256 KiB window and 256 KiB more: a 100 KiB request fits, 300 KiB does not.
        await using var server = await SwarmKit.StartAsync(b => b.WithResourceLimits(l => l with { Stream = new ScopeLimits { Memory = 512 * 1024 } }));
        await using var client = await SwarmKit.StartAsync(listen: false);
        using var events = new EventRecorder(server);
        using var echo = new Rx.Network.Protocols.RequestReplyService(server, "/rr/1.0.0", (context, _) => Task.FromResult(context.Request));
        var caller = new Rx.Network.Protocols.RequestReplyService(client, "/rr/1.0.0");
        SwarmKit.Introduce(client, server);

        var small = await caller.RequestAsync(server.LocalPeer, new byte[100 * 1024]).WaitAsync(SwarmKit.Wait);
        Assert.Equal(100 * 1024, small.Length);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => caller.RequestAsync(server.LocalPeer, new byte[300 * 1024]).WaitAsync(SwarmKit.Wait));
        var reset = FindInChain<StreamResetException>(error);
        Assert.NotNull(reset);
        Assert.Equal(ResourceLimitExceededException.StreamResetCode, reset!.Code);
        var reached = await events.WaitForAsync<ResourceLimitReached>(e => e.Kind == ScopeKind.Stream);
        Assert.Equal(Resource.Memory, reached.Resource);
        Assert.Equal("/rr/1.0.0", reached.Protocol);
    }

    [Fact]
    public async Task Metrics_RefusalsAreCountedOnTheRxNetworkMeter()
    {
        long refused = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Rx.Network" && instrument.Name == "rxnet.resources.refused")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "scope", Value: "Address" })
                {
                    Interlocked.Add(ref refused, value);
                }
            }
        });
        listener.Start();

        using var manager = new ResourceManager(ResourceLimits.Default with { Ip4Address = new ScopeLimits { PendingConnections = 0 } }, TimeProvider.System, publishPeriodically: false);
        Assert.Null(manager.TryOpenInbound(IPAddress.Parse("192.0.2.99"), out _));
        Assert.True(Interlocked.Read(ref refused) >= 1);
        await Task.CompletedTask;
    }

    private static T? FindInChain<T>(Exception? error)
        where T : Exception
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is T match)
            {
                return match;
            }

            if (error is AggregateException aggregate && aggregate.InnerExceptions.Select(FindInChain<T>).FirstOrDefault(e => e is not null) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }
}
