using Rx.Network.Identity;

namespace Rx.Network.Security.Noise;

/// <summary>
/// What a completed libp2p Noise handshake yields: the remote's proven identity, the muxer agreed
/// in the handshake, and the transport cipher states ready to build a <see cref="NoiseFrameCodec"/>.
/// </summary>
/// <remarks>
/// Owns the cipher states until <see cref="CreateCodec"/> moves them into a codec; disposing a
/// result whose codec was never created wipes them.
/// </remarks>
internal sealed class NoiseHandshakeResult : IDisposable
{
    private CipherState? send;
    private CipherState? receive;

    internal NoiseHandshakeResult(
        PublicKey remotePublicKey,
        PeerId remotePeer,
        string? earlyMuxer,
        IReadOnlyList<string> remoteMuxers,
        byte[] handshakeHash,
        CipherState send,
        CipherState receive)
    {
        RemotePublicKey = remotePublicKey;
        RemotePeer = remotePeer;
        EarlyMuxer = earlyMuxer;
        RemoteMuxers = remoteMuxers;
        HandshakeHash = handshakeHash;
        this.send = send;
        this.receive = receive;
    }

    /// <summary>The remote's libp2p identity key, proven by its signature over its Noise static key.</summary>
    public PublicKey RemotePublicKey { get; }

    /// <summary>The remote's peer ID, derived from <see cref="RemotePublicKey"/>.</summary>
    public PeerId RemotePeer { get; }

    /// <summary>
    /// The muxer both sides chose through the <c>stream_muxers</c> extension, or
    /// <see langword="null"/> when multistream-select must negotiate one.
    /// </summary>
    public string? EarlyMuxer { get; }

    /// <summary>The muxers the remote advertised (empty when it sent none).</summary>
    public IReadOnlyList<string> RemoteMuxers { get; }

    /// <summary>The final Noise handshake hash, a value unique to this session (usable for channel binding).</summary>
    public byte[] HandshakeHash { get; }

    /// <summary>Test hook: the cipher state for what we send, until a codec takes it.</summary>
    internal CipherState? SendCipher => send;

    /// <summary>Test hook: the cipher state for what we receive, until a codec takes it.</summary>
    internal CipherState? ReceiveCipher => receive;

    /// <summary>Moves the cipher states into a new frame codec; callable once.</summary>
    /// <returns>The codec, which now owns the keys.</returns>
    /// <exception cref="InvalidOperationException">The codec was already created, or the result disposed.</exception>
    public NoiseFrameCodec CreateCodec()
    {
        var (s, r) = (send, receive);
        if (s is null || r is null)
        {
            throw new InvalidOperationException("The transport keys were already handed to a codec, or disposed.");
        }

        send = receive = null;
        return new NoiseFrameCodec(s, r);
    }

    /// <summary>Wipes the transport keys unless a codec took them.</summary>
    public void Dispose()
    {
        send?.Dispose();
        receive?.Dispose();
        send = receive = null;
    }
}
