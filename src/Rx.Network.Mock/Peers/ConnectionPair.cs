using Rx.Network.Mock.Links;

namespace Rx.Network.Mock.Peers;

/// <summary>
/// The two ends of one mock connection over one link. The listener's end exists from the moment
/// the dial arrives, the dialer's once the acceptance has come back; frames are addressed to "the
/// other end" and find it at arrival (links are FIFO, so the acceptance always arrives first).
/// </summary>
internal sealed class ConnectionPair(MockLink link, MockPeer dialer, MockPeer listener)
{
    public MockLink Link { get; } = link;

    public MockPeer Dialer { get; } = dialer;

    public MockPeer Listener { get; } = listener;

    public MockConnection? DialerSide { get; set; }

    public MockConnection? ListenerSide { get; set; }

    public IEnumerable<IConnection> Sides =>
        new IConnection?[] { DialerSide, ListenerSide }.OfType<IConnection>();

    public MockConnection? Other(MockConnection side) => side == DialerSide ? ListenerSide : DialerSide;

    /// <summary>Sends a frame from <paramref name="side"/> to whatever the other end is at arrival.</summary>
    /// <param name="side">The sending end.</param>
    /// <param name="kind">What rules see (null: a control frame).</param>
    /// <param name="protocol">The stream protocol, for rules.</param>
    /// <param name="length">Payload bytes.</param>
    /// <param name="atRemote">Runs at arrival, when the other end exists and is open.</param>
    /// <param name="lost">Runs when the frame is lost, or arrives to a closed end.</param>
    public void Send(MockConnection side, LinkFrameKind? kind, string? protocol, int length, Action<MockConnection> atRemote, Action<Exception>? lost)
    {
        Link.From(side.Local).Send(new ConnectionFrame(this, side, kind, protocol, length, atRemote, lost));
    }

    /// <summary>The link went down: both ends fail.</summary>
    public void Fail(Exception reason)
    {
        DialerSide?.Close(reason, notifyRemote: false);
        ListenerSide?.Close(reason, notifyRemote: false);
    }
}
