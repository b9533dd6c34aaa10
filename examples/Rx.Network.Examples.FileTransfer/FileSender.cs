using System.Buffers;
using Rx.Network.Encoding;
using Rx.Network.Identity;

namespace Rx.Network.Examples.FileTransfer;

/// <summary>Sends files to a peer that runs a <see cref="FileReceiver"/> (<c>/file/1.0.0</c>).</summary>
public static class FileSender
{
    /// <summary>Sends the file at <paramref name="path"/> under its file name.</summary>
    /// <param name="network">Our network; it must know an address of <paramref name="peer"/>.</param>
    /// <param name="peer">The receiver.</param>
    /// <param name="path">The file.</param>
    /// <param name="progress">Receives the count of bytes sent so far, if given; called on the sending thread.</param>
    /// <param name="cancellationToken">Cancels the transfer (the stream is reset; the receiver keeps nothing).</param>
    /// <returns>The receiver's confirmation.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or its file name is too long.</exception>
    /// <exception cref="FileTransferException">The receiver refused the file or could not verify it.</exception>
    /// <exception cref="DialException">The receiver could not be reached.</exception>
    /// <exception cref="NegotiationException">The peer does not receive files.</exception>
    /// <exception cref="WireProtocolViolationException">The receiver's replies are malformed.</exception>
    /// <exception cref="IOException">The file cannot be read, or the stream or connection failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async Task<string> SendFileAsync(
        INetwork network, PeerId peer, string path, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(peer);
        var header = await FileHeader.FromFileAsync(path, cancellationToken).ConfigureAwait(false);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            return await SendAsync(network, peer, header, file, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Announces <paramref name="header"/> and, once accepted, sends <paramref name="content"/>
    /// to its end. The receiver judges the header against the bytes: content shorter or longer
    /// than announced, or with another SHA-256, is refused.
    /// </summary>
    /// <param name="network">Our network; it must know an address of <paramref name="peer"/>.</param>
    /// <param name="peer">The receiver.</param>
    /// <param name="header">What to announce.</param>
    /// <param name="content">The bytes, read from the current position to the end.</param>
    /// <param name="progress">Receives the count of bytes sent so far, if given; called on the sending thread.</param>
    /// <param name="cancellationToken">Cancels the transfer (the stream is reset; the receiver keeps nothing).</param>
    /// <returns>The receiver's confirmation.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="FileTransferException">The receiver refused the file or could not verify it.</exception>
    /// <exception cref="DialException">The receiver could not be reached.</exception>
    /// <exception cref="NegotiationException">The peer does not receive files.</exception>
    /// <exception cref="WireProtocolViolationException">The receiver's replies are malformed.</exception>
    /// <exception cref="IOException"><paramref name="content"/> cannot be read, or the stream or connection failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async Task<string> SendAsync(
        INetwork network, PeerId peer, FileHeader header, Stream content, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(content);
        var stream = await network.NewStreamAsync(peer, [FileTransferProtocol.Id], cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                var io = stream.AsStream();
                await LengthPrefixed.WriteAsync(io, header.Encode(), cancellationToken).ConfigureAwait(false);
                var ready = await FileTransferProtocol.ReadReplyAsync(io, cancellationToken).ConfigureAwait(false);
                if (!ready.Ok)
                {
                    throw new FileTransferException(ready.Message);
                }

                await CopyAsync(content, stream, progress, cancellationToken).ConfigureAwait(false);
                await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
                var done = await FileTransferProtocol.ReadReplyAsync(io, cancellationToken).ConfigureAwait(false);
                return done.Ok ? done.Message : throw new FileTransferException(done.Message);
            }
            catch (OperationCanceledException)
            {
                // A reset, not a clean close: the receiver must not mistake a cut-off file for a short one.
                stream.Reset();
                throw;
            }
        }
    }

    private static async Task CopyAsync(Stream content, IStream stream, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(FileTransferProtocol.BlockSize);
        try
        {
            long sent = 0;
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, FileTransferProtocol.BlockSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                sent += read;
                progress?.Report(sent);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
