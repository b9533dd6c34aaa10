using System.Buffers;
using System.Buffers.Binary;
using CsCheck;
using Rx.Network.Encoding;
using Rx.Network.Security.Noise;
using Rx.Network.Tests.Encoding;

namespace Rx.Network.Tests.Security.Noise;

public class NoiseFrameCodecTests
{
    /// <summary>Two codecs facing each other, with keys from a real handshake.</summary>
    private static (NoiseFrameCodec Alice, NoiseFrameCodec Bob) CreatePair()
    {
        var keys = new[] { X25519KeyPair.Create(), X25519KeyPair.Create() };
        using var initiator = new HandshakeState(true, [], keys[0]);
        using var responder = new HandshakeState(false, [], keys[1]);
        var buffer = new byte[256];
        var payload = new byte[256];
        responder.ReadMessage(buffer.AsSpan(0, initiator.WriteMessage([], buffer)), payload);
        initiator.ReadMessage(buffer.AsSpan(0, responder.WriteMessage([], buffer)), payload);
        responder.ReadMessage(buffer.AsSpan(0, initiator.WriteMessage([], buffer)), payload);
        var (aSend, aReceive) = initiator.Split();
        var (bSend, bReceive) = responder.Split();
        keys[0].Dispose();
        keys[1].Dispose();
        return (new NoiseFrameCodec(aSend, aReceive), new NoiseFrameCodec(bSend, bReceive));
    }

    private static byte[] Seal(NoiseFrameCodec codec, ReadOnlySpan<byte> plaintext)
    {
        var frame = new byte[plaintext.Length + codec.FrameOverhead];
        Assert.Equal(frame.Length, codec.Seal(plaintext, frame));
        return frame;
    }

    private static byte[] OpenAll(NoiseFrameCodec codec, ReadOnlySequence<byte> wire)
    {
        var output = new List<byte>();
        while (codec.TryOpen(ref wire, out var plaintext))
        {
            output.AddRange(plaintext.Span.ToArray());
            plaintext.Return();
        }

        Assert.Equal(0, wire.Length);
        return [.. output];
    }

    [Fact]
    public void Limits_FollowTheWireFormat()
    {
        var (alice, _) = CreatePair();
        Assert.Equal(65519, alice.MaxPlaintextPerFrame);
        Assert.Equal(18, alice.FrameOverhead);
    }

    [Fact]
    public void Seal_WritesBigEndianLengthThenCiphertext()
    {
        var (alice, _) = CreatePair();
        var frame = Seal(alice, new byte[300]);
        Assert.Equal(316, BinaryPrimitives.ReadUInt16BigEndian(frame));
        Assert.Equal(318, frame.Length);
    }

    [Fact]
    public void RoundTrip_Property()
    {
        Gen.Byte.Array[0, 3000].Array[1, 6].Sample(messages =>
        {
            var (alice, bob) = CreatePair();
            var wire = messages.SelectMany(m => Seal(alice, m)).ToArray();
            Assert.Equal(messages.SelectMany(m => m).ToArray(), OpenAll(bob, new ReadOnlySequence<byte>(wire)));
            alice.Dispose();
            bob.Dispose();
        }, iter: 100);
    }

    [Fact]
    public void RoundTrip_MaxSizedFrame()
    {
        var (alice, bob) = CreatePair();
        var plaintext = Enumerable.Range(0, NoiseFrameCodec.MaxPlaintextSize).Select(i => (byte)i).ToArray();
        var frame = Seal(alice, plaintext);
        Assert.Equal(65535 + 2, frame.Length);
        Assert.Equal(plaintext, OpenAll(bob, new ReadOnlySequence<byte>(frame)));
    }

    [Fact]
    public void TryOpen_FramesSplitAcrossSegments_AtEveryPoint()
    {
        for (int cut = 0; cut <= 2 * (5 + 18) + 1; cut++)
        {
            // Fresh codecs per cut: each pair has its own keys and nonces.
            var (alice, bob) = CreatePair();
            var wire = Seal(alice, "first"u8).Concat(Seal(alice, "second"u8)).ToArray();
            Assert.Equal("firstsecond"u8.ToArray(), OpenAll(bob, Segments.Create(wire[..cut], wire[cut..])));
        }
    }

    [Fact]
    public void TryOpen_OneByteSegments_Decodes()
    {
        var (alice, bob) = CreatePair();
        var wire = Seal(alice, "first"u8).Concat(Seal(alice, "second"u8)).ToArray();
        Assert.Equal("firstsecond"u8.ToArray(), OpenAll(bob, Segments.Create([.. wire.Select(x => new[] { x })])));
    }

