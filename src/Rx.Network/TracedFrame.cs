namespace Rx.Network;

/// <summary>
/// One yamux frame of a connection as its frame trace saw it (<see cref="IConnection.Frames"/>):
/// the decoded header, which way it went and when. The payload is not part of it.
/// </summary>
/// <remarks>
/// What the secured connection carried, after decryption: the view a packet capture cannot give
/// of an encrypted libp2p connection, for debugging interoperability (who opened which stream,
/// which window updates went where, who sent the FIN or the RST first).
/// </remarks>
/// <param name="Direction"><see cref="Direction.Inbound"/>: received from the peer (seen when the
/// demultiplexer decoded its header); <see cref="Direction.Outbound"/>: sent to it (seen when the
/// session's writer took the frame for the secure channel).</param>
/// <param name="Type">The frame type.</param>
/// <param name="Flags">The flags.</param>
/// <param name="StreamId">The stream id; 0 for the session's own frames (ping, GoAway).</param>
/// <param name="Length">The length field: the payload length of a data frame, the window
/// increment of a window update (the reset code of a window-update RST from go-yamux), the opaque
/// value of a ping, the code of a GoAway.</param>
/// <param name="Timestamp">When the frame was seen, from the network's <see cref="TimeProvider"/>
/// (virtual time on the mock network).</param>
public readonly record struct TracedFrame(
    Direction Direction,
    YamuxFrameType Type,
    YamuxFlags Flags,
    uint StreamId,
    uint Length,
    DateTimeOffset Timestamp)
{
    /// <summary>A compact line for logs, e.g. <c>12:00:00.000123 out Data SYN stream 3 len 32</c>.</summary>
    /// <returns>The line.</returns>
    public override string ToString() =>
        $"{Timestamp:HH:mm:ss.ffffff} {(Direction == Direction.Inbound ? "in " : "out")} {Type} " +
        $"{(Flags == YamuxFlags.None ? "-" : Flags.ToString().Replace(", ", "|", StringComparison.Ordinal).ToUpperInvariant())} " +
        $"stream {StreamId} len {Length}";
}
