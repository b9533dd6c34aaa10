using CsCheck;
using NSec.Cryptography;
using Rx.Network.Security.Noise;

namespace Rx.Network.Tests.Security.Noise;

public class HandshakeStateTests
{
    private static X25519KeyPair X25519Key(byte[] privateKey) => X25519KeyPair.FromPrivateKey(privateKey);

    private static (HandshakeState Initiator, HandshakeState Responder, X25519KeyPair[] Statics) FromVector(NoiseVectors.Vector v)
    {
        var statics = new[] { X25519Key(v.InitiatorStatic), X25519Key(v.ResponderStatic) };
        var initiator = new HandshakeState(true, v.InitiatorPrologue, statics[0], X25519Key(v.InitiatorEphemeral));
        var responder = new HandshakeState(false, v.ResponderPrologue, statics[1], X25519Key(v.ResponderEphemeral));
        return (initiator, responder, statics);
    }

    private static (HandshakeState Initiator, HandshakeState Responder, X25519KeyPair[] Statics) RandomPair()
    {
        var statics = new[] { X25519KeyPair.Create(), X25519KeyPair.Create() };
        return (new HandshakeState(true, [], statics[0]), new HandshakeState(false, [], statics[1]), statics);
    }

    [Fact]
    public void ProtocolName_MatchesVector()
    {
        var v = NoiseVectors.Load();
        Assert.Equal(v.ProtocolName, System.Text.Encoding.ASCII.GetString(HandshakeState.ProtocolName));
    }

    [Fact]
    public void Vector_HandshakeAndTransportMessages_MatchCacophony()
    {
        var v = NoiseVectors.Load();
        var (initiator, responder, statics) = FromVector(v);
        using var _1 = initiator;
        using var _2 = responder;
        var buffer = new byte[HandshakeState.MaxMessageSize];
        var payload = new byte[HandshakeState.MaxMessageSize];

        // Handshake: messages 0 and 2 from the initiator, 1 from the responder.
        for (int i = 0; i < 3; i++)
        {
            var (writer, reader) = i % 2 == 0 ? (initiator, responder) : (responder, initiator);
            int written = writer.WriteMessage(v.Messages[i].Payload, buffer);
            Assert.Equal(Convert.ToHexString(v.Messages[i].Ciphertext), Convert.ToHexString(buffer, 0, written));
            int read = reader.ReadMessage(buffer.AsSpan(0, written), payload);
            Assert.Equal(v.Messages[i].Payload, payload[..read]);
        }

        Assert.True(initiator.IsCompleted);
        Assert.True(responder.IsCompleted);
        Assert.Equal(v.HandshakeHash, initiator.HandshakeHash.ToArray());
        Assert.Equal(v.HandshakeHash, responder.HandshakeHash.ToArray());
        Assert.Equal(responder.LocalStaticPublicKey.ToArray(), initiator.RemoteStaticPublicKey.ToArray());
        Assert.Equal(initiator.LocalStaticPublicKey.ToArray(), responder.RemoteStaticPublicKey.ToArray());

        // Transport: the messages keep alternating, responder first.
        var (initiatorSend, initiatorReceive) = initiator.Split();
        var (responderSend, responderReceive) = responder.Split();
        for (int i = 3; i < v.Messages.Length; i++)
        {
            var (send, receive) = i % 2 == 0 ? (initiatorSend, responderReceive) : (responderSend, initiatorReceive);
            int written = send.Encrypt([], v.Messages[i].Payload, buffer);
            Assert.Equal(Convert.ToHexString(v.Messages[i].Ciphertext), Convert.ToHexString(buffer, 0, written));
            Assert.True(receive.TryDecrypt([], buffer.AsSpan(0, written), payload, out int read));
            Assert.Equal(v.Messages[i].Payload, payload[..read]);
        }

        foreach (var key in statics)
        {
            key.Dispose();
        }
    }

