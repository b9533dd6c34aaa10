using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Reactive;

namespace Rx.Network.Swarm;

/// <summary>The dial paths inside their spans (<see cref="NetworkTracing"/>), taken only while something listens.</summary>
internal sealed partial class SwarmNetwork
{
    /// <summary><see cref="DialAttemptAsync"/>, inside an <c>rxnet.dial</c> span when traced.</summary>
    private Task<SwarmConnection> DialAttemptTracedAsync(PeerId peer)
    {
        return NetworkTracing.IsEnabled ? TracedAsync() : DialAttemptAsync(peer);

        async Task<SwarmConnection> TracedAsync()
        {
            // The caller holds dialsGate: leave it before a listener's callbacks run.
            await scheduler.Hop();
            using var activity = NetworkTracing.StartDial(peer);
            try
            {
                var connection = await DialAttemptAsync(peer).ConfigureAwait(false);
                activity?.SetTag(NetworkTracing.MultiaddrTag, connection.RemoteAddress.ToString());
                return connection;
            }
            catch (Exception e)
            {
                NetworkTracing.Failed(activity, e);
                throw;
            }
        }
    }

    /// <summary><see cref="DialAddressAsync"/>, inside an <c>rxnet.dial.address</c> span when traced.</summary>
    private Task<(Multiaddr Address, SwarmConnection? Connection, Exception? Error)> DialAddressTracedAsync(PeerId peer, Multiaddr address, AsyncGate throttle, CancellationToken cancellationToken)
    {
        return NetworkTracing.IsEnabled ? TracedAsync() : DialAddressAsync(peer, address, throttle, cancellationToken);

        async Task<(Multiaddr, SwarmConnection?, Exception?)> TracedAsync()
        {
            using var activity = NetworkTracing.StartDialAddress(peer, address);
            var result = await DialAddressAsync(peer, address, throttle, cancellationToken).ConfigureAwait(false);
            if (result.Error is { } error)
            {
                NetworkTracing.Failed(activity, error);
            }

            return result;
        }
    }
}
