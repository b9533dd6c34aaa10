namespace Rx.Network.Mock.Peers;

/// <summary>What services learn about the peer through <see cref="INetwork"/>: the protocols it serves (its key: <see cref="LocalPublicKey"/>).</summary>
internal sealed partial class MockPeer
{
    public IObservable<IReadOnlyCollection<string>> LocalProtocols => Router.LocalProtocols;
}
