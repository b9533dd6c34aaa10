using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network.Mock;

/// <summary>What the mock network keeps about one of its peers.</summary>
internal sealed class MockPeer
{
    public MockPeer(int index, PrivateKey key, bool ownsKey)
    {
        Index = index;
        Key = key;
        OwnsKey = ownsKey;
        Id = PeerId.FromPublicKey(key.PublicKey);
        Address = Multiaddr.Parse($"/memory/{Id}");
    }

    /// <summary>The order in which the peer was added (0 first): the same in every run, so it seeds the peer's links.</summary>
    public int Index { get; }

    public PeerId Id { get; }

    public PrivateKey Key { get; }

    /// <summary>Whether the mock network generated the key, and so disposes it.</summary>
    public bool OwnsKey { get; }

    /// <summary>The peer's listen address, <c>/memory/&lt;peer id&gt;</c>.</summary>
    public Multiaddr Address { get; }

    public INetwork Network { get; set; } = null!;

    public override string ToString() => $"#{Index} {Id}";
}
