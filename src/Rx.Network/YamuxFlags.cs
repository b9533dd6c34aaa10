namespace Rx.Network;

/// <summary>
/// The flags field of a yamux header (spec "Flag Field": libp2p/specs yamux/README.md#flag-field).
/// </summary>
[Flags]
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Naming",
    "CA1711:Identifiers should not have incorrect suffix",
    Justification = "The spec's name for the field (\"Flags\"); the enum is that field.")]
public enum YamuxFlags : ushort
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>Opens a stream (with a data or window-update frame); marks a ping request.</summary>
    Syn = 0x1,

    /// <summary>Accepts a stream (with a data or window-update frame); marks a ping response.</summary>
    Ack = 0x2,

    /// <summary>Half-closes the sender's side of a stream.</summary>
    Fin = 0x4,

    /// <summary>Resets a stream at once, both directions.</summary>
    Rst = 0x8,
}
