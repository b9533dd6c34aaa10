using Rx.Network.Identity;

namespace Rx.Network.Examples.KeyValue;

/// <summary>One change a <see cref="KeyValueStore"/> made on a peer's request.</summary>
/// <param name="Peer">The peer that asked for it.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">The new value, or <see langword="null"/> when the key was deleted.</param>
public sealed record KeyValueChange(PeerId Peer, string Key, ReadOnlyMemory<byte>? Value)
{
    /// <summary>Whether the key was deleted.</summary>
    public bool IsDelete => Value is null;
}
