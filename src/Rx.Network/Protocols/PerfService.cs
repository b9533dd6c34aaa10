using System.Buffers;
using System.Buffers.Binary;
using Rx.Network.Identity;
using Rx.Network.Swarm;

namespace Rx.Network.Protocols;

/// <summary>
/// The libp2p perf protocol (<c>/perf/1.0.0</c>,
/// <see href="https://github.com/libp2p/specs/blob/master/perf/perf.md">spec</see>): the client
/// sends an 8-byte big-endian count of bytes it wants back, uploads its payload and half-closes;
/// the server drains the upload, sends the requested count of bytes, and closes.
/// </summary>
public sealed class PerfService : IDisposable
{
    /// <summary>The protocol id.</summary>
    public const string ProtocolId = "/perf/1.0.0";

    /// <summary>The buffer size used to move bytes; large enough to fill yamux frames.</summary>
    private const int BlockSize = 64 * 1024;

    /// <summary>The most bytes the server agrees to send back for one request (16 GiB), so a request cannot tie it up for ever.</summary>
    public const long MaxDownloadBytes = 16L << 30;

    private readonly IDisposable registration;

    /// <summary>Serves perf on <paramref name="network"/> until disposed.</summary>
    /// <param name="network">The network.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    public PerfService(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        registration = network.SetStreamHandler(ProtocolId, ServeAsync);
    }

    /// <summary>Stops serving perf.</summary>
    public void Dispose() => registration.Dispose();

    /// <summary>
    /// Runs one perf exchange with <paramref name="peer"/>: uploads <paramref name="uploadBytes"/>,
    /// then downloads <paramref name="downloadBytes"/>, timing each phase.
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="peer">The peer, which must serve <c>/perf/1.0.0</c>.</param>
    /// <param name="uploadBytes">Bytes to send.</param>
    /// <param name="downloadBytes">Bytes to ask for.</param>
    /// <param name="progress">Receives the bytes moved so far (upload, then download), if given.</param>
    /// <param name="time">The clock for the timings; the network's <see cref="INetwork.TimeProvider"/> when null.</param>
    /// <param name="cancellationToken">Cancels the exchange (the stream is reset).</param>
    /// <returns>The bytes moved and the time each phase took.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A byte count is negative or the download is above <see cref="MaxDownloadBytes"/>.</exception>
    /// <exception cref="WireProtocolViolationException">The server sent a different number of bytes.</exception>
    /// <exception cref="IOException">The stream or connection failed.</exception>
    public static async Task<PerfResult> RunAsync(
        INetwork network,
        PeerId peer,
        long uploadBytes,
        long downloadBytes,
        IProgress<long>? progress = null,
        TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentOutOfRangeException.ThrowIfNegative(uploadBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(downloadBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(downloadBytes, MaxDownloadBytes);
        time ??= network.TimeProvider;
        var stream = await network.NewStreamAsync(peer, [ProtocolId], cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            long started = time.GetTimestamp();
            BinaryPrimitives.WriteUInt64BigEndian(buffer, (ulong)downloadBytes);
            await stream.WriteAsync(buffer.AsMemory(0, 8), cancellationToken).ConfigureAwait(false);
            buffer.AsSpan(0, BlockSize).Clear();
            for (long sent = 0; sent < uploadBytes;)
            {
                int size = (int)Math.Min(BlockSize, uploadBytes - sent);
                await stream.WriteAsync(buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
                sent += size;
                progress?.Report(sent);
            }

            await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);

            // The server answers only once it has drained the upload, so the upload ends when the
            // first byte of the answer (or its end) arrives, not when our writes were accepted.
            TimeSpan? uploadTime = null;
            long downloadStarted = 0;
            long received = 0;
            int read;
            while (true)
            {
                read = await stream.ReadAsync(buffer.AsMemory(0, BlockSize), cancellationToken).ConfigureAwait(false);
                if (uploadTime is null)
                {
                    uploadTime = time.GetElapsedTime(started);
                    downloadStarted = time.GetTimestamp();
                }

                if (read == 0)
                {
                    break;
                }

                received += read;
                if (received > downloadBytes)
                {
                    throw new WireProtocolViolationException($"The perf server sent more than the {downloadBytes} bytes asked for.");
                }

                progress?.Report(uploadBytes + received);
            }

            if (received != downloadBytes)
            {
                throw new WireProtocolViolationException($"The perf server sent {received} of the {downloadBytes} bytes asked for.");
            }

            return new PerfResult(uploadBytes, downloadBytes, uploadTime.Value, time.GetElapsedTime(downloadStarted));
        }
        catch
        {
            stream.Reset();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task ServeAsync(IStream stream)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            int header = 0;
            while (header < 8)
            {
                int n = await stream.ReadAsync(buffer.AsMemory(header, 8 - header)).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new WireProtocolViolationException("The perf request ended before its 8-byte length.");
                }

                header += n;
            }

            ulong requested = BinaryPrimitives.ReadUInt64BigEndian(buffer);
            if (requested > MaxDownloadBytes)
            {
                throw new WireProtocolViolationException($"The perf request asks for {requested} bytes, above the limit of {MaxDownloadBytes}.");
            }

            // Drain the upload until the client half-closes.
            while (await stream.ReadAsync(buffer.AsMemory(0, BlockSize)).ConfigureAwait(false) > 0)
            {
            }

            buffer.AsSpan(0, BlockSize).Clear();
            for (long sent = 0; sent < (long)requested;)
            {
                int size = (int)Math.Min(BlockSize, (long)requested - sent);
                await stream.WriteAsync(buffer.AsMemory(0, size)).ConfigureAwait(false);
                sent += size;
            }

            await stream.CloseWriteAsync().ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
