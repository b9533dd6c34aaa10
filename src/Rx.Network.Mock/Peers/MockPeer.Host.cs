using Rx.Network.Identity;

namespace Rx.Network.Mock.Peers;

/// <summary>What services learn about the peer through <see cref="INetwork"/>: its key and the protocols it serves.</summary>
internal sealed partial class MockPeer
{
    public PublicKey LocalPublicKey => Identity.PublicKey;

    public IObservable<IReadOnlyCollection<string>> LocalProtocols => Router.LocalProtocols;
}
