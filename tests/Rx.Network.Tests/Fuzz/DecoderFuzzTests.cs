using System.Buffers;
using CsCheck;
using NSec.Cryptography;
using Rx.Network.Addressing;
using Rx.Network.Encoding;
using Rx.Network.Identity;
using Rx.Network.Muxing;
using Rx.Network.Negotiation;
using Rx.Network.Protocols;
using Rx.Network.Security.Noise;
using Rx.Network.Tests.Encoding;
using Rx.Network.Tests.Identity;
using PrivateKey = Rx.Network.Identity.PrivateKey;
using PublicKey = Rx.Network.Identity.PublicKey;

namespace Rx.Network.Tests.Fuzz;

/// <summary>
/// Every synchronous decoder of bytes or text from the network, fed random input and input near a
/// valid encoding (cut, changed, extended): only typed exceptions may come out, and what parses
/// re-encodes to itself where the format is canonical. The counts scale with <see cref="Fuzz.Scale"/>.
/// </summary>
public sealed class DecoderFuzzTests
{
    private static readonly string[] ValidAddresses =
    [
        "/ip4/127.0.0.1/tcp/4001/p2p/" + KeyVectors.Ed25519PeerId,
        "/ip6/::1/tcp/0",
        "/dns4/example.com/tcp/443/wss",
        "/ip4/10.0.0.1/udp/4001/quic-v1",
        "/ip6zone/3/ip6/fe80::1/tcp/1",
    ];

    private static readonly string[] ValidPeerIds = [KeyVectors.Ed25519PeerId, KeyVectors.Secp256k1PeerId, KeyVectors.RsaPeerId, KeyVectors.Ed25519PeerCid];

    private static readonly string[] ValidKeys = [KeyVectors.Ed25519Public, KeyVectors.Secp256k1Public, KeyVectors.EcdsaPublic, KeyVectors.RsaPublic];

    private static Gen<byte[]> Near(IEnumerable<byte[]> valid) => Gen.OneOf(valid.Select(Mutations.Of).ToArray());

    private static Gen<byte[]> RandomOrNear(int maxRandom, IEnumerable<byte[]> valid) =>
        Gen.Frequency((1, Gen.Byte.Array[0, maxRandom]), (3, Near(valid)));

    [Fact]
    public void Varint_RandomAndNearValid_OnlyTyped()
    {
        var valid = new ulong[] { 0, 127, 128, 300, 1UL << 35, Varint.MaxValue }.Select(Varint.Encode);
        RandomOrNear(12, valid).Sample(bytes =>
        {
            var status = Varint.TryRead(bytes, out ulong value, out int read);
            if (status == VarintStatus.Done)
            {
                Assert.Equal(bytes[..read], Varint.Encode(value));
            }

            Fuzz.Accepts(() => Varint.Read(bytes, out _));
            Fuzz.Accepts(() => Varint.ReadAsync(new MemoryStream(bytes)).AsTask().GetAwaiter().GetResult());
        }, iter: Fuzz.Iter(3000));
    }

    [Fact]
    public void LengthPrefixed_RandomAndNearValid_SplitAnywhere_OnlyTyped()
    {
        var valid = new[] { LengthPrefixed.Frame("hello"u8), [.. LengthPrefixed.Frame(new byte[200]), .. LengthPrefixed.Frame([])], [0xff, 0xff, 0xff, 0x7f] };
        Gen.Select(RandomOrNear(40, valid), Gen.Int[0, 64], Gen.Int[0, 300]).Sample((bytes, cut, maxSize) =>
        {
            cut = Math.Min(cut, bytes.Length);
            var buffer = Segments.Create(bytes[..cut], bytes[cut..]);
            var messages = new List<byte[]>();
            bool ok = Fuzz.Accepts(() =>
            {
                while (LengthPrefixed.TryRead(ref buffer, out var message, maxSize))
                {
                    Assert.True(message.Length <= maxSize);
                    messages.Add(message.ToArray());
                }
            });
            if (ok)
            {
                // What was read re-frames to the bytes consumed.
                var consumed = messages.SelectMany(m => LengthPrefixed.Frame(m)).ToArray();
                Assert.Equal(bytes.AsSpan(0, consumed.Length).ToArray(), consumed);
            }

            Fuzz.Accepts(() => LengthPrefixed.ReadAsync(new MemoryStream(bytes), maxSize).AsTask().GetAwaiter().GetResult());
        }, iter: Fuzz.Iter(3000));
    }

