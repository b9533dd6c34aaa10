using System.Security.Cryptography;
using Rx.Network.Errors;

namespace Rx.Network.Security.Noise;

/// <summary>
/// A Noise <c>HandshakeState</c> running the <c>XX</c> pattern with 25519, ChaChaPoly and SHA256
/// (<see href="https://noiseprotocol.org/noise.html#the-handshakestate-object">Noise rev 34, §5.3</see>),
/// for either role.
/// </summary>
/// <remarks>
/// <para>Messages alternate, initiator first; <see cref="WriteMessage"/> and <see cref="ReadMessage"/>
/// must be called in that order. After the last message <see cref="Split"/> hands out the transport
/// cipher states.</para>
/// <para>Bytes from the remote that break the pattern (too short, failed authentication, a
/// low-order public key) throw <see cref="WireProtocolViolationException"/>, after which the state is
/// unusable and the handshake must be abandoned; calls out of turn are caller bugs and throw
/// <see cref="InvalidOperationException"/>.</para>
/// </remarks>
internal sealed class HandshakeState : IDisposable
{
    /// <summary>X25519 public key length (Noise §4.1, <c>DHLEN</c>).</summary>
    public const int DhSize = 32;

    /// <summary>The largest Noise message (Noise §3).</summary>
    public const int MaxMessageSize = 65535;

    // XX (Noise §7.5): -> e; <- e, ee, s, es; -> s, se
    private static readonly Token[][] Xx =
    [
        [Token.E],
        [Token.E, Token.EE, Token.S, Token.ES],
        [Token.S, Token.SE],
    ];

    private readonly SymmetricState symmetric;
    private readonly bool initiator;
    private readonly X25519KeyPair localStatic;
    private readonly byte[] localStaticPublic;
    private X25519KeyPair? localEphemeral;
    private byte[]? remoteEphemeral;
    private byte[]? remoteStatic;
    private int messageIndex;

    /// <summary>Noise <c>Initialize</c> for <c>Noise_XX_25519_ChaChaPoly_SHA256</c>.</summary>
    /// <param name="initiator">Whether we send the first message.</param>
    /// <param name="prologue">Data both sides must agree on (empty for libp2p).</param>
    /// <param name="localStatic">Our static X25519 key; the caller keeps ownership.</param>
    public HandshakeState(bool initiator, ReadOnlySpan<byte> prologue, X25519KeyPair localStatic)
        : this(initiator, prologue, localStatic, fixedEphemeral: null)
    {
    }

    /// <summary>Test hook: as the public constructor, with a fixed ephemeral key (for test vectors); this state takes ownership of it.</summary>
    internal HandshakeState(bool initiator, ReadOnlySpan<byte> prologue, X25519KeyPair localStatic, X25519KeyPair? fixedEphemeral)
    {
        ArgumentNullException.ThrowIfNull(localStatic);
        this.initiator = initiator;
        this.localStatic = localStatic;
        localStaticPublic = localStatic.PublicKey.ToArray();
        localEphemeral = fixedEphemeral;
        symmetric = new SymmetricState(ProtocolName);
        symmetric.MixHash(prologue);
    }

    /// <summary>The Noise protocol name, exactly <see cref="SymmetricState.HashSize"/> bytes of ASCII.</summary>
    public static ReadOnlySpan<byte> ProtocolName => "Noise_XX_25519_ChaChaPoly_SHA256"u8;

    /// <summary>Whether we are the initiator.</summary>
    public bool IsInitiator => initiator;

    /// <summary>Whether the next message is ours to write.</summary>
    public bool IsMyTurn => !IsCompleted && (messageIndex % 2 == 0) == initiator;

    /// <summary>Whether all handshake messages have been processed.</summary>
    public bool IsCompleted => messageIndex == Xx.Length;

    /// <summary>Our static public key (what the libp2p payload signature covers).</summary>
    public ReadOnlySpan<byte> LocalStaticPublicKey => localStaticPublic;

    /// <summary>The remote's static public key, once received (empty before).</summary>
    public ReadOnlySpan<byte> RemoteStaticPublicKey => remoteStatic;

    /// <summary>The handshake hash so far; after completion, a value unique to this session.</summary>
    public ReadOnlySpan<byte> HandshakeHash => symmetric.Hash;

    /// <summary>Noise <c>WriteMessage</c>: writes the next message, ending with <paramref name="payload"/> (encrypted once a key exists).</summary>
    /// <param name="payload">The payload.</param>
    /// <param name="message">The destination.</param>
    /// <returns>The message length.</returns>
    /// <exception cref="InvalidOperationException">It is not our turn, or the handshake is over.</exception>
    /// <exception cref="ArgumentException"><paramref name="message"/> is too small, or the message would exceed 65535 bytes.</exception>
    public int WriteMessage(ReadOnlySpan<byte> payload, Span<byte> message)
    {
        if (!IsMyTurn)
        {
            throw new InvalidOperationException("It is not this side's turn to write a Noise handshake message.");
        }

        var tokens = Xx[messageIndex];
        int needed = WriteLength(tokens, payload.Length);
        if (needed > MaxMessageSize || message.Length < needed)
        {
            throw new ArgumentException($"The handshake message needs {needed} bytes (at most {MaxMessageSize}).", nameof(message));
        }

        int offset = 0;
        foreach (var token in tokens)
        {
            switch (token)
            {
                case Token.E:
                    localEphemeral ??= X25519KeyPair.Create();
                    localEphemeral.PublicKey.CopyTo(message[offset..]);
                    symmetric.MixHash(message.Slice(offset, DhSize));
                    offset += DhSize;
                    break;
                case Token.S:
                    offset += symmetric.EncryptAndHash(localStaticPublic, message[offset..]);
                    break;
                default:
                    MixDh(token);
                    break;
            }
        }

        offset += symmetric.EncryptAndHash(payload, message[offset..]);
        messageIndex++;
        return offset;
    }

