using System.Security.Cryptography;
using System.Text;
using Rx.Network.Encoding;

namespace Rx.Network.Examples.FileTransfer;

/// <summary>
/// What a sender announces before the bytes of a file: its name, its size and its SHA-256.
/// </summary>
/// <remarks>
/// Encoded (inside one <see cref="LengthPrefixed"/> message) as
/// <c>varint nameLength | name (UTF-8) | varint size | SHA-256 (32 bytes)</c>.
/// The header says what the sender claims; the receiver checks every claim (see
/// <see cref="FileReceiver"/>): a header is a statement from outside, not a fact.
/// </remarks>
public sealed class FileHeader
{
    /// <summary>The longest name, in UTF-8 bytes: the usual file-system limit for one path component.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>The length of a SHA-256 digest.</summary>
    public const int Sha256Length = SHA256.HashSizeInBytes;

    /// <summary>The longest encoded header: two maximal varints, the longest name, the digest.</summary>
    public const int MaxEncodedLength = (2 * Varint.MaxLength) + MaxNameBytes + Sha256Length;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] sha256;

    /// <summary>Creates a header.</summary>
    /// <param name="name">The file name the sender proposes (the receiver decides whether to accept it).</param>
    /// <param name="size">The size in bytes.</param>
    /// <param name="sha256">The SHA-256 of the content (copied).</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, longer than <see cref="MaxNameBytes"/> in UTF-8 or not valid UTF-16, or <paramref name="sha256"/> is not <see cref="Sha256Length"/> bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    public FileHeader(string name, long size, ReadOnlySpan<byte> sha256)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        int nameBytes;
        try
        {
            nameBytes = Utf8.GetByteCount(name);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("The name is not valid UTF-16 (it holds a lone surrogate).", nameof(name), e);
        }

        if (nameBytes > MaxNameBytes)
        {
            throw new ArgumentException($"The name is {nameBytes} UTF-8 bytes; at most {MaxNameBytes} are allowed.", nameof(name));
        }

        if (sha256.Length != Sha256Length)
        {
            throw new ArgumentException($"A SHA-256 digest is {Sha256Length} bytes, not {sha256.Length}.", nameof(sha256));
        }

        Name = name;
        Size = size;
        this.sha256 = sha256.ToArray();
    }

    /// <summary>The proposed file name.</summary>
    public string Name { get; }

    /// <summary>The size in bytes.</summary>
    public long Size { get; }

    /// <summary>The SHA-256 of the content.</summary>
    public ReadOnlyMemory<byte> Sha256 => sha256;

    /// <summary>The SHA-256 in lowercase hexadecimal, as <c>sha256sum</c> prints it.</summary>
    public string Sha256Hex => Convert.ToHexStringLower(sha256);

    /// <summary>Reads a file to build its header: its file-name part, size and SHA-256.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Cancels the hashing.</param>
    /// <returns>The header.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or its file name is too long.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static async Task<FileHeader> FromFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            var digest = await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false);

            // Only the name part travels: where the file lives here is none of the receiver's business.
            return new FileHeader(Path.GetFileName(path), file.Length, digest);
        }
    }

    /// <summary>Decodes a header received from a peer.</summary>
    /// <param name="bytes">The payload of the header message.</param>
    /// <returns>The header.</returns>
    /// <exception cref="WireProtocolViolationException">The bytes are not a well-formed header.</exception>
    public static FileHeader Decode(ReadOnlySpan<byte> bytes)
    {
        ulong nameLength = ReadVarint(ref bytes, "name length");
        if (nameLength == 0 || nameLength > MaxNameBytes)
        {
            throw new WireProtocolViolationException($"A file name is 1 to {MaxNameBytes} bytes; the header declares {nameLength}.");
        }

        if ((ulong)bytes.Length < nameLength)
        {
            throw new WireProtocolViolationException("The header ends inside the file name.");
        }

        string name;
        try
        {
            name = Utf8.GetString(bytes[..(int)nameLength]);
        }
        catch (DecoderFallbackException e)
        {
            throw new WireProtocolViolationException("The file name is not valid UTF-8.", e);
        }

        bytes = bytes[(int)nameLength..];
        ulong size = ReadVarint(ref bytes, "size");
        if (size > long.MaxValue)
        {
            throw new WireProtocolViolationException($"The declared size {size} is out of range.");
        }

        if (bytes.Length != Sha256Length)
        {
            throw new WireProtocolViolationException($"The header should end with a {Sha256Length}-byte SHA-256; {bytes.Length} bytes are left.");
        }

        return new FileHeader(name, (long)size, bytes);
    }

    /// <summary>Encodes the header (the payload of one length-prefixed message).</summary>
    /// <returns>The bytes.</returns>
    public byte[] Encode()
    {
        var name = Utf8.GetBytes(Name);
        var result = new byte[Varint.GetLength((ulong)name.Length) + name.Length + Varint.GetLength((ulong)Size) + Sha256Length];
        int offset = Varint.Write(result, (ulong)name.Length);
        name.CopyTo(result.AsSpan(offset));
        offset += name.Length;
        offset += Varint.Write(result.AsSpan(offset), (ulong)Size);
        sha256.CopyTo(result.AsSpan(offset));
        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Size} bytes, sha256 {Sha256Hex})";

    private static ulong ReadVarint(ref ReadOnlySpan<byte> bytes, string what)
    {
        var status = Varint.TryRead(bytes, out ulong value, out int length);
        if (status != VarintStatus.Done)
        {
            throw new WireProtocolViolationException($"The header's {what} is not a valid varint ({status}).");
        }

        bytes = bytes[length..];
        return value;
    }
}
