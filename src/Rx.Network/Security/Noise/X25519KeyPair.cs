using System.Security.Cryptography;

namespace Rx.Network.Security.Noise;

/// <summary>
/// An X25519 key pair for Noise (<see cref="X25519Dh"/>): the private scalar in a pinned array (the
/// collector never copies it), zeroed by <see cref="Dispose"/>.
/// </summary>
internal sealed class X25519KeyPair : IDisposable
{
    private readonly byte[] privateKey = GC.AllocateUninitializedArray<byte>(X25519Dh.KeySize, pinned: true);
    private readonly byte[] publicKey = new byte[X25519Dh.KeySize];
    private bool disposed;

    private X25519KeyPair()
    {
    }

    /// <summary>The raw 32-byte public key.</summary>
    public ReadOnlySpan<byte> PublicKey => publicKey;

    /// <summary>The private scalar; only the handshake reads it.</summary>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    internal ReadOnlySpan<byte> PrivateKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return privateKey;
        }
    }

    /// <summary>Makes a fresh key pair from the system's random number generator.</summary>
    /// <returns>The key pair; the caller owns it.</returns>
    public static X25519KeyPair Create()
    {
        var pair = new X25519KeyPair();
        X25519Dh.GenerateKeyPair(pair.privateKey, pair.publicKey);
        return pair;
    }

    /// <summary>A key pair from a known private scalar (test vectors).</summary>
    /// <param name="privateKey">The 32-byte private scalar.</param>
    /// <returns>The key pair; the caller owns it.</returns>
    /// <exception cref="ArgumentException"><paramref name="privateKey"/> is not 32 bytes.</exception>
    public static X25519KeyPair FromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != X25519Dh.KeySize)
        {
            throw new ArgumentException($"An X25519 private key is {X25519Dh.KeySize} bytes.", nameof(privateKey));
        }

        var pair = new X25519KeyPair();
        privateKey.CopyTo(pair.privateKey);
        X25519Dh.DerivePublicKey(pair.privateKey, pair.publicKey);
        return pair;
    }

    /// <summary>Zeroes the private scalar.</summary>
    public void Dispose()
    {
        disposed = true;
        CryptographicOperations.ZeroMemory(privateKey);
    }
}
