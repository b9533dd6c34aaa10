using Rx.Network.Identity;

namespace Rx.Network.Swarm;

/// <summary>What services learn about the local host through <see cref="INetwork"/>: its key and the protocols it serves.</summary>
internal sealed partial class SwarmNetwork
{
    /// <inheritdoc/>
    public PublicKey LocalPublicKey => Identity.PublicKey;

    /// <inheritdoc/>
    public IObservable<IReadOnlyCollection<string>> LocalProtocols => Router.LocalProtocols;
}
