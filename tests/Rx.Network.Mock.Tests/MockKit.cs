using System.Reactive.Linq;
using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests;

/// <summary>Shared helpers for mock network tests: a two-peer setup, stream helpers, event logs.</summary>
internal static class MockKit
{
    /// <summary>The real-time bound on awaiting an observation that virtual time has already made due.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    /// <summary>A virtual-time mock network with two linked peers.</summary>
    public static async Task<(MockNetwork Net, INetwork A, INetwork B, MockLink Link)> TwoPeersAsync(
        LinkOptions? link = null, MockNetworkOptions? options = null, bool connect = true)
    {
        var net = new MockNetwork(new TestScheduler(), options ?? new MockNetworkOptions { Seed = 42 });
        var a = net.GenPeer();
        var b = net.GenPeer();
        var mockLink = net.LinkPeers(a.LocalPeer, b.LocalPeer, link);
        if (connect)
        {
            await net.ConnectPeersAsync(a.LocalPeer, b.LocalPeer);
        }

        return (net, a, b, mockLink);
    }

    public static async Task ReadExactlyAsync(IStream stream, Memory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = await stream.ReadAsync(buffer);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            buffer = buffer[n..];
        }
    }

    /// <summary>Reads to the end of the stream; returns the byte count.</summary>
    public static async Task<long> DrainAsync(IStream stream)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        while (await stream.ReadAsync(buffer) is var n and > 0)
        {
            total += n;
        }

        return total;
    }

    /// <summary>Records every event of the given networks, with the index of the network that saw it.</summary>
    public static EventLog Record(params INetwork[] networks) => new(networks);

    internal sealed class EventLog : IDisposable
    {
        private readonly List<(int Peer, NetworkEvent Event)> events = [];
        private readonly List<IDisposable> subscriptions = [];

        public EventLog(INetwork[] networks)
        {
            for (int i = 0; i < networks.Length; i++)
            {
                int peer = i;
                subscriptions.Add(networks[i].Events.Subscribe(e =>
                {
                    lock (events)
                    {
                        events.Add((peer, e));
                    }
                }));
            }
        }

        public IReadOnlyList<(int Peer, NetworkEvent Event)> Events
        {
            get
            {
                lock (events)
                {
                    return [.. events];
                }
            }
        }

        public IEnumerable<T> Of<T>(int peer)
            where T : NetworkEvent => Events.Where(e => e.Peer == peer).Select(e => e.Event).OfType<T>();

        public void Dispose() => subscriptions.ForEach(s => s.Dispose());
    }
}
