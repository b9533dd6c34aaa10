using System.Buffers;
using Rx.Network.Identity;
using Rx.Network.Mock;

namespace Rx.Network.Examples.Gossip;

/// <summary>
/// The flood's state: who has the message since when, and what was sent. Not synchronized: in
/// virtual time the mock network runs every handler on the one thread that drives it.
/// </summary>
internal sealed class Flood(MockNetwork net, int peerCount)
{
    private readonly Dictionary<PeerId, DateTimeOffset> reached = [];
    private readonly TaskCompletionSource allDelivered = new();
    private DateTimeOffset published;
    private long sent;
    private long duplicates;

    public Task AllDelivered => allDelivered.Task;

    public int Delivered => reached.Count;

    public long Sent => sent;

    public long Duplicates => duplicates;

    public IReadOnlyList<TimeSpan> DeliveryTimes() => [.. reached.Values.Select(t => t - published).Order()];

    public void Start(INetwork origin, byte[] message)
    {
        published = net.Now;
        Reach(origin);
        Forward(origin, message, from: null);
    }

    public async Task ReceiveAsync(INetwork self, IStream stream)
    {
        // Messages are small: read into a pooled buffer, growing it only for a larger one.
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            int length = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer.AsMemory(length)).ConfigureAwait(false)) > 0)
            {
                length += n;
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            if (!Reach(self))
            {
                duplicates++;
                return;
            }

            Forward(self, buffer.AsSpan(0, length).ToArray(), stream.Connection.RemotePeer);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool Reach(INetwork peer)
    {
        if (!reached.TryAdd(peer.LocalPeer, net.Now))
        {
            return false;
        }

        if (reached.Count == peerCount)
        {
            allDelivered.TrySetResult();
        }

        return true;
    }

    private void Forward(INetwork self, byte[] message, PeerId? from)
    {
        foreach (var neighbour in self.Peers)
        {
            if (neighbour != from)
            {
                sent++;
                _ = SendAsync(self, neighbour, message);
            }
        }
    }

    private static async Task SendAsync(INetwork self, PeerId neighbour, byte[] message)
    {
        try
        {
            var stream = await self.NewStreamAsync(neighbour, [GossipSimulation.Protocol]).ConfigureAwait(false);
            await stream.WriteAsync(message).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A neighbour that went away: flooding routes around it.
        }
    }
}
