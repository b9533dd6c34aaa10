using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NSec.Cryptography;
using Rx.Network.Errors;

namespace Rx.Network.Identity;

/// <summary>
/// This node's Ed25519 identity key: it signs, and its <see cref="PublicKey"/> gives the node's
/// <see cref="PeerId"/>.
/// </summary>
/// <remarks>
/// <para>
/// Only Ed25519 private keys are supported: it is the key type libp2p implementations must support
/// and the default everywhere. Other key types are still understood as remote
/// <see cref="Identity.PublicKey"/>s.
/// </para>
/// <para>
/// The key lives in NSec's native, protected memory, so the type is <see cref="IDisposable"/>:
/// disposing wipes and frees the secret. After disposal <see cref="Sign"/> and
/// <see cref="ToProtobuf"/> throw <see cref="ObjectDisposedException"/>; <see cref="PublicKey"/>
/// stays usable (it holds no secret). The owner of a network typically keeps the key for the
/// network's lifetime. <see cref="Sign"/> may be called from several threads at once, but not
/// concurrently with <see cref="Dispose"/>.
/// </para>
/// </remarks>
public sealed class PrivateKey : IDisposable
{
    /// <summary>The length of an Ed25519 seed, the secret from which the key pair derives (RFC 8032, section 5.1.5).</summary>
    public const int SeedLength = 32;

    // peer-ids.md, "Ed25519": Data is seed ‖ public key (64 bytes), or, from older libp2p code,
    // seed ‖ public key ‖ public key (96 bytes).
    private const int DataLength = SeedLength + Ed25519KeyVerifier.KeyLength;
    private const int LegacyDataLength = DataLength + Ed25519KeyVerifier.KeyLength;

    /// <summary>Bounds the input before parsing; an Ed25519 message is 68 bytes (100 in the legacy form).</summary>
    private const int MaxEncodedLength = 16 * 1024;

    private readonly Key key;
    private volatile bool disposed;

    private PrivateKey(Key key)
    {
        this.key = key;
        PublicKey = PublicKey.FromEd25519(key.PublicKey);
    }

    /// <summary>The key type: always <see cref="KeyType.Ed25519"/>.</summary>
    public KeyType Type { get; } = KeyType.Ed25519;

    /// <summary>The matching public key.</summary>
    public PublicKey PublicKey { get; }

    /// <summary>Generates a new random Ed25519 key.</summary>
    /// <returns>The key; the caller owns it and disposes it.</returns>
    public static PrivateKey Generate() => new(Key.Create(SignatureAlgorithm.Ed25519, Exportable()));

    /// <summary>Creates the Ed25519 key derived from a 32-byte seed (the RFC 8032 private key).</summary>
    /// <param name="seed">The seed: exactly <see cref="SeedLength"/> bytes.</param>
    /// <returns>The key; the caller owns it and disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="seed"/> is not 32 bytes long.</exception>
    public static PrivateKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedLength)
        {
            throw new ArgumentException($"An Ed25519 seed is {SeedLength} bytes, not {seed.Length}.", nameof(seed));
        }

        return new PrivateKey(Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, Exportable()));
    }

    /// <summary>
    /// Decodes a key from the libp2p <c>PrivateKey</c> protobuf message, the form libp2p
    /// implementations store identities in.
    /// </summary>
    /// <param name="protobuf">The encoded message.</param>
    /// <returns>The key; the caller owns it and disposes it.</returns>
    /// <exception cref="FormatException">
    /// The bytes are not a well-formed message, a field is missing, the key is not Ed25519, the data
    /// is neither 64 nor 96 bytes, or its public key does not match its seed.
    /// </exception>
    public static PrivateKey FromProtobuf(ReadOnlySpan<byte> protobuf)
    {
        if (protobuf.Length > MaxEncodedLength)
        {
            throw Error.Format($"The private key message is {protobuf.Length} bytes, above the limit of {MaxEncodedLength}.");
        }

        var (type, data) = KeyProtobuf.DecodePrivate(protobuf);
        try
        {
            return FromEd25519Data(type, data.Span);
        }
        finally
        {
            // The parsed message holds a private copy of the secret: wipe it rather than leave it to
            // the garbage collector.
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsMemory(data).Span);
        }
    }

    /// <summary>
    /// Returns the libp2p <c>PrivateKey</c> protobuf encoding (type Ed25519, data seed ‖ public key).
    /// </summary>
    /// <returns>A new array holding the secret; the caller should wipe it when done.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public byte[] ToProtobuf()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var data = new byte[DataLength];
        try
        {
            if (!key.TryExport(KeyBlobFormat.RawPrivateKey, data, out int written) || written != SeedLength)
            {
                throw new CryptographicException("The Ed25519 seed could not be exported.");
            }

            PublicKey.RawBytes.Span.CopyTo(data.AsSpan(SeedLength));
            return KeyProtobuf.EncodePrivate(KeyType.Ed25519, data);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

    /// <summary>Signs data with Ed25519 (RFC 8032, section 5.1.6).</summary>
    /// <param name="data">The data to sign.</param>
    /// <returns>The 64-byte signature.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return SignatureAlgorithm.Ed25519.Sign(key, data);
    }

    /// <summary>Wipes and frees the secret key.</summary>
    public void Dispose()
    {
        disposed = true;
        key.Dispose();
    }

    // The seed must be exportable for ToProtobuf (storing the identity on disk).
    private static KeyCreationParameters Exportable() => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    private static PrivateKey FromEd25519Data(KeyType type, ReadOnlySpan<byte> data)
    {
        if (type != KeyType.Ed25519)
        {
            throw Error.Format($"Only Ed25519 private keys are supported, not {type}.");
        }

        if (data.Length == LegacyDataLength)
        {
            // The legacy form repeats the public key; the spec says to reject it if the copies differ.
            if (!data.Slice(SeedLength, Ed25519KeyVerifier.KeyLength).SequenceEqual(data[DataLength..]))
            {
                throw Error.Format("The legacy 96-byte Ed25519 private key carries two different public keys.");
            }
        }
        else if (data.Length != DataLength)
        {
            throw Error.Format($"An Ed25519 private key is {DataLength} bytes (or {LegacyDataLength} in the legacy form), not {data.Length}.");
        }

        var privateKey = FromSeed(data[..SeedLength]);
        if (!privateKey.PublicKey.RawBytes.Span.SequenceEqual(data.Slice(SeedLength, Ed25519KeyVerifier.KeyLength)))
        {
            // A stored key whose public half does not derive from its seed would sign as one peer while
            // claiming to be another; refuse it rather than guess which half is right.
            privateKey.Dispose();
            throw Error.Format("The Ed25519 private key's public key does not match its seed.");
        }

        return privateKey;
    }
}
