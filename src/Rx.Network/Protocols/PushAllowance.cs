namespace Rx.Network.Protocols;

/// <summary>
/// The identify pushes one connection may still send: a token bucket holding up to
/// <c>perMinute</c> pushes, refilled at <c>perMinute</c> a minute, measured on the service's clock.
/// </summary>
internal sealed class PushAllowance
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly Lock gate = new();
    private readonly int perMinute;
    private double tokens;
    private DateTimeOffset refilled;

    public PushAllowance(int perMinute, DateTimeOffset now)
    {
        this.perMinute = perMinute;
        tokens = perMinute;
        refilled = now;
    }

    /// <summary>Takes one push from the allowance; <see langword="false"/> when none is left.</summary>
    public bool TryTake(DateTimeOffset now)
    {
        lock (gate)
        {
            if (now > refilled)
            {
                tokens = Math.Min(perMinute, tokens + (perMinute * ((now - refilled) / Minute)));
                refilled = now;
            }

            if (tokens < 1)
            {
                return false;
            }

            tokens--;
            return true;
        }
    }
}
