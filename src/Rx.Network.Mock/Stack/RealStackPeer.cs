using System.Net.Sockets;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Mock.Links;
using Rx.Network.Mock.Peers;
using Rx.Network.Transports;

namespace Rx.Network.Mock.Stack;

/// <summary>
/// A peer of the mock network in <see cref="MockNetworkMode.RealStack"/> mode: a production
/// network (swarm, multistream-select, Noise by default, yamux, ping, identify) whose only
/// transport carries bytes over mock links.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The swarm owns and disposes the listener; the peer only routes dials to it.")]
internal sealed class RealStackPeer : ILinkEnd
{
    /// <summary>How many unread bytes one direction of a connection may hold (like a socket buffer).</summary>
    private const int ConnectionBuffer = 1024 * 1024;

    private readonly MockNetwork network;
    private readonly Lock gate = new();
    private readonly Dictionary<MockLink, HashSet<StackConnection>> byLink = [];
    private StackListener? listener;

    public RealStackPeer(MockNetwork network, int index, PrivateKey key, bool ownsKey)
    {
        this.network = network;
        Index = index;
        LocalPeer = PeerId.FromPublicKey(key.PublicKey);
        Address = Multiaddr.Parse($"/memory/{LocalPeer}");
        var builder = new NetworkBuilder().WithSecurity(SecurityProtocol.Noise).WithAgentVersion(Protocols.IdentifyOptions.DefaultAgentVersion);
        network.Options.ConfigurePeer?.Invoke(builder);
        Peer = builder
            .WithIdentity(key)
            .WithTimeProvider(network.TimeProvider)
            .WithNetworkScheduler(network.Work)
            .WithTransport(_ => new StackTransport(this))
            .Build();
        if (ownsKey)
        {
            _ = Peer.Completion.ContinueWith(_ => key.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, network.Work.Tasks);
        }
    }

    public int Index { get; }

    public PeerId LocalPeer { get; }

    public INetwork Peer { get; }

    public Multiaddr Address { get; }

    /// <summary>Starts listening on the peer's memory address (completes at once: nothing on the way waits).</summary>
    public void Start() => Peer.ListenAsync([Address]).GetAwaiter().GetResult();

    public void Cut(MockLink link, Exception reason)
    {
        StackConnection[] failing;
        lock (gate)
        {
            if (!byLink.Remove(link, out var set))
            {
                return;
            }

            failing = [.. set];
        }

        var error = new TransportException($"The mock link broke: {reason.Message}", reason);
        foreach (var connection in failing)
        {
            connection.Sever(error);
        }
    }

    public StackListener Listen(Multiaddr address)
    {
        lock (gate)
        {
            if (listener is not null || !address.Equals(Address))
            {
                throw new TransportException(address, SocketError.AddressAlreadyInUse, $"A real-stack mock peer listens once, on its own address {Address}.");
            }

            return listener = new StackListener(this, address, _ =>
            {
                lock (gate)
                {
                    listener = null;
                }
            });
        }
    }

    public async Task<IRawConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken)
    {
        string? name = address.Components[0].Value;
        var target = PeerId.TryParse(name, out var id) ? network.FindEnd(id) as RealStackPeer : null;
        var link = target is null ? null : network.LinkOf(this, target);
        var reason = target is null ? new MockLinkException($"No real-stack peer at {address}.")
            : link is null ? new MockLinkException($"{LocalPeer.Short()} and {target.LocalPeer.Short()} are not linked.")
            : link.CutReason;
        if (reason is not null || target is null || link is null)
        {
            throw new TransportException(address, SocketError.ConnectionRefused, $"The mock dial to {address} was refused: {reason?.Message}", reason);
        }

        var (dialerSide, listenerSide) = StackConnection.CreatePair(
            link, this, Forget, Address, target, target.Forget, target.Address, ConnectionBuffer);
        var outcome = new TaskCompletionSource<IRawConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        link.From(this).Send(new Frame(
            LinkFrameKind.Dial,
            protocol: null,
            0,
            () =>
            {
                if (!target.Accept(link, listenerSide))
                {
                    link.From(target).Send(new Frame(null, null, 0, () => outcome.TrySetException(Refused(address, "nothing listens there, or its backlog is full")), lost => outcome.TrySetException(Refused(address, lost.Message))));
                    return;
                }

                link.From(target).Send(new Frame(
                    null,
                    null,
                    0,
                    () =>
                    {
                        Track(link, dialerSide);
                        if (!outcome.TrySetResult(dialerSide))
                        {
                            dialerSide.Abort();
                        }
                    },
                    lost => outcome.TrySetException(Refused(address, lost.Message))));
            },
            lost => outcome.TrySetException(Refused(address, lost.Message))));
        using (cancellationToken.Register(() => outcome.TrySetCanceled(cancellationToken)))
        {
            return await outcome.Task.ConfigureAwait(false);
        }
    }

    private static TransportException Refused(Multiaddr address, string why) =>
        new(address, SocketError.ConnectionRefused, $"The mock dial to {address} failed: {why}");

    private bool Accept(MockLink link, StackConnection connection)
    {
        StackListener? current;
        lock (gate)
        {
            current = listener;
        }

        if (current is null || !current.TryEnqueue(connection))
        {
            return false;
        }

        Track(link, connection);
        return true;
    }

    private void Track(MockLink link, StackConnection connection)
    {
        lock (gate)
        {
            if (!byLink.TryGetValue(link, out var set))
            {
                byLink[link] = set = [];
            }

            set.Add(connection);
        }
    }

    private void Forget(StackConnection connection)
    {
        lock (gate)
        {
            if (byLink.TryGetValue(connection.Link, out var set))
            {
                set.Remove(connection);
            }
        }
    }
}
