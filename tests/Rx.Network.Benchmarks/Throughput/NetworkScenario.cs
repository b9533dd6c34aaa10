using Rx.Network.Benchmarks.Support;
using Rx.Network.Muxing;
using Rx.Network.Peerstore;

namespace Rx.Network.Benchmarks.Throughput;

/// <summary>
/// Two full networks over loopback TCP (swarm, multistream-select, security, yamux), one stream
/// between them speaking a sink protocol: the dialer writes, the listener reads and counts.
/// </summary>
public sealed class NetworkScenario : ITransferScenario
{
    /// <summary>The sink protocol: the dialer writes bytes, the listener reads them; nothing comes back.</summary>
    public const string SinkProtocol = "/rxnet/bench/sink/1.0.0";

    private readonly INetwork listener;
    private readonly INetwork dialer;
    private readonly IStream stream;
    private readonly ByteCounter counter;
    private readonly byte[] chunk = Payload.CreateChunk();

    private NetworkScenario(INetwork listener, INetwork dialer, IStream stream, ByteCounter counter)
    {
        this.listener = listener;
        this.dialer = dialer;
        this.stream = stream;
        this.counter = counter;
    }

    /// <summary>Starts both networks and opens the stream.</summary>
    /// <param name="security">The security protocol both sides use (Noise is the builder's default).</param>
    /// <param name="yamux">Yamux options for both sides; the defaults when null.</param>
    public static async Task<NetworkScenario> StartAsync(SecurityProtocol security, YamuxOptions? yamux = null)
    {
        yamux ??= YamuxOptions.Default;
        var listener = await new NetworkBuilder()
            .WithSecurity(security)
            .WithYamux(yamux)
            .ListenOn("/ip4/127.0.0.1/tcp/0")
            .WithoutPing()
            .StartAsync().ConfigureAwait(false);
        var dialer = await new NetworkBuilder().WithSecurity(security).WithYamux(yamux).WithoutPing().StartAsync().ConfigureAwait(false);
        var counter = new ByteCounter();
        listener.SetStreamHandler(SinkProtocol, counter.DrainAsync);
        dialer.Peerstore.AddAddresses(listener.LocalPeer, listener.ListenAddresses, AddressTtl.Permanent);
        var stream = await dialer.NewStreamAsync(listener.LocalPeer, [SinkProtocol]).ConfigureAwait(false);
        return new NetworkScenario(listener, dialer, stream, counter);
    }

    public async Task TransferAsync(long bytes)
    {
        var drained = counter.Expect(bytes);
        for (long sent = 0; sent < bytes; sent += chunk.Length)
        {
            await stream.WriteAsync(chunk).ConfigureAwait(false);
        }

        await drained.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await stream.DisposeAsync().ConfigureAwait(false);
        await dialer.DisposeAsync().ConfigureAwait(false);
        await listener.DisposeAsync().ConfigureAwait(false);
    }
}
