using Google.Protobuf;
using Rx.Network.Encoding.Proto;
using Rx.Network.Errors;
using Rx.Network.Identity;
using PrivateKey = Rx.Network.Identity.PrivateKey;
using PublicKey = Rx.Network.Identity.PublicKey;

namespace Rx.Network.Security.Noise;

/// <summary>The signed libp2p handshake payload (spec, "The libp2p Handshake Payload").</summary>
internal static partial class NoiseHandshake
{
    /// <summary>
    /// The largest payload that fits in the biggest handshake message (the second: e, encrypted s
    /// and the payload's tag take 96 of its 65535 bytes).
    /// </summary>
    internal const int MaxPayloadSize = HandshakeState.MaxMessageSize - (2 * HandshakeState.DhSize) - (2 * CipherState.TagSize);

    /// <summary>The prefix of the signed data: the UTF-8 string <c>noise-libp2p-static-key:</c>.</summary>
    internal static ReadOnlySpan<byte> SignaturePrefix => "noise-libp2p-static-key:"u8;

    /// <summary>Builds and signs our payload.</summary>
    internal static byte[] BuildPayload(PrivateKey identity, ReadOnlySpan<byte> staticPublicKey, IReadOnlyList<string> muxers)
    {
        var payload = new NoiseHandshakePayload
        {
            IdentityKey = ByteString.CopyFrom(identity.PublicKey.ToProtobuf()),
            IdentitySig = ByteString.CopyFrom(identity.Sign(SignedData(staticPublicKey))),
        };

        // An absent extension (rather than an empty list) is what peers without muxer
        // preferences send, and it reads the same.
        if (muxers.Count > 0)
        {
            payload.Extensions = new NoiseExtensions { StreamMuxers = { muxers } };
        }

        var bytes = payload.ToByteArray();
        if (bytes.Length > MaxPayloadSize)
        {
            throw new ArgumentException("The muxer list does not fit in a Noise handshake message.", nameof(muxers));
        }

        return bytes;
    }

    /// <summary>Parses the remote's payload and checks its signature over the remote's static key.</summary>
    /// <exception cref="WireProtocolViolationException">The payload or the key in it is malformed.</exception>
    /// <exception cref="HandshakeException">The signature does not verify.</exception>
    internal static RemoteIdentity VerifyPayload(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> remoteStaticKey)
    {
        NoiseHandshakePayload payload;
        try
        {
            payload = NoiseHandshakePayload.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException exception)
        {
            throw Error.Protocol("The Noise handshake payload is not a valid NoiseHandshakePayload.", exception);
        }

        if (payload.IdentityKey.IsEmpty || payload.IdentitySig.IsEmpty)
        {
            throw Error.Protocol("The Noise handshake payload lacks the identity key or its signature.");
        }

        PublicKey key;
        try
        {
            key = PublicKey.FromProtobuf(payload.IdentityKey.Span);
        }
        catch (FormatException exception)
        {
            throw Error.Protocol("The identity key in the Noise handshake payload is not usable.", exception);
        }

        if (!key.Verify(SignedData(remoteStaticKey), payload.IdentitySig.Span))
        {
            throw Error.Handshake("The remote's signature over its Noise static key is invalid.");
        }

        IReadOnlyList<string> muxers = payload.Extensions is { } extensions ? [.. extensions.StreamMuxers] : [];
        return new RemoteIdentity(key, PeerId.FromPublicKey(key), muxers);
    }

    private static byte[] SignedData(ReadOnlySpan<byte> staticPublicKey)
    {
        var data = new byte[SignaturePrefix.Length + staticPublicKey.Length];
        SignaturePrefix.CopyTo(data);
        staticPublicKey.CopyTo(data.AsSpan(SignaturePrefix.Length));
        return data;
    }

    /// <summary>The remote's verified identity and its advertised muxers.</summary>
    internal sealed record RemoteIdentity(PublicKey Key, PeerId Peer, IReadOnlyList<string> Muxers);
}
