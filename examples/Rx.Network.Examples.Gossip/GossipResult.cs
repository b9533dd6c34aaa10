namespace Rx.Network.Examples.Gossip;

/// <summary>What a simulation measured.</summary>
/// <param name="Peers">Peers in the network.</param>
/// <param name="Links">Links (each a connection between two peers).</param>
/// <param name="DeliveryTimes">For each peer reached, the virtual time from publication to delivery, sorted (the origin at zero).</param>
/// <param name="Sent">Message copies sent.</param>
/// <param name="Duplicates">Copies that reached a peer that already had the message.</param>
/// <param name="SetupWallTime">Wall time to build, link and connect the network.</param>
/// <param name="FloodWallTime">Wall time of the flood itself.</param>
/// <param name="PeakWorkingSet">The process's peak working set, in bytes, at the end.</param>
public sealed record GossipResult(
    int Peers,
    int Links,
    IReadOnlyList<TimeSpan> DeliveryTimes,
    long Sent,
    long Duplicates,
    TimeSpan SetupWallTime,
    TimeSpan FloodWallTime,
    long PeakWorkingSet)
{
    /// <summary>Peers the message reached.</summary>
    public int Delivered => DeliveryTimes.Count;

    /// <summary>Virtual time until the last peer had the message.</summary>
    public TimeSpan Completion => DeliveryTimes.Count == 0 ? TimeSpan.Zero : DeliveryTimes[^1];

    /// <summary>The virtual time by which <paramref name="fraction"/> of the peers had the message.</summary>
    /// <param name="fraction">Between 0 and 1.</param>
    /// <returns>The time, or <see cref="Completion"/> when fewer were reached.</returns>
    public TimeSpan Percentile(double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1);
        int index = Math.Min(DeliveryTimes.Count - 1, (int)Math.Ceiling(fraction * Peers) - 1);
        return index < 0 ? TimeSpan.Zero : DeliveryTimes[index];
    }
}
