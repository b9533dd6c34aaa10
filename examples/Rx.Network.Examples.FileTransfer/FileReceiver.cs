using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Security.Cryptography;
using Rx.Network.Encoding;
using Rx.Network.Identity;

namespace Rx.Network.Examples.FileTransfer;

/// <summary>
/// Serves <c>/file/1.0.0</c>: stores the files peers send into one directory, after checking
/// everything the sender claims.
/// </summary>
/// <remarks>
/// <para>Refused before any byte is stored: a name that is not a plain file name (no directories,
/// no <c>..</c>, no control characters), a size above <see cref="MaxFileSize"/>, a name that
/// already exists. Failed after the bytes: fewer or more bytes than announced, a SHA-256 that
/// does not match.</para>
/// <para>The bytes go to a hidden temporary file in the same directory, which is flushed to disk
/// and renamed to its name only once verified, so the name never refers to a partial or corrupt
/// file; the temporary file is deleted on any failure.</para>
/// </remarks>
public sealed class FileReceiver : IDisposable
{
    /// <summary>The default <see cref="MaxFileSize"/>: 1 GiB.</summary>
    public const long DefaultMaxFileSize = 1L << 30;

    private const string TemporaryPrefix = ".rxnet-";
    private const string TemporarySuffix = ".part";

    private static readonly char[] ForbiddenNameCharacters =
        [.. Path.GetInvalidFileNameChars().Union(['/', '\\', ':', '*', '?', '"', '<', '>', '|'])];

    private readonly IDisposable registration;
    private readonly Subject<TransferResult> transfers = new();
    private readonly Lock gate = new();
    private bool disposed;

