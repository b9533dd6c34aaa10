using System.Diagnostics;
using System.Security.Cryptography;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;

namespace Rx.Network.PerfTool.Attacks;

/// <summary>One honest round: <see cref="HonestPeer.PingsPerRound"/> pings, then 1 MiB echoed.</summary>
/// <param name="Ok">All went through, the echo byte for byte.</param>
/// <param name="Pings">The pings' RTTs, in order.</param>
/// <param name="Echo">How long the 1 MiB echo took.</param>
/// <param name="Error">Why the round failed, when it did.</param>
internal sealed record HonestRound(bool Ok, IReadOnlyList<TimeSpan> Pings, TimeSpan Echo, string? Error);

/// <summary>
/// An honest node (default options, from 127.0.0.1) that keeps using the listener during an attack:
/// every period, a few pings (each on a new stream, as <see cref="PingService.PingAsync"/> does) and a
/// 1 MiB echo over its one connection. Several pings a round make the p50 a median of tens of samples
/// rather than of the handful of rounds an attack lasts.
/// </summary>
internal sealed class HonestPeer : IAsyncDisposable
{
    public const int EchoBytes = 1024 * 1024;

    /// <summary>Pings per round.</summary>
    public const int PingsPerRound = 5;

    private static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(30);

    private readonly INetwork network;
    private readonly PeerId target;
    private readonly List<HonestRound> rounds = [];

    private HonestPeer(INetwork network, PeerId target)
    {
        this.network = network;
        this.target = target;
    }

    public IReadOnlyList<HonestRound> Rounds
    {
        get
        {
            lock (rounds)
            {
                return [.. rounds];
            }
        }
    }

    public static async Task<HonestPeer> StartAsync(PeerId target, Multiaddr address)
    {
        var network = await new NetworkBuilder().StartAsync().ConfigureAwait(false);
        network.Peerstore.AddAddresses(target, [address], AddressTtl.Permanent);
        return new HonestPeer(network, target);
    }

    /// <summary>One round, recorded in <see cref="Rounds"/>.</summary>
    public async Task<HonestRound> RoundAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RoundTimeout);
        HonestRound round;
        try
        {
            var pings = new TimeSpan[PingsPerRound];
            for (int i = 0; i < pings.Length; i++)
            {
                pings[i] = await PingService.PingAsync(network, target, cancellationToken: timeout.Token).ConfigureAwait(false);
            }

            long started = Stopwatch.GetTimestamp();
            await EchoAsync(timeout.Token).ConfigureAwait(false);
            round = new HonestRound(true, pings, Stopwatch.GetElapsedTime(started), null);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or WireProtocolViolationException or NegotiationException or TimeoutException or InvalidDataException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            round = new HonestRound(false, [], TimeSpan.Zero, $"{e.GetType().Name}: {e.Message}");
        }

        lock (rounds)
        {
            rounds.Add(round);
        }

        return round;
    }

    /// <summary>Rounds every <paramref name="period"/> (from the start of one to the next) until <paramref name="stop"/>.</summary>
    public async Task RunAsync(TimeSpan period, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                long started = Stopwatch.GetTimestamp();
                await RoundAsync(stop).ConfigureAwait(false);
                var rest = period - Stopwatch.GetElapsedTime(started);
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest, stop).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public ValueTask DisposeAsync() => network.DisposeAsync();

    private async Task EchoAsync(CancellationToken cancellationToken)
    {
        var payload = RandomNumberGenerator.GetBytes(EchoBytes);
        var stream = await network.NewStreamAsync(target, [WindowFill.Echo], cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var writing = Task.Run(
                async () =>
                {
                    await stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
                    await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
                },
                cancellationToken);
            var echoed = new byte[EchoBytes];
            int received = 0;
            while (received < EchoBytes)
            {
                int read = await stream.ReadAsync(echoed.AsMemory(received), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new InvalidDataException($"The echo ended after {received} of {EchoBytes} bytes.");
                }

                received += read;
            }

            await writing.ConfigureAwait(false);
            if (!echoed.AsSpan().SequenceEqual(payload))
            {
                throw new InvalidDataException("The echo returned other bytes.");
            }
        }
    }
}
