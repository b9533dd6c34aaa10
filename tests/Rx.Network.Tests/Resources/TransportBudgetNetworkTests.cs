using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Security.Cryptography;
using Rx.Network.Resources;
using Rx.Network.Swarm;
using Rx.Network.Tests.Swarm;

namespace Rx.Network.Tests.Resources;

/// <summary>Two networks whose transport buffers cannot grow beyond their floors: slower, never stuck.</summary>
public sealed class TransportBudgetNetworkTests
{
    private const string Echo = "/echo/1.0.0";

    private static ResourceLimits Limits(ResourceLimits l) => l with { RefusalReportInterval = TimeSpan.Zero, PublishInterval = TimeSpan.FromMilliseconds(20) };

    [Fact]
    public async Task Swarm_TransportGrowthRefusedOnBothEnds_EchoWindowUpdatesAndPingsStillFlow_AndUsageReturnsToZero()
    {
        await using var server = await SwarmKit.StartAsync(b => b.WithResourceLimits(Limits));
        await using var client = await SwarmKit.StartAsync(b => b.WithResourceLimits(Limits), listen: false);
        server.SetStreamHandler(Echo, async stream =>
        {
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read));
            }

            await stream.CloseWriteAsync();
        });
        using var serverEvents = new EventRecorder(server);
        using var clientEvents = new EventRecorder(client);

        var connection = (SwarmConnection)await SwarmKit.ConnectAsync(client, server);
        var stream = await client.NewStreamAsync(server.LocalPeer, [Echo]).WaitAsync(SwarmKit.Wait);
        var session = connection.Session;
        await session.PingAsync().WaitAsync(SwarmKit.Wait);

        // The outbound connection counts in the dialer's address scope (the remote's /32).
        var clientManager = (ResourceManager)client.Resources;
        Assert.Equal(1, clientManager.SystemUsage.OutboundConnections);
        await client.Resources.Scopes.Watch("address:127.0.0.1/32")
            .Select(change => change.Current.Usage)
            .FirstAsync(usage => usage.OutboundConnections == 1 && usage.Memory > 0)
            .ToTask()
            .WaitAsync(SwarmKit.Wait);

        // From here neither end's system budget has a byte left: every transport buffer keeps to
        // its floor (windows already granted stay, their growth is refused too).
        var held = new[] { Exhaust((ResourceManager)server.Resources), Exhaust(clientManager) };
        try
        {
            var payload = RandomNumberGenerator.GetBytes(4 << 20);
            var writing = Task.Run(async () =>
            {
                await stream.WriteAsync(payload);
                await stream.CloseWriteAsync();
            });

            // A ping crosses the connection while the transfer keeps it busy in both directions.
            var echoed = new MemoryStream();
            var buffer = new byte[64 * 1024];
            int read;
            bool pinged = false;
            while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(SwarmKit.Wait)) > 0)
            {
                echoed.Write(buffer, 0, read);
                if (!pinged && echoed.Length > payload.Length / 2)
                {
                    await session.PingAsync().WaitAsync(SwarmKit.Wait);
                    pinged = true;
                }
            }

            await writing.WaitAsync(SwarmKit.Wait);
            Assert.True(pinged);
            Assert.Equal(payload, echoed.ToArray());
            await session.PingAsync().WaitAsync(SwarmKit.Wait);

            // The transports asked and were refused (reported like every refusal: no protocol).
            bool TransportRefusal(ResourceLimitReached e) => e.Resource == Resource.Memory && e.Protocol is null && e.Kind == ScopeKind.System;
            Assert.Contains(serverEvents.Events.Concat(clientEvents.Events).OfType<ResourceLimitReached>(), TransportRefusal);
        }
        finally
        {
            foreach (var release in held)
            {
                release();
            }
        }

        await stream.DisposeAsync();
        await client.ClosePeerAsync(server.LocalPeer);
        foreach (var network in new[] { server, client })
        {
            await network.Resources.Scopes.Watch("system")
                .Select(change => change.Current.Usage)
                .FirstAsync(usage => usage.IsZero)
                .ToTask()
                .WaitAsync(SwarmKit.Wait);
            Assert.True(network.Resources.SystemUsage.IsZero, $"still held: {network.Resources.SystemUsage}");
        }
    }

    /// <summary>Reserves whatever the system scope has left; returns how to give it back.</summary>
    private static Action Exhaust(ResourceManager manager)
    {
        var system = manager.SystemScope;
        long taken = 0;
        for (int attempt = 0; attempt < 100; attempt++)
        {
            long free = manager.Limits.System.Memory - system.Used(Resource.Memory);
            if (free <= 0 || system.TryAdd(Resource.Memory, free))
            {
                taken += Math.Max(0, free);
                break;
            }
        }

        return () => system.Subtract(Resource.Memory, taken);
    }
}
