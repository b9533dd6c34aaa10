using CsCheck;
using Google.Protobuf;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Protocols;
using Rx.Network.Tests.Identity;
using Proto = Rx.Network.Encoding.Proto;

namespace Rx.Network.Tests.Protocols;

public class IdentifyCodecTests
{
    private static readonly Multiaddr[] Addresses =
    [
        Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001"),
        Multiaddr.Parse("/ip6/::1/tcp/4002"),
        Multiaddr.Parse("/dns4/example.com/tcp/443"),
        Multiaddr.Parse("/ip4/192.0.2.7/udp/9/quic-v1"),
    ];

    private static readonly PublicKey Key = IdentifyTestKit.StrangerKey();

    private static readonly Gen<string> Protocol =
        Gen.Char['!', '~'].Array[1, 40].Select(chars => "/" + new string(chars));

    private static readonly Gen<IdentifyContent> Content =
        Gen.Select(
            Gen.String.Null(),
            Gen.String.Null(),
            Gen.Bool,
            Gen.Int[0, Addresses.Length].Select(n => Addresses[..n]),
            Gen.Int[-1, Addresses.Length - 1],
            Protocol.Array[0, 20])
        .Select((protocolVersion, agentVersion, withKey, addresses, observed, protocols) => new IdentifyContent(
            protocolVersion,
            agentVersion,
            withKey ? Key : null,
            addresses,
            observed < 0 ? null : Addresses[observed],
            protocols.Distinct(StringComparer.Ordinal).ToArray()));

    [Fact]
    public void Encode_UsesTheSpecFieldNumbers()
    {
        var content = new IdentifyContent("p", "a", null, [Addresses[0]], Addresses[0], ["/x"]);

        var message = Assert.Single(IdentifyCodec.Encode(content, 8192, 10, out int dropped));

        Assert.Equal(0, dropped);
        var address = Addresses[0].Bytes.ToArray();
        byte[] expected =
        [
            0x12, (byte)address.Length, .. address,     // listenAddrs = 2
            0x1A, 2, (byte)'/', (byte)'x',              // protocols = 3
            0x22, (byte)address.Length, .. address,     // observedAddr = 4
            0x2A, 1, (byte)'p',                         // protocolVersion = 5
            0x32, 1, (byte)'a',                         // agentVersion = 6
        ];
        Assert.Equal(expected, message);
        var decoded = IdentifyCodec.Decode(expected);
        Assert.Equal(("p", "a"), (decoded.ProtocolVersion, decoded.AgentVersion));
        Assert.Equal([Addresses[0]], decoded.ListenAddresses);
        Assert.Equal(Addresses[0], decoded.ObservedAddress);
        Assert.Equal(["/x"], decoded.Protocols);
    }

    [Fact]
    public void EncodeDecode_RoundTrip()
    {
        Content.Sample(content =>
        {
            var message = Assert.Single(IdentifyCodec.Encode(content, 64 * 1024, 10, out _));
            var decoded = IdentifyCodec.Decode(message);

            Assert.Equal(content.ProtocolVersion, decoded.ProtocolVersion);
            Assert.Equal(content.AgentVersion, decoded.AgentVersion);
            Assert.Equal(content.PublicKey, decoded.PublicKey);
            Assert.Equal(content.ObservedAddress, decoded.ObservedAddress);
            Assert.Equal(content.ListenAddresses, decoded.ListenAddresses);
            Assert.Equal(content.Protocols, decoded.Protocols);
        });
    }

