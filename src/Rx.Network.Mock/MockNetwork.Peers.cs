using Rx.Network.Identity;
using Rx.Network.Mock.Transport;

namespace Rx.Network.Mock;

public sealed partial class MockNetwork
{
    /// <summary>
    /// Adds a peer with a new key (derived from the seed when there is one) and starts it listening
    /// on <c>/memory/&lt;peer id&gt;</c>. It has no links yet.
    /// </summary>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <returns>The peer's network; the mock network disposes it.</returns>
    /// <exception cref="ObjectDisposedException">The mock network was disposed.</exception>
    public Task<INetwork> GenPeerAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return StartPeerAsync(NextKey(), ownsKey: true, cancellationToken);
    }

    /// <summary>Like <see cref="GenPeerAsync"/>, for callers that cannot await (starting a mock peer does not wait on anything).</summary>
    /// <returns>The peer's network; the mock network disposes it.</returns>
    /// <exception cref="ObjectDisposedException">The mock network was disposed.</exception>
    public INetwork GenPeer() => RunSynchronously(GenPeerAsync());

    /// <summary>Adds a peer with the given identity and starts it listening on <c>/memory/&lt;peer id&gt;</c>.</summary>
    /// <param name="key">The identity; the mock network does not dispose it.</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <returns>The peer's network; the mock network disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">A peer with that identity is already part of the network.</exception>
    /// <exception cref="ObjectDisposedException">The mock network was disposed.</exception>
    public Task<INetwork> AddPeerAsync(PrivateKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfDisposed();
        return StartPeerAsync(key, ownsKey: false, cancellationToken);
    }

    /// <summary>Like <see cref="AddPeerAsync"/>, for callers that cannot await.</summary>
    /// <param name="key">The identity; the mock network does not dispose it.</param>
    /// <returns>The peer's network; the mock network disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">A peer with that identity is already part of the network.</exception>
    /// <exception cref="ObjectDisposedException">The mock network was disposed.</exception>
    public INetwork AddPeer(PrivateKey key) => RunSynchronously(AddPeerAsync(key));

    private static INetwork RunSynchronously(Task<INetwork> start) =>
        // Mock listening completes synchronously, so this never blocks; the check keeps it honest.
        start.IsCompleted
            ? start.GetAwaiter().GetResult()
            : throw new InvalidOperationException("Starting the mock peer did not complete synchronously; use the asynchronous method.");

    private PrivateKey NextKey()
    {
        if (keySource is null)
        {
            return PrivateKey.Generate();
        }

        Span<byte> keySeed = stackalloc byte[PrivateKey.SeedLength];
        lock (keySource)
        {
            keySource.NextBytes(keySeed);
        }

        return PrivateKey.FromSeed(keySeed);
    }

    private async Task<INetwork> StartPeerAsync(PrivateKey key, bool ownsKey, CancellationToken cancellationToken)
    {
        MockPeer peer;
        lock (gate)
        {
            peer = new MockPeer(nextPeerIndex++, key, ownsKey);
            if (!peersById.TryAdd(peer.Id, peer))
            {
                throw new ArgumentException($"Peer {peer.Id} is already part of this mock network.", nameof(key));
            }

            peers.Add(peer);
        }

        try
        {
            var builder = new NetworkBuilder()
                .WithSecurity(Options.Mode == MockNetworkMode.Secure ? SecurityProtocol.Noise : SecurityProtocol.Plaintext);
            Options.ConfigurePeer?.Invoke(builder);
            var transport = new MockTransport(this, peer);
            peer.Network = builder
                .WithIdentity(key)
                .WithTimeProvider(TimeProvider)
                .WithTransport(_ => transport)
                .Build();
            await peer.Network.ListenAsync([peer.Address], cancellationToken).ConfigureAwait(false);
            return peer.Network;
        }
        catch
        {
            lock (gate)
            {
                peers.Remove(peer);
                peersById.Remove(peer.Id);
            }

            if (peer.Network is { } network)
            {
                await network.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }
}