    [Fact]
    public void TryOpen_PartialFrame_NeedsMoreWithoutConsuming()
    {
        var (alice, bob) = CreatePair();
        var frame = Seal(alice, "hello"u8);
        for (int length = 0; length < frame.Length; length++)
        {
            var partial = new ReadOnlySequence<byte>(frame, 0, length);
            Assert.False(bob.TryOpen(ref partial, out _));
            Assert.Equal(length, partial.Length);
        }

        Assert.Equal(0UL, bob.ReceiveCipher.Nonce);
    }

    [Fact]
    public void TryOpen_TamperedFrame_ThrowsProtocolViolation()
    {
        for (int i = 2; i < 6 + 18; i++)
        {
            var (alice, bob) = CreatePair();
            var tampered = Seal(alice, "secret"u8);
            tampered[i] ^= 0x40;
            var sequence = new ReadOnlySequence<byte>(tampered);
            Assert.Throws<WireProtocolViolationException>(() => bob.TryOpen(ref sequence, out _));
        }
    }

    [Fact]
    public void TryOpen_FrameShorterThanTag_ThrowsProtocolViolation()
    {
        var (_, bob) = CreatePair();
        var sequence = new ReadOnlySequence<byte>([0x00, 0x0F, .. new byte[15]]);
        Assert.Throws<WireProtocolViolationException>(() => bob.TryOpen(ref sequence, out _));
        var empty = new ReadOnlySequence<byte>([0x00, 0x00]);
        Assert.Throws<WireProtocolViolationException>(() => bob.TryOpen(ref empty, out _));
    }

    [Fact]
    public void TryOpen_EmptyPlaintextFrame_IsValid()
    {
        var (alice, bob) = CreatePair();
        var sequence = new ReadOnlySequence<byte>(Seal(alice, []));
        Assert.True(bob.TryOpen(ref sequence, out var plaintext));
        Assert.Equal(0, plaintext.Length);
        plaintext.Return();
    }

    [Fact]
    public void Seal_NonceExhausted_ThrowsInvalidOperation()
    {
        var (alice, bob) = CreatePair();
        alice.SendCipher.SetNonce(ulong.MaxValue - 1);
        bob.ReceiveCipher.SetNonce(ulong.MaxValue - 1);
        var last = new ReadOnlySequence<byte>(Seal(alice, "last"u8));
        Assert.True(bob.TryOpen(ref last, out var plaintext));
        plaintext.Return();
        Assert.Throws<InvalidOperationException>(() => alice.Seal("one more"u8, new byte[100]));

        // The receiving side sees the remote exceed the nonce space as a protocol violation.
        var (carol, dave) = CreatePair();
        dave.ReceiveCipher.SetNonce(ulong.MaxValue);
        var frame = new ReadOnlySequence<byte>(Seal(carol, "x"u8));
        Assert.Throws<WireProtocolViolationException>(() => dave.TryOpen(ref frame, out _));
    }

    [Fact]
    public void TryOpen_RandomBytes_OnlyTypedExceptions()
    {
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            var (_, bob) = CreatePair();
            var sequence = new ReadOnlySequence<byte>(bytes);
            try
            {
                while (bob.TryOpen(ref sequence, out var plaintext))
                {
                    plaintext.Return();
                }
            }
            catch (WireProtocolViolationException)
            {
            }
        }, iter: 500);
    }

    [Fact]
    public void SealAndOpen_AllocateNothingPerFrame()
    {
        var (alice, bob) = CreatePair();
        var plaintext = new byte[1000];
        var frame = new byte[plaintext.Length + alice.FrameOverhead];
        void RoundTrip()
        {
            alice.Seal(plaintext, frame);
            var sequence = new ReadOnlySequence<byte>(frame);
            Assert.True(bob.TryOpen(ref sequence, out var opened));
            opened.Return();
        }

        for (int i = 0; i < 10; i++)
        {
            RoundTrip(); // warm up the pool and the JIT
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            RoundTrip();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Arguments_AreChecked()
    {
        var (alice, _) = CreatePair();
        Assert.Throws<ArgumentNullException>(() => new NoiseFrameCodec(null!, new CipherState()));
        Assert.Throws<ArgumentNullException>(() => new NoiseFrameCodec(new CipherState(), null!));
        Assert.Throws<ArgumentException>(() => new NoiseFrameCodec(new CipherState(), new CipherState()));
        Assert.Throws<ArgumentOutOfRangeException>(() => alice.Seal(new byte[65520], new byte[70000]));
        Assert.Throws<ArgumentException>(() => alice.Seal(new byte[10], new byte[27]));
    }
}
