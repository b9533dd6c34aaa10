using BenchmarkDotNet.Attributes;
using Rx.Network.Peerstore;

namespace Rx.Network.Benchmarks.Connection;

/// <summary>
/// Connection and stream set-up over loopback TCP, both ends in this process: a full handshake
/// (TCP connect, multistream-select, Noise XX, yamux) followed by a close, and opening a stream
/// (yamux SYN, multistream-select for the protocol) followed by its close, on a connection that
/// stays up. Identify and ping are off, so nothing else rides on a new connection.
/// </summary>
public class ConnectionBenchmarks
{
    private const string Protocol = "/rxnet/bench/open-close/1.0.0";

    private INetwork listener = null!;
    private INetwork dialer = null!;

    [GlobalSetup(Target = nameof(HandshakeAsync))]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalSetup(Target = nameof(StreamOpenCloseAsync))]
    public void SetupConnected()
    {
        SetupAsync().GetAwaiter().GetResult();
        dialer.DialPeerAsync(listener.LocalPeer).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        dialer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        listener.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>TCP + multistream-select + Noise + yamux, then close (both ends of the handshake run here).</summary>
    [Benchmark(Description = "full handshake (TCP + mss + Noise + yamux) + close")]
    public async Task HandshakeAsync()
    {
        await dialer.DialPeerAsync(listener.LocalPeer);
        await dialer.ClosePeerAsync(listener.LocalPeer);
    }

    /// <summary>Opens a stream on the open connection (SYN, protocol negotiation) and closes it; the handler closes its side too.</summary>
    [Benchmark(Description = "stream open (SYN + mss) + close")]
    public async Task StreamOpenCloseAsync()
    {
        var stream = await dialer.NewStreamAsync(listener.LocalPeer, [Protocol]);
        await stream.DisposeAsync();
    }

    private async Task SetupAsync()
    {
        listener = await new NetworkBuilder().WithoutIdentify().WithoutPing().ListenOn("/ip4/127.0.0.1/tcp/0").StartAsync();
        dialer = await new NetworkBuilder().WithoutIdentify().WithoutPing().StartAsync();
        listener.SetStreamHandler(Protocol, stream => stream.DisposeAsync().AsTask());
        dialer.Peerstore.AddAddresses(listener.LocalPeer, listener.ListenAddresses, AddressTtl.Permanent);
    }
}
