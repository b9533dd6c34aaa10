namespace Rx.Network.Negotiation;

/// <summary>Limits and timing of one multistream-select negotiation.</summary>
/// <remarks>
/// Immutable once built (<c>init</c> properties), so one instance can be shared by every
/// negotiation of a swarm. Every limit has a finite default except <see cref="Timeout"/>, which the
/// layer running the negotiation (the swarm's upgrader, a stream handler) is expected to set.
/// </remarks>
public sealed class MultistreamOptions
{
    /// <summary>The default of <see cref="MaxRefusals"/>: 16.</summary>
    public const int DefaultMaxRefusals = 16;

    private readonly int maxRefusals = DefaultMaxRefusals;
    private readonly TimeSpan timeout = System.Threading.Timeout.InfiniteTimeSpan;
    private readonly TimeProvider timeProvider = TimeProvider.System;

    /// <summary>The options used when none are given.</summary>
    public static MultistreamOptions Default { get; } = new();

    /// <summary>
    /// How many messages the responder answers with something other than acceptance (<c>na</c> to
    /// an unknown protocol, or an <c>ls</c> listing) before it gives up with
    /// <see cref="NegotiationFailure.TooManyProposals"/>. Default <see cref="DefaultMaxRefusals"/>;
    /// without a bound a peer could keep a channel busy forever with proposals. Unused by the initiator,
    /// whose attempts are bounded by its own list.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxRefusals
    {
        get => maxRefusals;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            maxRefusals = value;
        }
    }

    /// <summary>
    /// How long the whole negotiation may take, measured on <see cref="TimeProvider"/>; when it
    /// elapses the negotiation fails with <see cref="NegotiationFailure.TimedOut"/>. Default
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>: only the caller's cancellation token
    /// applies.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither positive nor infinite.</exception>
    public TimeSpan Timeout
    {
        get => timeout;
        init
        {
            if (value <= TimeSpan.Zero && value != System.Threading.Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The timeout must be positive or infinite.");
            }

            timeout = value;
        }
    }

    /// <summary>The clock that measures <see cref="Timeout"/>. Default <see cref="TimeProvider.System"/>.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public TimeProvider TimeProvider
    {
        get => timeProvider;
        init => timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }
}
