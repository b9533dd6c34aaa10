using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace Rx.Network.Security.Noise;

/// <summary>
/// X25519 (RFC 7748) for the Noise handshake: libsodium's <c>crypto_scalarmult_curve25519</c>, the
/// same function NSec's <see cref="KeyAgreementAlgorithm.X25519"/> calls, in the same native library
/// NSec ships and loads, called directly on caller-owned spans.
/// </summary>
/// <remarks>
/// <para>Why not through NSec: NSec holds every <see cref="Key"/> and <see cref="SharedSecret"/> in
/// its own guarded allocation (<c>sodium_malloc</c>: an mmap with guard pages, mprotect and mlock;
/// munmap when freed), and a Noise side makes four of them per handshake (one ephemeral key, three
/// shared secrets). On a multi-core machine every munmap is a TLB shootdown across the cores:
/// measured 580–720 µs of CPU per side for one key generation and three agreements through NSec
/// against 126–140 µs for the same four operations here (docs/benchmarks.md, session 9), about
/// 40 % of a whole handshake's CPU. The secrets here live in pinned arrays and stack spans that are
/// zeroed when done with (<see cref="X25519KeyPair"/>, <c>HandshakeState</c>).</para>
/// <para>libsodium clamps the scalar itself and refuses (returns -1) a remote point of small order,
/// whose result would be all zeros (Noise §12.1 allows refusing it; nothing honest sends one).</para>
/// </remarks>
internal static class X25519Dh
{
    /// <summary>The size of a private scalar, a public key and a shared secret.</summary>
    public const int KeySize = 32;

    private const string Library = "libsodium";

    static X25519Dh()
    {
        // Initialise libsodium (NSec's algorithm objects call sodium_init once) and resolve the
        // library through NSec's assembly, so that wherever NSec's own calls find it (an
        // application's deps.json, a notebook kernel's package folder), these find the same one.
        _ = KeyAgreementAlgorithm.X25519;
        NativeLibrary.SetDllImportResolver(typeof(X25519Dh).Assembly, Resolve);
    }

    /// <summary>Makes a fresh key pair.</summary>
    /// <param name="privateKey">Receives the private scalar (<see cref="KeySize"/> bytes).</param>
    /// <param name="publicKey">Receives the public key (<see cref="KeySize"/> bytes).</param>
    /// <exception cref="ArgumentException">A span is not <see cref="KeySize"/> bytes.</exception>
    public static void GenerateKeyPair(Span<byte> privateKey, Span<byte> publicKey)
    {
        RandomNumberGenerator.Fill(CheckSize(privateKey, nameof(privateKey)));
        DerivePublicKey(privateKey, publicKey);
    }

    /// <summary>Computes the public key of <paramref name="privateKey"/>.</summary>
    /// <param name="privateKey">The private scalar.</param>
    /// <param name="publicKey">Receives the public key.</param>
    /// <exception cref="ArgumentException">A span is not <see cref="KeySize"/> bytes.</exception>
    /// <exception cref="CryptographicException">libsodium failed (it does not for a valid scalar).</exception>
    public static void DerivePublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        CheckSize(privateKey, nameof(privateKey));
        CheckSize(publicKey, nameof(publicKey));
        if (ScalarMultBase(ref MemoryMarshal.GetReference(publicKey), in MemoryMarshal.GetReference(privateKey)) != 0)
        {
            throw new CryptographicException("X25519 public key derivation failed.");
        }
    }

    /// <summary>The X25519 function: our private scalar times the remote's public point.</summary>
    /// <param name="privateKey">Our private scalar.</param>
    /// <param name="remotePublicKey">The remote's public key.</param>
    /// <param name="sharedSecret">Receives the shared secret; zero it when done.</param>
    /// <returns><see langword="false"/> when the remote point has small order (the result would be all zeros).</returns>
    /// <exception cref="ArgumentException">A span is not <see cref="KeySize"/> bytes.</exception>
    public static bool TryAgree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> remotePublicKey, Span<byte> sharedSecret)
    {
        CheckSize(privateKey, nameof(privateKey));
        CheckSize(remotePublicKey, nameof(remotePublicKey));
        CheckSize(sharedSecret, nameof(sharedSecret));
        if (ScalarMult(ref MemoryMarshal.GetReference(sharedSecret), in MemoryMarshal.GetReference(privateKey), in MemoryMarshal.GetReference(remotePublicKey)) == 0)
        {
            return true;
        }

        CryptographicOperations.ZeroMemory(sharedSecret);
        return false;
    }

    private static Span<byte> CheckSize(Span<byte> span, string name)
    {
        CheckSize((ReadOnlySpan<byte>)span, name);
        return span;
    }

    private static ReadOnlySpan<byte> CheckSize(ReadOnlySpan<byte> span, string name) =>
        span.Length == KeySize ? span : throw new ArgumentException($"An X25519 key or secret is {KeySize} bytes.", name);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == Library && NativeLibrary.TryLoad(name, typeof(Key).Assembly, searchPath, out var handle) ? handle : IntPtr.Zero;

    [DllImport(Library, EntryPoint = "crypto_scalarmult_curve25519", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ScalarMult(ref byte q, in byte n, in byte p);

    [DllImport(Library, EntryPoint = "crypto_scalarmult_curve25519_base", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ScalarMultBase(ref byte q, in byte n);
}
