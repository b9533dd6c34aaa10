namespace Rx.Network;

/// <summary>Which side opened a connection or a stream.</summary>
public enum Direction
{
    /// <summary>Not known (for example, a connection handed in from outside).</summary>
    Unknown = 0,

    /// <summary>The remote opened it.</summary>
    Inbound,

    /// <summary>We opened it.</summary>
    Outbound,
}
