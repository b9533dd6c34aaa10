using Rx.Network.Negotiation;

namespace Rx.Network.Swarm;

/// <summary>Bounds on upgrading a raw connection (negotiation, security handshake, muxer selection).</summary>
public sealed record UpgradeOptions
{
    /// <summary>The defaults: 15 s for the whole upgrade.</summary>
    public static UpgradeOptions Default { get; } = new();

    /// <summary>
    /// How long the whole upgrade may take before the connection is dropped. Default 15 s (go-libp2p
    /// uses 15 s for its negotiation timeout). A peer that never finishes its handshake holds a
    /// socket only this long.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>multistream-select limits used during the upgrade.</summary>
    public MultistreamOptions Multistream { get; init; } = MultistreamOptions.Default;
}
