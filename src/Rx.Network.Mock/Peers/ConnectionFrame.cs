using Rx.Network.Mock.Links;

namespace Rx.Network.Mock.Peers;

/// <summary>
/// A frame from one end of a mock connection to whatever the other end is at arrival. Its own
/// type rather than a closure around the sender's action: every frame of a flood is one, and a
/// closure and its delegate per frame were a measurable share of the simulation's garbage.
/// </summary>
internal sealed class ConnectionFrame(
    ConnectionPair pair,
    MockConnection side,
    LinkFrameKind? kind,
    string? protocol,
    int length,
    Action<MockConnection> atRemote,
    Action<Exception>? lost)
    : Frame(kind, protocol, length, deliver: null, lost)
{
    private readonly Action<Exception>? lost = lost;

    public override void Deliver()
    {
        if (pair.Other(side) is { IsClosed: false } remote)
        {
            atRemote(remote);
        }
        else
        {
            lost?.Invoke(new MuxerClosedException("The connection closed before the frame arrived.", remote: true, errorCode: null));
        }
    }
}
