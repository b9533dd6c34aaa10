using Google.Protobuf;
using Rx.Network.Encoding;
using Rx.Network.Errors;
using Rx.Network.Identity;
using Proto = Rx.Network.Encoding.Proto;

namespace Rx.Network.Security;

/// <summary>
/// <c>/plaintext/2.0.0</c>: both sides send an <c>Exchange</c> message (peer ID and public key),
/// then bytes flow unprotected. For tests and as the pipeline's performance baseline only: it
/// proves nothing about the remote's identity to anyone who can touch the wire.
/// </summary>
/// <remarks>Spec: <see href="https://github.com/libp2p/specs/blob/master/plaintext/plaintext.md"/>.</remarks>
internal sealed class PlaintextSecurity : ISecurityProtocol
{
    /// <summary>The protocol id.</summary>
    public const string Id = "/plaintext/2.0.0";

    /// <summary>An exchange message is a peer ID and a key; anything larger is hostile.</summary>
    private const int MaxExchangeLength = PublicKey.MaxEncodedLength + 256;

    private readonly PrivateKey identity;
    private readonly SecureChannelOptions options;

    public PlaintextSecurity(PrivateKey identity, SecureChannelOptions? options = null)
    {
        this.identity = identity;
        this.options = options ?? SecureChannelOptions.Default;
    }

    /// <inheritdoc/>
    public string ProtocolId => Id;

    /// <inheritdoc/>
    public Task<ISecureChannel> SecureOutboundAsync(RawConnection connection, PeerId? expectedRemote, IReadOnlyList<string> muxers, CancellationToken cancellationToken) =>
        HandshakeAsync(connection, expectedRemote, cancellationToken);

    /// <inheritdoc/>
    public Task<ISecureChannel> SecureInboundAsync(RawConnection connection, IReadOnlyList<string> muxers, CancellationToken cancellationToken) =>
        HandshakeAsync(connection, null, cancellationToken);

    private async Task<ISecureChannel> HandshakeAsync(RawConnection connection, PeerId? expectedRemote, CancellationToken cancellationToken)
    {
        var localPeer = PeerId.FromPublicKey(identity.PublicKey);
        var exchange = new Proto.Exchange
        {
            Id = ByteString.CopyFrom(localPeer.Bytes.Span),
            Pubkey = Proto.PublicKey.Parser.ParseFrom(identity.PublicKey.ToProtobuf()),
        };

        PeerId remotePeer;
        PublicKey remoteKey;
        try
        {
            await LengthPrefixed.WriteAsync(connection.Pipe.Output, exchange.ToByteArray(), cancellationToken).ConfigureAwait(false);
            var bytes = await LengthPrefixed.ReadAsync(connection.Pipe.Input, MaxExchangeLength, cancellationToken).ConfigureAwait(false)
                ?? throw Error.Truncated("plaintext exchange");
            (remotePeer, remoteKey) = Verify(bytes);
        }
        catch (FormatException e)
        {
            throw new HandshakeException($"The plaintext handshake failed: {e.Message}", e);
        }
        catch (IOException e) when (e is not HandshakeException)
        {
            throw new HandshakeException($"The connection failed during the plaintext handshake: {e.Message}", e);
        }

        if (expectedRemote is not null && expectedRemote != remotePeer)
        {
            throw new PeerIdMismatchException(expectedRemote, remotePeer);
        }

        var session = new SecureSession(localPeer, remotePeer, remoteKey, Id, EarlyMuxer: null);
        return new SecureChannel(connection.Pipe, PassThroughCodec.Instance, PassThroughCodec.Instance, session, connection.Tasks, options, connection.Owner);
    }

    private static (PeerId Peer, PublicKey Key) Verify(byte[] bytes)
    {
        Proto.Exchange message;
        try
        {
            message = Proto.Exchange.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Error.Protocol("The plaintext exchange message is not valid protobuf.", e);
        }

        if (!message.HasId || message.Pubkey is null)
        {
            throw Error.Protocol("The plaintext exchange message lacks the peer ID or the public key.");
        }

        var key = PublicKey.FromProtobuf(message.Pubkey.ToByteArray());
        var peer = PeerId.FromBytes(message.Id.Span);
        if (!peer.Matches(key))
        {
            throw Error.Protocol($"The plaintext exchange claims peer {peer} with a key that belongs to {PeerId.FromPublicKey(key)}.");
        }

        return (peer, key);
    }
}