    [Fact]
    public void Multiaddr_RandomAndNearValid_BytesAndText_OnlyTyped()
    {
        var bytes = ValidAddresses.Select(a => Multiaddr.Parse(a).ToBytes());
        RandomOrNear(60, bytes).Sample(b =>
        {
            Multiaddr? address = null;
            if (Fuzz.Accepts(() => address = Multiaddr.FromBytes(b)))
            {
                Assert.Equal(b, address!.ToBytes());
                Assert.Equal(address, Multiaddr.Parse(address.ToString()));
                address.TryGetEndPoint(out _);
            }
        }, iter: Fuzz.Iter(3000));

        Gen.OneOf(ValidAddresses.Select(Mutations.Of).ToArray()).Sample(text =>
        {
            Multiaddr? address = null;
            if (Fuzz.Accepts(() => address = Multiaddr.Parse(text)))
            {
                Assert.Equal(address, Multiaddr.FromBytes(address!.ToBytes()));
            }

            Assert.Equal(address is not null, Multiaddr.TryParse(text, out _));
        }, iter: Fuzz.Iter(3000));
    }

    [Fact]
    public void PeerId_RandomAndNearValid_BytesAndText_OnlyTyped()
    {
        var bytes = ValidPeerIds.Select(p => PeerId.Parse(p).ToBytes());
        RandomOrNear(60, bytes).Sample(b =>
        {
            PeerId? id = null;
            if (Fuzz.Accepts(() => id = PeerId.FromBytes(b)))
            {
                Assert.Equal(b, id!.ToBytes());
                id.TryGetPublicKey(out _);
            }
        }, iter: Fuzz.Iter(3000));

        Gen.OneOf(ValidPeerIds.Select(Mutations.Of).ToArray()).Sample(text =>
        {
            bool parsed = Fuzz.Accepts(() => PeerId.Parse(text));
            Assert.Equal(parsed, PeerId.TryParse(text, out _));
        }, iter: Fuzz.Iter(2000));
    }

    [Fact]
    public void Keys_RandomAndNearValid_OnlyTyped_BadSignaturesAreFalse()
    {
        var keys = ValidKeys.Select(Convert.FromHexString);
        RandomOrNear(120, keys).Sample(b =>
        {
            PublicKey? key = null;
            if (Fuzz.Accepts(() => key = PublicKey.FromProtobuf(b)))
            {
                // A bad signature is false, never an exception.
                Assert.False(key!.Verify("data"u8, b));
            }
        }, iter: Fuzz.Iter(2000));

        Near([Convert.FromHexString(KeyVectors.Ed25519Private)]).Sample(b =>
        {
            Fuzz.Accepts(() => PrivateKey.FromProtobuf(b).Dispose());
        }, iter: Fuzz.Iter(1000));
    }

    [Fact]
    public void Identify_RandomAndNearValid_OnlyTyped()
    {
        using var identity = PrivateKey.Generate();
        var content = new IdentifyContent("ipfs/0.1.0", "rx/1", identity.PublicKey, ValidAddresses.Select(Multiaddr.Parse).ToArray(), Multiaddr.Parse(ValidAddresses[0]), ["/ipfs/ping/1.0.0", "/ipfs/id/1.0.0"]);
        var valid = IdentifyCodec.Encode(content, 64 * 1024, 1, out _);
        RandomOrNear(200, valid).Sample(b => { Fuzz.Accepts(() => IdentifyCodec.Decode(b)); }, iter: Fuzz.Iter(2000));
    }

    [Fact]
    public void NoisePayload_RandomAndNearValid_OnlyTyped()
    {
        using var identity = PrivateKey.Generate();
        var staticKey = new byte[32];
        Random.Shared.NextBytes(staticKey);
        var valid = NoiseHandshake.BuildPayload(identity, staticKey, ["/yamux/1.0.0"]);

        // The untouched payload verifies; anything else fails typed (a changed signature or key
        // fails as a HandshakeException, a malformed protobuf as a WireProtocolViolationException).
        Assert.Equal(PeerId.FromPublicKey(identity.PublicKey), NoiseHandshake.VerifyPayload(valid, staticKey).Peer);
        RandomOrNear(200, [valid]).Sample(b =>
        {
            NoiseHandshake.RemoteIdentity? remote = null;
            if (Fuzz.Accepts(() => remote = NoiseHandshake.VerifyPayload(b, staticKey)))
            {
                // Only changes outside the signed fields (e.g. the muxer list) may still verify.
                Assert.Equal(identity.PublicKey, remote!.Key);
            }
        }, iter: Fuzz.Iter(1000));
    }

