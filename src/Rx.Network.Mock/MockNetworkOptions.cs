using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock;

/// <summary>Settings of a <see cref="MockNetwork"/>.</summary>
public sealed record MockNetworkOptions
{
    /// <summary>The defaults: unseeded, <see cref="MockNetworkMode.Fast"/>, perfect links.</summary>
    public static MockNetworkOptions Default { get; } = new();

    /// <summary>
    /// Seeds every random choice the mock network makes: the keys of generated peers (so peer ids
    /// repeat) and the jitter of each link. <see langword="null"/> (the default): fresh keys and a
    /// random seed. Randomness inside the protocols (Noise ephemeral keys, ping payloads) is not
    /// seeded; it changes bytes, never sizes or timing.
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>The connection pipeline peers run. Default <see cref="MockNetworkMode.Fast"/>.</summary>
    public MockNetworkMode Mode { get; init; } = MockNetworkMode.Fast;

    /// <summary>The options of links made without explicit ones (see <see cref="MockNetwork.SetLinkDefaults"/>). Default <see cref="LinkOptions.Default"/>.</summary>
    /// <exception cref="ArgumentNullException">Null.</exception>
    public LinkOptions DefaultLink
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = LinkOptions.Default;

    /// <summary>
    /// Adjusts each peer's <see cref="NetworkBuilder"/> (limits, yamux options, logging, ping) before
    /// the mock network sets what it owns: identity, transport and clock. Null (the default): none.
    /// </summary>
    public Action<NetworkBuilder>? ConfigurePeer { get; init; }

    /// <summary>
    /// Bytes one direction of a connection may carry that the receiver has not read yet; past it,
    /// the sender's flush waits (a TCP window). Default 4 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int ConnectionBufferSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 4 * 1024 * 1024;

    /// <summary>
    /// How far <see cref="MockNetwork.RunAsync(Func{Task}, TimeSpan?, CancellationToken)"/> and the
    /// connect and disconnect helpers may move virtual time before giving up with a
    /// <see cref="TimeoutException"/> (on a real-time scheduler, how long they wait). Default 10 minutes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative (and not infinite).</exception>
    public TimeSpan OperationTimeout
    {
        get;
        init
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive, or Timeout.InfiniteTimeSpan.");
            }

            field = value;
        }
    } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long, in real time, the thread pool may stay busy while the mock network waits for it to
    /// go idle between steps of virtual time (see <see cref="TestScheduler"/>). A safety net against
    /// code that blocks or spins forever; default 30 s.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative (and not infinite).</exception>
    public TimeSpan IdleTimeout
    {
        get;
        init
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive, or Timeout.InfiniteTimeSpan.");
            }

            field = value;
        }
    } = TimeSpan.FromSeconds(30);

    /// <summary>The real clock <see cref="IdleTimeout"/> is measured on. Default <see cref="TimeProvider.System"/>.</summary>
    /// <exception cref="ArgumentNullException">Null.</exception>
    public TimeProvider WallClock
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = TimeProvider.System;
}
