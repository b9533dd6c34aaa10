using System.Buffers;
using System.Buffers.Binary;
using Rx.Network.Encoding;
using Rx.Network.Errors;

namespace Rx.Network.Security.Noise;

/// <summary>
/// Noise transport framing for libp2p: each frame is a 2-byte big-endian length followed by a
/// ChaCha20-Poly1305 ciphertext of at most 65535 bytes
/// (<see href="https://github.com/libp2p/specs/blob/master/noise/README.md#wire-format">libp2p noise spec, Wire Format</see>).
/// </summary>
/// <remarks>
/// <para>Per frame, nothing is allocated besides the rented plaintext buffer handed to the caller:
/// encryption writes straight into the destination, and decryption reads the ciphertext in place
/// when it lies in one segment, otherwise copies it into the rented buffer and decrypts there.</para>
/// <para>Owns both cipher states: <see cref="Dispose"/> wipes the keys. Call it only after the
/// send and receive loops have stopped.</para>
/// </remarks>
internal sealed class NoiseFrameCodec : IFrameCodec, IDisposable
{
    /// <summary>Bytes of the length prefix (wire format: <c>noise_message_len</c>, 16-bit big-endian).</summary>
    public const int LengthPrefixSize = 2;

    /// <summary>The largest Noise message, hence the largest frame body (Noise §3).</summary>
    public const int MaxMessageSize = HandshakeState.MaxMessageSize;

    /// <summary>The most plaintext one frame carries: 65535 minus the 16-byte tag.</summary>
    public const int MaxPlaintextSize = MaxMessageSize - CipherState.TagSize;

    private readonly CipherState send;
    private readonly CipherState receive;

    /// <summary>Creates a codec over the transport cipher states from the handshake; it takes ownership of both.</summary>
    /// <param name="send">Encrypts what we send.</param>
    /// <param name="receive">Decrypts what we receive.</param>
    /// <exception cref="ArgumentNullException">A cipher state is null.</exception>
    /// <exception cref="ArgumentException">A cipher state has no key.</exception>
    public NoiseFrameCodec(CipherState send, CipherState receive)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(receive);
        if (!send.HasKey || !receive.HasKey)
        {
            throw new ArgumentException("Transport cipher states must be keyed (the result of Split).");
        }

        this.send = send;
        this.receive = receive;
    }

    /// <inheritdoc/>
    public int MaxPlaintextPerFrame => MaxPlaintextSize;

    /// <inheritdoc/>
    public int FrameOverhead => LengthPrefixSize + CipherState.TagSize;

    /// <summary>Test hook: the send cipher state (to move its nonce).</summary>
    internal CipherState SendCipher => send;

    /// <summary>Test hook: the receive cipher state (to move its nonce).</summary>
    internal CipherState ReceiveCipher => receive;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="plaintext"/> is longer than <see cref="MaxPlaintextSize"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public int Seal(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(plaintext.Length, MaxPlaintextSize, nameof(plaintext));
        int body = plaintext.Length + CipherState.TagSize;
        if (destination.Length < LengthPrefixSize + body)
        {
            throw new ArgumentException("The destination is too small for the frame.", nameof(destination));
        }

        send.Encrypt(ReadOnlySpan<byte>.Empty, plaintext, destination.Slice(LengthPrefixSize, body));
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)body);
        return LengthPrefixSize + body;
    }

    /// <inheritdoc/>
    public bool TryOpen(ref ReadOnlySequence<byte> buffer, out PooledBuffer plaintext)
    {
        plaintext = default;
        if (buffer.Length < LengthPrefixSize)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[LengthPrefixSize];
        buffer.Slice(0, LengthPrefixSize).CopyTo(prefix);
        int length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
        if (length < CipherState.TagSize)
        {
            throw Error.Protocol($"A Noise frame of {length} bytes is shorter than its authentication tag.");
        }

        if (buffer.Length - LengthPrefixSize < length)
        {
            return false;
        }

        var frame = buffer.Slice(LengthPrefixSize, length);
        var result = PooledBuffer.Rent(length);
        try
        {
            ReadOnlySpan<byte> ciphertext;
            if (frame.IsSingleSegment)
            {
                ciphertext = frame.FirstSpan;
            }
            else
            {
                frame.CopyTo(result.Array);
                ciphertext = result.Array.AsSpan(0, length);
            }

            if (!receive.TryDecrypt(ReadOnlySpan<byte>.Empty, ciphertext, result.Array, out int written))
            {
                throw Error.Protocol("A Noise frame failed authentication.");
            }

            plaintext = result.WithLength(written);
        }
        catch (InvalidOperationException exception)
        {
            // Only reachable after the remote sent 2^64-1 frames: its fault, reported as such.
            result.Return();
            throw Error.Protocol("The remote exhausted the Noise nonce space.", exception);
        }
        catch
        {
            result.Return();
            throw;
        }

        buffer = buffer.Slice(frame.End);
        return true;
    }

    /// <summary>Wipes both transport keys.</summary>
    public void Dispose()
    {
        send.Dispose();
        receive.Dispose();
    }
}