    /// <summary>Noise <c>ReadMessage</c>: processes the remote's next message and writes its payload.</summary>
    /// <param name="message">The received message.</param>
    /// <param name="payload">The destination for the payload (<paramref name="message"/>'s length always suffices).</param>
    /// <returns>The payload length.</returns>
    /// <exception cref="InvalidOperationException">It is not the remote's turn, or the handshake is over.</exception>
    /// <exception cref="WireProtocolViolationException">The message is malformed, fails authentication or carries an unusable key.</exception>
    public int ReadMessage(ReadOnlySpan<byte> message, Span<byte> payload)
    {
        if (IsCompleted || IsMyTurn)
        {
            throw new InvalidOperationException("It is not the remote's turn to send a Noise handshake message.");
        }

        if (message.Length > MaxMessageSize)
        {
            throw Error.TooLarge(message.Length, MaxMessageSize);
        }

        int offset = 0;
        Span<byte> key = stackalloc byte[DhSize];
        foreach (var token in Xx[messageIndex])
        {
            switch (token)
            {
                case Token.E:
                    remoteEphemeral = Take(message, ref offset, DhSize).ToArray();
                    symmetric.MixHash(message.Slice(offset - DhSize, DhSize));
                    break;
                case Token.S:
                    int length = symmetric.Cipher.HasKey ? DhSize + CipherState.TagSize : DhSize;
                    if (!symmetric.TryDecryptAndHash(Take(message, ref offset, length), key, out _))
                    {
                        throw Error.Protocol("The Noise handshake message failed authentication (static key).");
                    }

                    remoteStatic = key.ToArray();
                    break;
                default:
                    MixDh(token);
                    break;
            }
        }

        if (!symmetric.TryDecryptAndHash(message[offset..], payload, out int written))
        {
            throw Error.Protocol("The Noise handshake message failed authentication (payload).");
        }

        messageIndex++;
        return written;
    }

    /// <summary>Noise <c>Split</c>, oriented for this side.</summary>
    /// <returns>The cipher state for what we send and the one for what we receive; the caller owns both.</returns>
    /// <exception cref="InvalidOperationException">The handshake is not complete.</exception>
    public (CipherState Send, CipherState Receive) Split()
    {
        if (!IsCompleted)
        {
            throw new InvalidOperationException("The Noise handshake is not complete.");
        }

        var (initiatorToResponder, responderToInitiator) = symmetric.Split();
        return initiator ? (initiatorToResponder, responderToInitiator) : (responderToInitiator, initiatorToResponder);
    }

    /// <summary>Wipes the ephemeral key, the chaining key and the handshake cipher key.</summary>
    public void Dispose()
    {
        localEphemeral?.Dispose();
        localEphemeral = null;
        symmetric.Dispose();
    }

    private int WriteLength(Token[] tokens, int payloadLength)
    {
        // s and the payload gain a tag once a key exists; any DH token creates one.
        int length = 0;
        bool keyed = symmetric.Cipher.HasKey;
        foreach (var token in tokens)
        {
            switch (token)
            {
                case Token.E:
                    length += DhSize;
                    break;
                case Token.S:
                    length += DhSize + (keyed ? CipherState.TagSize : 0);
                    break;
                default:
                    keyed = true;
                    break;
            }
        }

        return length + payloadLength + (keyed ? CipherState.TagSize : 0);
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> message, ref int offset, int length)
    {
        if (message.Length - offset < length)
        {
            throw Error.Truncated("Noise handshake message");
        }

        var slice = message.Slice(offset, length);
        offset += length;
        return slice;
    }

    private void MixDh(Token token)
    {
        // The first letter names the initiator's key, the second the responder's (Noise §7.1).
        var (local, remote) = (token, initiator) switch
        {
            (Token.EE, _) => (localEphemeral, remoteEphemeral),
            (Token.ES, true) => (localEphemeral, remoteStatic),
            (Token.ES, false) => (localStatic, remoteEphemeral),
            (Token.SE, true) => (localStatic, remoteEphemeral),
            (Token.SE, false) => (localEphemeral, remoteStatic),
            _ => throw new InvalidOperationException($"Unexpected Noise token {token}."),
        };

        if (local is null || remote is null)
        {
            throw new InvalidOperationException($"Noise token {token} used before its keys are known.");
        }

        // libsodium refuses a remote point of small order (the result would be all zeros); Noise
        // §12.1 allows rejecting it, and nothing honest ever sends one.
        Span<byte> secret = stackalloc byte[X25519Dh.KeySize];
        try
        {
            if (!X25519Dh.TryAgree(local.PrivateKey, remote, secret))
            {
                throw Error.Protocol("The remote's Noise public key is a low-order point.");
            }

            symmetric.MixKey(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private enum Token
    {
        E,
        S,
        EE,
        ES,
        SE,
    }
}
