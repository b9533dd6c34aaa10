using System.Text;
using Microsoft.Reactive.Testing;

namespace Rx.Network.Mock.Tests;

/// <summary>Shared helpers for mock network tests.</summary>
internal static class MockKit
{
    public const string Echo = "/test/echo/1.0.0";

    /// <summary>The real-time bound on awaiting something that runs on real time.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    /// <summary>A virtual-time mock network without ping and identify (so only the test's traffic crosses links).</summary>
    public static MockNetwork Quiet(int seed = 42, LinkOptions? link = null) =>
        new(new TestScheduler(), new MockNetworkOptions { Seed = seed, Ping = false, Identify = null, DefaultLink = link ?? LinkOptions.Default });

    /// <summary>Two linked peers of <paramref name="net"/>, connected when asked.</summary>
    public static async Task<(INetwork A, INetwork B, MockLink Link)> TwoPeersAsync(MockNetwork net, LinkOptions? link = null, bool connect = true)
    {
        var a = net.GenPeer();
        var b = net.GenPeer();
        var mockLink = net.LinkPeers(a, b, link);
        if (connect)
        {
            await net.ConnectPeersAsync(a, b);
        }

        return (a, b, mockLink);
    }

    /// <summary>Serves <see cref="Echo"/>: every byte back, then a half-close.</summary>
    public static IDisposable ServeEcho(INetwork peer) => peer.SetStreamHandler(Echo, async stream =>
    {
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, n));
        }

        await stream.CloseWriteAsync();
    });

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

    /// <summary>Reads to the end of the stream; returns the bytes.</summary>
    public static async Task<byte[]> ReadToEndAsync(IStream stream)
    {
        using var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            all.Write(buffer, 0, n);
        }

        return all.ToArray();
    }

    /// <summary>Records every event of the given networks as text lines: time, peer index, event, details.</summary>
    public static EventLog Record(MockNetwork net, params INetwork[] networks) => new(net, networks);

    internal sealed class EventLog : IDisposable
    {
        private readonly List<string> lines = [];
        private readonly List<IDisposable> subscriptions = [];

        public EventLog(MockNetwork net, INetwork[] networks)
        {
            var index = networks.Select((n, i) => (n.LocalPeer, i)).ToDictionary(p => p.LocalPeer, p => p.i);
            for (int i = 0; i < networks.Length; i++)
            {
                int me = i;
                subscriptions.Add(networks[i].Events.Subscribe(e =>
                {
                    var line = new StringBuilder().Append(net.Now.UtcTicks).Append(' ').Append(me).Append(' ').Append(e.GetType().Name);
                    switch (e)
                    {
                        case Connected c:
                            line.Append(' ').Append(index[c.Connection.RemotePeer]).Append(' ').Append(c.Connection.Direction);
                            break;
                        case Disconnected d:
                            line.Append(' ').Append(index[d.Connection.RemotePeer]).Append(' ').Append(d.Error?.GetType().Name);
                            break;
                        case StreamOpened o:
                            line.Append(' ').Append(index[o.Stream.Connection.RemotePeer]).Append(' ').Append(o.Stream.Protocol).Append(' ').Append(o.Stream.Direction);
                            break;
                        case StreamClosed s:
                            line.Append(' ').Append(index[s.Stream.Connection.RemotePeer]).Append(' ').Append(s.Stream.Protocol).Append(' ').Append(s.Error?.GetType().Name);
                            break;
                    }

                    lock (lines)
                    {
                        lines.Add(line.ToString());
                    }
                }));
            }
        }

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (lines)
                {
                    return [.. lines];
                }
            }
        }

        public void Dispose() => subscriptions.ForEach(s => s.Dispose());
    }
}
