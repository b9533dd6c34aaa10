using Rx.Network.Identity;

namespace Rx.Network.Protocols;

/// <summary>
/// One inbound request of a <see cref="RequestReplyService"/>, as its handler sees it: who sent it,
/// over which connection, and its bytes.
/// </summary>
/// <remarks>
/// The service owns the stream underneath; a handler answers by returning the reply (the delegate
/// form) or through <see cref="IncomingRequest"/> (the observable form).
/// </remarks>
public class RequestContext
{
    internal RequestContext(IStream stream, ReadOnlyMemory<byte> request)
    {
        Stream = stream;
        Request = request;
    }

    /// <summary>The protocol id the request arrived on.</summary>
    public string Protocol => Stream.Protocol;

    /// <summary>The connection the request arrived on.</summary>
    public IConnection Connection => Stream.Connection;

    /// <summary>The peer that sent the request, authenticated by the connection's security handshake.</summary>
    public PeerId RemotePeer => Stream.Connection.RemotePeer;

    /// <summary>The request payload (without its length prefix), at most <see cref="RequestReplyOptions.MaxRequestSize"/> bytes.</summary>
    public ReadOnlyMemory<byte> Request { get; }

    internal IStream Stream { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Protocol} request of {Request.Length} bytes from {RemotePeer}";
}
