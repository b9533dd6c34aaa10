using System.Buffers;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Rx.Network.Benchmarks.Support;
using Rx.Network.Security.Noise;

namespace Rx.Network.Benchmarks.Micro;

/// <summary>
/// Noise transport framing per frame (<see cref="NoiseFrameCodec"/>): sealing (encrypt + length
/// prefix) and opening (authenticate + decrypt into a pooled buffer), at the frame size the
/// stack actually produces under yamux (one 16 KiB yamux data frame, 16396 bytes) and at the
/// largest Noise frame (65519 plaintext bytes).
/// </summary>
public class NoiseFrameBenchmarks
{
    private NoiseFrameCodec sender = null!;
    private NoiseFrameCodec receiver = null!;
    private byte[] plaintext = [];
    private byte[] sealedFrame = [];
    private byte[] destination = [];

    [Params(16396, NoiseFrameCodec.MaxPlaintextSize)]
    public int FrameSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (sender, receiver) = CreatePair();
        plaintext = new byte[FrameSize];
        new Random(1).NextBytes(plaintext);
        destination = new byte[FrameSize + sender.FrameOverhead];

        // The sender's first frame (nonce 0); Open rewinds the receiver's nonce to reopen it.
        sealedFrame = new byte[FrameSize + sender.FrameOverhead];
        sender.Seal(plaintext, sealedFrame);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        sender.Dispose();
        receiver.Dispose();
    }

    [Benchmark(Description = "NoiseFrameCodec.Seal")]
    public int Seal() => sender.Seal(plaintext, destination);

    [Benchmark(Description = "NoiseFrameCodec.TryOpen")]
    public int Open()
    {
        receiver.ReceiveCipher.SetNonce(0);
        var wire = new ReadOnlySequence<byte>(sealedFrame);
        receiver.TryOpen(ref wire, out var opened);
        int length = opened.Length;
        opened.Return();
        return length;
    }

    /// <summary>Two codecs facing each other: A's send key is B's receive key and vice versa.</summary>
    internal static (NoiseFrameCodec A, NoiseFrameCodec B) CreatePair()
    {
        var k1 = RandomNumberGenerator.GetBytes(CipherState.KeySize);
        var k2 = RandomNumberGenerator.GetBytes(CipherState.KeySize);
        return (new NoiseFrameCodec(Keyed(k1), Keyed(k2)), new NoiseFrameCodec(Keyed(k2), Keyed(k1)));
    }

    private static CipherState Keyed(byte[] key)
    {
        var state = new CipherState();
        state.InitializeKey(key);
        return state;
    }
}

/// <summary>
/// ChaCha20-Poly1305 alone on one 64 KiB Noise frame: NSec (libsodium, what
/// <see cref="CipherState"/> uses) beside System.Security.Cryptography (OpenSSL on Linux), to
/// show what the cipher costs and what swapping the implementation would buy.
/// </summary>
public class AeadBenchmarks
{
    private const int Size = NoiseFrameCodec.MaxPlaintextSize;
    private readonly byte[] nonce = new byte[12];
    private readonly byte[] plaintext = new byte[Size];
    private readonly byte[] ciphertext = new byte[Size];
    private readonly byte[] tag = new byte[16];
    private readonly byte[] combined = new byte[Size + 16];
    private NSec.Cryptography.Key nsecKey = null!;
    private ChaCha20Poly1305 bclCipher = null!;

    [GlobalSetup]
    public void Setup()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        nsecKey = NSec.Cryptography.Key.Import(NSec.Cryptography.AeadAlgorithm.ChaCha20Poly1305, key, NSec.Cryptography.KeyBlobFormat.RawSymmetricKey);
        bclCipher = new ChaCha20Poly1305(key);
        new Random(2).NextBytes(plaintext);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        nsecKey.Dispose();
        bclCipher.Dispose();
    }

    [Benchmark(Baseline = true, Description = "NSec (libsodium) encrypt 64 KiB")]
    [PayloadBytes(Size)]
    public void NSecEncrypt() =>
        NSec.Cryptography.AeadAlgorithm.ChaCha20Poly1305.Encrypt(nsecKey, nonce, [], plaintext, combined);

    [Benchmark(Description = "System.Security.Cryptography (OpenSSL) encrypt 64 KiB")]
    [PayloadBytes(Size)]
    public void BclEncrypt() => bclCipher.Encrypt(nonce, plaintext, ciphertext, tag);
}
