namespace Rx.Network.Mock.Tests.Scenarios;

/// <summary>
/// Where a scenario of <see cref="ScenarioSuite"/> runs: two peers of a real network over TCP
/// loopback, of the mock's fast mode, or of the mock's real-stack mode (both in virtual time).
/// </summary>
public interface IScenarioHost : IAsyncDisposable
{
    /// <summary>Whether time is virtual (then timings are exact and asserted).</summary>
    bool IsVirtual { get; }

    /// <summary>The network's clock.</summary>
    TimeProvider Time { get; }

    /// <summary>The current time on <see cref="Time"/>.</summary>
    DateTimeOffset Now { get; }

    /// <summary>Two peers that can reach each other (B's address known to A), without ping and identify; connected (A dialed) when asked.</summary>
    /// <param name="connect">Whether A dials B first.</param>
    /// <param name="limits">Both peers' resource limits; the defaults when null. Once per host.</param>
    Task<(INetwork A, INetwork B)> TwoPeersAsync(bool connect, Resources.ResourceLimits? limits = null);

    /// <summary>Runs <paramref name="operation"/> to its end: in virtual time, moving the clock as it needs; in real time, bounded by a real-time timeout.</summary>
    Task<T> RunAsync<T>(Func<Task<T>> operation);

    /// <summary>Lets what <see cref="RunAsync"/> set off finish (virtual time: every ready item, the clock unmoved; real time: nothing).</summary>
    Task SettleAsync();
}