    [Fact]
    public void NoiseHandshakeMessages_NearValid_OnlyProtocolViolations()
    {
        // A real first or second message, changed: the responder takes any first message of at
        // least 32 bytes (e is unauthenticated); a changed second message never authenticates.
        Gen.Select(Gen.Bool, Fuzz.Edit).Sample((second, edit) =>
        {
            using var s1 = X25519KeyPair.Create();
            using var s2 = X25519KeyPair.Create();
            using var initiator = new HandshakeState(true, [], s1);
            using var responder = new HandshakeState(false, [], s2);
            var buffer = new byte[HandshakeState.MaxMessageSize];
            var payload = new byte[HandshakeState.MaxMessageSize];
            var first = buffer.AsSpan(0, initiator.WriteMessage("one"u8, buffer)).ToArray();
            try
            {
                if (!second)
                {
                    responder.ReadMessage(Fuzz.Mutate(first, edit), payload);
                    return;
                }

                responder.ReadMessage(first, payload);
                var reply = buffer.AsSpan(0, responder.WriteMessage("two"u8, buffer)).ToArray();
                var mutated = Fuzz.Mutate(reply, edit);
                int read = initiator.ReadMessage(mutated, payload);

                // Only appended junk is out of reach of the tag... and even that fails the tag.
                Assert.Fail($"A changed second message authenticated ({read} payload bytes).");
            }
            catch (WireProtocolViolationException)
            {
            }
        }, iter: Fuzz.Iter(500));
    }

    [Fact]
    public void NoiseTransportFrames_NearValid_OnlyProtocolViolations()
    {
        Gen.Select(Gen.Byte.Array[0, 300], Fuzz.Edit).Sample((plaintext, edit) =>
        {
            var (alice, bob) = CodecPair();
            var frame = new byte[plaintext.Length + alice.FrameOverhead];
            alice.Seal(plaintext, frame);
            var wire = new ReadOnlySequence<byte>(Fuzz.Mutate(frame, edit));
            try
            {
                while (bob.TryOpen(ref wire, out var opened))
                {
                    // Only the untouched frame (before appended junk) opens, to the same bytes.
                    Assert.Equal(plaintext, opened.Span.ToArray());
                    opened.Return();
                }
            }
            catch (WireProtocolViolationException)
            {
            }
        }, iter: Fuzz.Iter(500));
    }

    [Fact]
    public void YamuxHeader_Random_ReadOrTyped()
    {
        Gen.Byte.Array[YamuxHeader.Size].Sample(bytes =>
        {
            YamuxHeader header = default;
            if (Fuzz.Accepts(() => header = YamuxHeader.ReadFrom(bytes)))
            {
                var again = new byte[YamuxHeader.Size];
                header.WriteTo(again);
                Assert.Equal(bytes, again);
            }
        }, iter: Fuzz.Iter(3000));
    }

    [Fact]
    public void MultistreamMessage_RandomAndNearValid_OnlyTyped()
    {
        var valid = new[] { MultistreamMessage.Frame("/multistream/1.0.0", "/noise").ToArray(), MultistreamMessage.FrameList(["/a", "/b/1.0.0"]).ToArray() };
        RandomOrNear(60, valid).Sample(bytes =>
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            Fuzz.Accepts(() =>
            {
                while (LengthPrefixed.TryRead(ref buffer, out var message, MultistreamSelect.MaxMessageLength))
                {
                    Fuzz.Accepts(() => MultistreamMessage.Decode(message));
                    Fuzz.Accepts(() => MultistreamMessage.ParseList(message));
                }
            });
        }, iter: Fuzz.Iter(3000));
    }

    private static (NoiseFrameCodec Alice, NoiseFrameCodec Bob) CodecPair()
    {
        using var k1 = X25519KeyPair.Create();
        using var k2 = X25519KeyPair.Create();
        using var initiator = new HandshakeState(true, [], k1);
        using var responder = new HandshakeState(false, [], k2);
        var buffer = new byte[256];
        var payload = new byte[256];
        responder.ReadMessage(buffer.AsSpan(0, initiator.WriteMessage([], buffer)), payload);
        initiator.ReadMessage(buffer.AsSpan(0, responder.WriteMessage([], buffer)), payload);
        responder.ReadMessage(buffer.AsSpan(0, initiator.WriteMessage([], buffer)), payload);
        var (aSend, aReceive) = initiator.Split();
        var (bSend, bReceive) = responder.Split();
        return (new NoiseFrameCodec(aSend, aReceive), new NoiseFrameCodec(bSend, bReceive));
    }
}
