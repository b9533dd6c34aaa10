using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network.Hosting;

/// <summary>
/// Starts the node with the host — it listens on the configured addresses before the host's
/// <c>StartAsync</c> returns, so a failure to bind stops the host from starting — and shuts it
/// down gracefully (GoAway, then at most <see cref="NetworkOptions.ShutdownTimeout"/> for open
/// streams) when the host stops.
/// </summary>
internal sealed partial class RxNetworkHostedService(HostedNetwork node, ILogger<RxNetworkHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var network = node.Network;
        if (node.ListenAddresses.Count > 0)
        {
            await network.ListenAsync(node.ListenAddresses, cancellationToken).ConfigureAwait(false);
        }

        var addresses = network.ListenAddresses;
        LogStarted(logger, network.LocalPeer, addresses);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The network's own shutdown is bounded by its ShutdownTimeout; the host's token only ends
        // our wait for it (the shutdown then finishes in the background, as the host exits).
        await node.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        LogStopped(logger);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rx.Network node {PeerId} started; listening on [{Addresses}]")]
    private static partial void LogStarted(ILogger logger, PeerId peerId, IReadOnlyList<Multiaddr> addresses);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rx.Network node stopped")]
    private static partial void LogStopped(ILogger logger);
}
