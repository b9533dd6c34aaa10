namespace Rx.Network.Mock;

/// <summary>What a <see cref="LinkRule"/> does with a frame: let it pass, drop it, or delay it.</summary>
public readonly record struct LinkVerdict
{
    private LinkVerdict(bool drop, TimeSpan delay)
    {
        IsDrop = drop;
        ExtraDelay = delay;
    }

    /// <summary>Let the frame cross as the link's options say.</summary>
    public static LinkVerdict Pass => default;

    /// <summary>Lose the frame (see <see cref="LinkFrameKind"/> for what that does to each kind).</summary>
    public static LinkVerdict Drop => new(true, TimeSpan.Zero);

    /// <summary>Whether the frame is lost.</summary>
    public bool IsDrop { get; }

    /// <summary>Delay added to the frame's arrival; frames behind it on the link wait too (links are FIFO).</summary>
    public TimeSpan ExtraDelay { get; }

    /// <summary>Delays the frame by <paramref name="delay"/> on top of the link's latency.</summary>
    /// <param name="delay">The extra delay.</param>
    /// <returns>The verdict.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public static LinkVerdict Delay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new(false, delay);
    }
}