    /// <summary>Starts receiving files into <paramref name="directory"/> (created if missing).</summary>
    /// <param name="network">The network to serve the protocol on.</param>
    /// <param name="directory">Where files go.</param>
    /// <param name="maxFileSize">The largest file accepted, in bytes.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxFileSize"/> is negative.</exception>
    /// <exception cref="IOException">The directory cannot be created.</exception>
    public FileReceiver(INetwork network, string directory, long maxFileSize = DefaultMaxFileSize)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfNegative(maxFileSize);
        Directory = System.IO.Directory.CreateDirectory(directory).FullName;
        MaxFileSize = maxFileSize;
        registration = network.SetStreamHandler(FileTransferProtocol.Id, ServeAsync);
    }

    /// <summary>The full path of the directory files are stored in.</summary>
    public string Directory { get; }

    /// <summary>The largest file accepted, in bytes.</summary>
    public long MaxFileSize { get; }

    /// <summary>
    /// Hot: one result per incoming transfer, stored or not, published before the sender gets
    /// its final reply. Completes when the receiver is disposed.
    /// </summary>
    public IObservable<TransferResult> Transfers => transfers.AsObservable();

    /// <summary>
    /// Whether <paramref name="name"/> is a plain file name that cannot leave the directory: not
    /// empty, not <c>.</c> or <c>..</c>, no path separators, no characters some file system
    /// forbids, no control characters, no trailing dot or space.
    /// </summary>
    /// <param name="name">A name a peer proposed.</param>
    /// <returns>Whether it is safe to use as a file name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public static bool IsSafeFileName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);

        // Windows forbids more than Linux; forbidding the union keeps a name valid on both, and
        // '\\' matters even here because a name is a file name on the sender's system too.
        return name.Length > 0
            && name is not "." and not ".."
            && name.IndexOfAny(ForbiddenNameCharacters) < 0
            && !name.Any(char.IsControl)
            && !name.EndsWith('.')
            && !name.EndsWith(' ')
            && Path.GetFileName(name) == name;
    }

    /// <summary>Stops serving the protocol and completes <see cref="Transfers"/>; transfers under way finish.</summary>
    public void Dispose()
    {
        registration.Dispose();
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            transfers.OnCompleted();
        }

        transfers.Dispose();
    }

    private async Task ServeAsync(IStream stream)
    {
        var peer = stream.Connection.RemotePeer;

        // The network disposes the stream when this handler returns; the adapter needs no disposal of its own.
        var io = stream.AsStream();
        FileHeader? header = null;
        try
        {
            header = await ReadHeaderAsync(io).ConfigureAwait(false);
            var refusal = Refusal(header);
            if (refusal is not null)
            {
                await FinishAsync(io, new TransferResult(peer, header.Name, header.Size, null, refusal)).ConfigureAwait(false);
                return;
            }

            await FileTransferProtocol.WriteReplyAsync(io, new TransferReply(true, "ready")).ConfigureAwait(false);
            var (path, error) = await ReceiveAsync(stream, header).ConfigureAwait(false);
            await FinishAsync(io, new TransferResult(peer, header.Name, header.Size, path, error)).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            await FinishAsync(io, new TransferResult(peer, header?.Name ?? "", header?.Size ?? 0, null, $"malformed header: {e.Message}")).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // The stream, the connection or the disk failed; the reply is tried but may not get through.
            await FinishAsync(io, new TransferResult(peer, header?.Name ?? "", header?.Size ?? 0, null, $"transfer failed: {e.Message}")).ConfigureAwait(false);
        }
    }

    private static async Task<FileHeader> ReadHeaderAsync(Stream io)
    {
        var payload = await LengthPrefixed.ReadAsync(io, FileHeader.MaxEncodedLength).ConfigureAwait(false)
            ?? throw new WireProtocolViolationException("The stream ended before the header.");
        return FileHeader.Decode(payload);
    }

    private string? Refusal(FileHeader header)
    {
        if (!IsSafeFileName(header.Name))
        {
            return $"refused the name '{header.Name}': only a plain file name is accepted";
        }

        if (header.Size > MaxFileSize)
        {
            return $"refused '{header.Name}': {header.Size} bytes is above the limit of {MaxFileSize}";
        }

        var target = Path.Combine(Directory, header.Name);
        if (File.Exists(target) || System.IO.Directory.Exists(target))
        {
            return $"refused '{header.Name}': it already exists";
        }

        return null;
    }

    /// <summary>Receives the announced bytes into a temporary file and, once verified, renames it.</summary>
    /// <returns>The stored path, or why nothing was stored.</returns>
    /// <exception cref="IOException">The stream, the connection or the disk failed.</exception>
    private async Task<(string? Path, string? Error)> ReceiveAsync(IStream stream, FileHeader header)
    {
        var target = Path.Combine(Directory, header.Name);

        // Same directory, so the final rename is atomic; a random name, so concurrent transfers never share one.
        var temporary = Path.Combine(Directory, TemporaryPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) + TemporarySuffix);
        bool stored = false;
        try
        {
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                var error = await CopyAndHashAsync(stream, file, header).ConfigureAwait(false);
                if (error is not null)
                {
                    return (null, error);
                }

                // Durable before visible: the rename must not publish a name whose bytes are still in a cache.
                await file.FlushAsync().ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temporary, target, overwrite: false);
            }
            catch (IOException) when (File.Exists(target))
            {
                return (null, $"'{header.Name}' appeared while it was being received; not overwritten");
            }

            stored = true;
            return (target, null);
        }
        catch (UnauthorizedAccessException e)
        {
            return (null, $"could not store '{header.Name}': {e.Message}");
        }
        finally
        {
            if (!stored)
            {
                TryDelete(temporary);
            }
        }
    }

    /// <summary>Copies exactly the announced bytes, then checks that the sender stopped and the SHA-256 matches.</summary>
    /// <returns>Why the content is not acceptable, or null.</returns>
    private static async Task<string?> CopyAndHashAsync(IStream stream, FileStream file, FileHeader header)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[FileTransferProtocol.BlockSize];
        long received = 0;
        while (received < header.Size)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, header.Size - received))).ConfigureAwait(false);
            if (read == 0)
            {
                return $"'{header.Name}' ended after {received} of {header.Size} bytes";
            }

            hash.AppendData(buffer, 0, read);
            await file.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
            received += read;
        }

        // The sender half-closes after the last byte; anything more is not what it announced.
        if (await stream.ReadAsync(buffer.AsMemory(0, 1)).ConfigureAwait(false) != 0)
        {
            return $"'{header.Name}' has more than the announced {header.Size} bytes";
        }

        if (!CryptographicOperations.FixedTimeEquals(hash.GetHashAndReset(), header.Sha256.Span))
        {
            return $"checksum mismatch for '{header.Name}': the bytes received do not have the announced SHA-256";
        }

        return null;
    }

    private async Task FinishAsync(Stream io, TransferResult result)
    {
        Publish(result);
        var reply = result.Succeeded
            ? new TransferReply(true, $"stored '{result.Name}' ({result.Size} bytes, SHA-256 verified)")
            : new TransferReply(false, result.Error!);
        try
        {
            await FileTransferProtocol.WriteReplyAsync(io, reply).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The sender is gone; the result is already published.
        }
    }

    private void Publish(TransferResult result)
    {
        // Transfers run concurrently; an observer must see one call at a time.
        lock (gate)
        {
            if (!disposed)
            {
                transfers.OnNext(result);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Nothing more to do; a leftover is hidden and named as temporary.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