    [Fact]
    public void Encode_TooBigForOneMessage_SplitsAndMergeRestoresIt()
    {
        var protocols = Enumerable.Range(0, 300).Select(i => $"/protocol/with/a/long/name/{i}/1.0.0").ToArray();
        var content = new IdentifyContent("ipfs/0.1.0", "agent/1", Key, Addresses, Addresses[0], protocols);

        var messages = IdentifyCodec.Encode(content, 1024, 100, out int dropped);

        Assert.Equal(0, dropped);
        Assert.True(messages.Count > 5);
        Assert.All(messages, m => Assert.InRange(m.Length, 1, 1024));
        var reader = new IdentifyReader(int.MaxValue, int.MaxValue);
        messages.ForEach(m => reader.Add(m));
        var merged = reader.Content;
        Assert.Equal(protocols, merged.Protocols);
        Assert.Equal(Addresses, merged.ListenAddresses);
        Assert.Equal(Key, merged.PublicKey);
        Assert.Equal("agent/1", merged.AgentVersion);
    }

    [Fact]
    public void Encode_BeyondTheMessageCount_DropsAndCounts()
    {
        var protocols = Enumerable.Range(0, 300).Select(i => $"/protocol/with/a/long/name/{i}/1.0.0").ToArray();
        var content = new IdentifyContent(null, null, null, [], null, protocols);

        var messages = IdentifyCodec.Encode(content, 1024, 2, out int dropped);

        Assert.Equal(2, messages.Count);
        int kept = messages.Sum(m => IdentifyCodec.Decode(m).Protocols.Count);
        Assert.Equal(protocols.Length, kept + dropped);
        Assert.True(dropped > 0);
    }

    [Fact]
    public void Decode_ToleratesSignedPeerRecordAndUnknownFields()
    {
        var message = new Proto.Identify { AgentVersion = "js-libp2p/3.3.11", SignedPeerRecord = ByteString.CopyFrom(1, 2, 3) };
        byte[] bytes = [.. message.ToByteArray(), 0x48, 0x01]; // field 9, varint 1: a field from the future

        var decoded = IdentifyCodec.Decode(bytes);

        Assert.Equal("js-libp2p/3.3.11", decoded.AgentVersion);
    }

    [Fact]
    public void Decode_SkipsBadAndDuplicateAddresses_AndStripsPeerIds()
    {
        var peer = PeerId.FromPublicKey(Key);
        var message = new Proto.Identify();
        message.ListenAddrs.Add(ByteString.CopyFrom(0xFF, 0xFF));
        message.ListenAddrs.Add(ByteString.Empty);
        message.ListenAddrs.Add(ByteString.CopyFrom(Addresses[0].WithPeerId(peer).Bytes.Span));
        message.ListenAddrs.Add(ByteString.CopyFrom(Addresses[0].Bytes.Span));
        message.ObservedAddr = ByteString.CopyFrom(0xFF);
        message.Protocols.Add(["", "/a", "/a", new string('x', 1001)]);

        var decoded = IdentifyCodec.Decode(message.ToByteArray());

        Assert.Equal([Addresses[0]], decoded.ListenAddresses);
        Assert.Null(decoded.ObservedAddress);
        Assert.Equal(["/a"], decoded.Protocols);
    }

    [Fact]
    public void Decode_BadPublicKey_ThrowsProtocolViolation()
    {
        var message = new Proto.Identify { PublicKey = ByteString.CopyFrom(8, 9) };

        Assert.Throws<WireProtocolViolationException>(() => IdentifyCodec.Decode(message.ToByteArray()));
    }

    [Fact]
    public void Decode_RandomBytes_OnlyProtocolViolation()
    {
        Gen.Byte.Array[0, 200].Sample(bytes => { ParsesOrRejects(bytes); }, iter: 5000);
    }

    [Fact]
    public void Decode_MutatedMessages_OnlyProtocolViolation()
    {
        Content.SelectMany(content => Mutations.Of(IdentifyCodec.Encode(content, 64 * 1024, 10, out _)[0]))
            .Sample(bytes => { ParsesOrRejects(bytes); }, iter: 3000);
    }

    private static void ParsesOrRejects(byte[] bytes)
    {
        try
        {
            IdentifyCodec.Decode(bytes);
        }
        catch (WireProtocolViolationException)
        {
        }
    }
}
