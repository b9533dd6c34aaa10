namespace Rx.Network.Mock.Tests.Scenarios;

/// <summary>The scenarios over TCP loopback: real sockets, real time, no timings asserted.</summary>
public sealed class TcpScenarios : ScenarioSuite
{
    protected override IReadOnlyDictionary<string, TimeSpan> Timings { get; } = new Dictionary<string, TimeSpan>();

    protected override IScenarioHost CreateHost() => new TcpScenarioHost();
}