    [Fact]
    public void RandomKeys_HandshakeCompletes_AndTransportKeysPair()
    {
        var (initiator, responder, statics) = RandomPair();
        var buffer = new byte[1024];
        var payload = new byte[1024];
        int n = initiator.WriteMessage([], buffer);
        responder.ReadMessage(buffer.AsSpan(0, n), payload);
        n = responder.WriteMessage("hello"u8, buffer);
        Assert.Equal(5, initiator.ReadMessage(buffer.AsSpan(0, n), payload));
        n = initiator.WriteMessage("world!"u8, buffer);
        Assert.Equal(6, responder.ReadMessage(buffer.AsSpan(0, n), payload));
        Assert.Equal(initiator.HandshakeHash.ToArray(), responder.HandshakeHash.ToArray());

        var (a, b) = initiator.Split();
        var (c, d) = responder.Split();
        n = a.Encrypt([], "ping"u8, buffer);
        Assert.True(d.TryDecrypt([], buffer.AsSpan(0, n), payload, out int read));
        Assert.Equal("ping"u8.ToArray(), payload[..read]);
        n = c.Encrypt([], "pong"u8, buffer);
        Assert.True(b.TryDecrypt([], buffer.AsSpan(0, n), payload, out read));
        Assert.Equal("pong"u8.ToArray(), payload[..read]);
        initiator.Dispose();
        responder.Dispose();
        statics[0].Dispose();
        statics[1].Dispose();
    }

    [Fact]
    public void Constructor_BadArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new HandshakeState(true, [], null!));
        Assert.Throws<ArgumentException>(() => X25519KeyPair.FromPrivateKey(new byte[31]));
    }

    [Fact]
    public void Calls_OutOfTurn_ThrowInvalidOperation()
    {
        var (initiator, responder, _) = RandomPair();
        var buffer = new byte[1024];
        Assert.True(initiator.IsMyTurn);
        Assert.False(responder.IsMyTurn);
        Assert.Throws<InvalidOperationException>(() => responder.WriteMessage([], buffer));
        Assert.Throws<InvalidOperationException>(() => initiator.ReadMessage(new byte[32], buffer));
        Assert.Throws<InvalidOperationException>(() => initiator.Split());
        Assert.Throws<ArgumentException>(() => initiator.WriteMessage([], new byte[10]));
        Assert.Throws<ArgumentException>(() => initiator.WriteMessage(new byte[HandshakeState.MaxMessageSize], new byte[70000]));
    }

    [Fact]
    public void ReadMessage_ShortOrTampered_ThrowsProtocolViolation()
    {
        var (initiator, responder, _) = RandomPair();
        var buffer = new byte[1024];
        var payload = new byte[1024];

        Assert.Throws<WireProtocolViolationException>(() => responder.ReadMessage(new byte[31], payload));
        int n = initiator.WriteMessage([], buffer);
        responder.ReadMessage(buffer.AsSpan(0, n), payload);
        n = responder.WriteMessage("payload"u8, buffer);
        var tampered = buffer[..n];
        tampered[40] ^= 1; // inside the encrypted static key
        Assert.Throws<WireProtocolViolationException>(() => initiator.ReadMessage(tampered, payload));
    }

    [Fact]
    public void ReadMessage_TamperedPayload_ThrowsProtocolViolation()
    {
        var (initiator, responder, _) = RandomPair();
        var buffer = new byte[1024];
        var payload = new byte[1024];
        int n = initiator.WriteMessage([], buffer);
        responder.ReadMessage(buffer.AsSpan(0, n), payload);
        n = responder.WriteMessage("payload"u8, buffer);
        buffer[n - 1] ^= 0x80; // the payload's tag
        Assert.Throws<WireProtocolViolationException>(() => initiator.ReadMessage(buffer.AsSpan(0, n), payload));
    }

    [Fact]
    public void ReadMessage_LowOrderEphemeral_ThrowsProtocolViolation()
    {
        var (initiator, responder, _) = RandomPair();
        var payload = new byte[1024];
        responder.ReadMessage(new byte[32], payload); // an all-zero (low-order) "e" is only hashed here
        var buffer = new byte[1024];
        Assert.Throws<WireProtocolViolationException>(() => responder.WriteMessage([], buffer)); // ee fails
        _ = initiator;
    }

    [Fact]
    public void ReadMessage_RandomBytes_OnlyProtocolViolations()
    {
        // Any message 1 is accepted (e is any 32 bytes, the payload is clear); message 2 and 3
        // from random bytes must fail authentication with the typed exception.
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            var (initiator, responder, statics) = RandomPair();
            var buffer = new byte[1024];
            var payload = new byte[1024];
            initiator.WriteMessage([], buffer);
            try
            {
                initiator.ReadMessage(bytes, payload);
                Assert.Fail("A random second message authenticated.");
            }
            catch (WireProtocolViolationException)
            {
            }

            try
            {
                responder.ReadMessage(bytes, payload);
            }
            catch (WireProtocolViolationException)
            {
                Assert.True(bytes.Length < HandshakeState.DhSize);
            }

            initiator.Dispose();
            responder.Dispose();
            statics[0].Dispose();
            statics[1].Dispose();
        }, iter: 300);
    }
}
