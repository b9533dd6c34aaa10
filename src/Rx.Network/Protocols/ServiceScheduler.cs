using Rx.Network.Reactive;

namespace Rx.Network.Protocols;

/// <summary>
/// How a service finds the scheduler of the network it runs on, through the public
/// <see cref="INetwork.Scheduler"/> and <see cref="INetwork.TimeProvider"/> only, so a decorator of
/// <see cref="INetwork"/> that passes them through gives the service the same scheduler.
/// </summary>
/// <remarks>Here rather than in <c>Reactive</c>: <see cref="NetworkScheduler"/> sits below the
/// contracts (ADR 0001) and cannot name <see cref="INetwork"/>.</remarks>
internal static class ServiceScheduler
{
    /// <summary>
    /// The scheduler of <paramref name="network"/> as a network scheduler: itself for the library's
    /// own networks (and their decorators), or one that posts to the thread pool and times with
    /// <see cref="INetwork.TimeProvider"/> for other implementations of <see cref="INetwork"/>.
    /// </summary>
    /// <param name="network">The network.</param>
    /// <returns>The scheduler.</returns>
    public static NetworkScheduler Of(INetwork network) =>
        network.Scheduler as NetworkScheduler ?? new NetworkScheduler(network.TimeProvider, network.Scheduler);
}
