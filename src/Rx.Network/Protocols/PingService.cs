using System.Reactive.Linq;
using System.Security.Cryptography;
using Rx.Network.Identity;
using Rx.Network.Swarm;

namespace Rx.Network.Protocols;

/// <summary>
/// The libp2p ping protocol (<c>/ipfs/ping/1.0.0</c>,
/// <see href="https://github.com/libp2p/specs/blob/master/ping/ping.md">spec</see>): the client
/// sends 32 random bytes, the server echoes them; repeated on one stream.
/// </summary>
/// <remarks>
/// Serving ping matters for interop: js-libp2p pings every connection every 10 s and closes the
/// connection when a ping fails. RTTs are measured on the network's <see cref="TimeProvider"/> and
/// recorded in the peer store's latency average.
/// </remarks>
public sealed class PingService : IDisposable
{
    /// <summary>The protocol id.</summary>
    public const string ProtocolId = "/ipfs/ping/1.0.0";

    /// <summary>The size of a ping payload.</summary>
    public const int PayloadSize = 32;

    private readonly INetwork network;
    private readonly TimeProvider time;
    private readonly IDisposable registration;

    /// <summary>Serves ping on <paramref name="network"/> until disposed.</summary>
    /// <param name="network">The network.</param>
    /// <param name="time">The clock for RTTs; the network's <see cref="INetwork.TimeProvider"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    public PingService(INetwork network, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        this.network = network;
        this.time = time ?? network.TimeProvider;
        registration = network.SetStreamHandler(ProtocolId, ServeAsync);
    }

    /// <summary>Pings <paramref name="peer"/> once (dialing if needed) and returns the round-trip time.</summary>
    /// <param name="peer">The peer.</param>
    /// <param name="cancellationToken">Cancels the ping.</param>
    /// <returns>The RTT.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/> is null.</exception>
    /// <exception cref="WireProtocolViolationException">The echo did not match.</exception>
    /// <exception cref="IOException">The stream or connection failed.</exception>
    public Task<TimeSpan> PingAsync(PeerId peer, CancellationToken cancellationToken = default) =>
        PingAsync(network, peer, time, cancellationToken);

    /// <summary>
    /// Pings <paramref name="peer"/> once through <paramref name="network"/> (dialing if needed),
    /// whether or not this node serves ping itself. Like js-libp2p: write 32 bytes, half-close,
    /// read the echo, so the remote's handler ends and frees its stream slot.
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="peer">The peer.</param>
    /// <param name="time">The clock for the RTT; the network's clock when null.</param>
    /// <param name="cancellationToken">Cancels the ping.</param>
    /// <returns>The RTT.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="WireProtocolViolationException">The echo did not match.</exception>
    /// <exception cref="IOException">The stream or connection failed.</exception>
    public static async Task<TimeSpan> PingAsync(INetwork network, PeerId peer, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(peer);
        var stream = await network.NewStreamAsync(peer, [ProtocolId], cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await PingOnceAsync(network, stream, time ?? network.TimeProvider, halfClose: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Cold: on subscribe, opens one ping stream and pings every <paramref name="interval"/>
    /// (on <paramref name="scheduler"/>), emitting each RTT; errors when a ping fails.
    /// </summary>
    /// <param name="peer">The peer.</param>
    /// <param name="interval">Time between pings.</param>
    /// <param name="scheduler">Where the interval is timed; the default scheduler when null.</param>
    /// <returns>The RTTs.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is not positive.</exception>
    public IObservable<TimeSpan> Ping(PeerId peer, TimeSpan interval, System.Reactive.Concurrency.IScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return Observable.FromAsync(ct => network.NewStreamAsync(peer, [ProtocolId], ct))
            .SelectMany(stream => Observable.Interval(interval, scheduler ?? System.Reactive.Concurrency.DefaultScheduler.Instance)
                .StartWith(0)
                .Select(_ => Observable.FromAsync(ct => PingOnceAsync(network, stream, time, halfClose: false, ct)))
                .Concat()
                .Finally(stream.Reset));
    }

    /// <summary>Stops serving ping.</summary>
    public void Dispose() => registration.Dispose();

    private static async Task<TimeSpan> PingOnceAsync(INetwork network, IStream stream, TimeProvider time, bool halfClose, CancellationToken cancellationToken)
    {
        var payload = RandomNumberGenerator.GetBytes(PayloadSize);
        var echo = new byte[PayloadSize];
        long started = time.GetTimestamp();
        await stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
        if (halfClose)
        {
            await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
        }

        await ReadExactlyAsync(stream, echo, cancellationToken).ConfigureAwait(false);
        var rtt = time.GetElapsedTime(started);
        if (!payload.AsSpan().SequenceEqual(echo))
        {
            throw new WireProtocolViolationException("The ping echo does not match the payload.");
        }

        network.Peerstore.RecordLatency(stream.Connection.RemotePeer, rtt);
        return rtt;
    }

    private static async Task ServeAsync(IStream stream)
    {
        var buffer = new byte[PayloadSize];
        while (true)
        {
            int read = 0;
            while (read < PayloadSize)
            {
                int n = await stream.ReadAsync(buffer.AsMemory(read)).ConfigureAwait(false);
                if (n == 0)
                {
                    // The client is done; a partial payload is simply dropped, as go-libp2p does.
                    await stream.CloseWriteAsync().ConfigureAwait(false);
                    return;
                }

                read += n;
            }

            await stream.WriteAsync(buffer).ConfigureAwait(false);
        }
    }

    private static async Task ReadExactlyAsync(IStream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            int n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new WireProtocolViolationException("The stream ended before the ping echo was complete.");
            }

            buffer = buffer[n..];
        }
    }
}
