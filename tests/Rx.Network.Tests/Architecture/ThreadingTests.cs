using Rx.Network.Mock;

namespace Rx.Network.Tests.Architecture;

/// <summary>
/// ADR 0011 §1: library code (Rx.Network and Rx.Network.Mock) never sends work to the thread pool
/// behind its network's back (<c>Task.Run</c>, <c>Task.Yield</c>, <c>TaskScheduler.Default</c>,
/// <c>ThreadPool.*</c>, <c>PipeScheduler.ThreadPool</c>), except where listed here with the reason.
/// </summary>
public sealed class ThreadingTests
{
    /// <summary>Where the rule allows the thread pool for good.</summary>
    private static readonly Dictionary<string, string> Allowed = new(StringComparer.Ordinal)
    {
        ["Rx.Network.Reactive.NetworkScheduler::*"] = "the one place posted work goes: the thread pool in production, the driver's queue in virtual time",
        ["Rx.Network.Transports.TcpConnection::ReceiveLoopAsync"] = "the TCP socket pump: the boundary to the operating system, as in Kestrel",
        ["Rx.Network.Transports.TcpConnection::SendLoopAsync"] = "the TCP socket pump",
        ["Rx.Network.Transports.TcpConnection::PipeOptionsFor"] = "the socket pipes' reader scheduler, as measured (docs/benchmarks.md)",
        ["Rx.Network.Mock.MockNetwork::RunAsync"] = "real-time mode only (no driver): the user's operation runs on the pool as over TCP",
        ["Rx.Network.Mock.Time.RunWatch::*"] = "the virtual-time driver watching the pool (its counts and idleness) for the run's code that left the driver (ADR 0011 §4); it sends no work but the listener's no-op handshake",
        ["Rx.Network.Mock.Time.VirtualTimeDriver::*"] = "the virtual-time driver reading the pool's queue length before a step (ADR 0011 §4)",
    };

    /// <summary>
    /// Uses that remain until the work named moves them onto the network's scheduler. An entry that
    /// no longer occurs fails the test, so this list only shrinks.
    /// </summary>
    private static readonly Dictionary<string, string> NotYetMoved = new(StringComparer.Ordinal)
    {
        // Empty since branch flow10 (#16 item 2): the last inline ContinueWith continuations on
        // TaskScheduler.Default take the network's NetworkScheduler.Tasks (from the swarm, the
        // connection host, the service's scheduler, the mock network), the stream adapter's fault
        // observer takes its stream's, and the in-memory channel's completion is a plain await.
    };

    private static readonly Lazy<IReadOnlyList<CodeReference>> Library = new(() =>
        [.. AssemblyReferenceReader.Read(typeof(INetwork).Assembly.Location),
         .. AssemblyReferenceReader.Read(typeof(MockNetwork).Assembly.Location)]);

    [Fact]
    public void Library_SendsNoWorkToTheThreadPool_OutsideTheListedPlaces()
    {
        var uses = ThreadApiUse.Find(Library.Value, [.. Allowed.Keys, .. NotYetMoved.Keys]);

        Assert.True(uses.Count == 0, "Thread-pool APIs used outside the allowed places (post through the network's NetworkScheduler instead):\n" + string.Join('\n', uses));
    }

    [Fact]
    public void NotYetMoved_ListsOnlyUsesThatStillExist()
    {
        // Without its entry, a place still in use shows up.
        var stale = NotYetMoved.Keys
            .Where(place => ThreadApiUse.Find(Library.Value, [.. Allowed.Keys, .. NotYetMoved.Keys.Where(other => other != place)]).Count == 0)
            .ToArray();

        Assert.True(stale.Length == 0, "No longer used there; remove from NotYetMoved:\n" + string.Join('\n', stale));
    }

    [Fact]
    public void Find_ReportsAForbiddenCall_NamingTheSourceMemberOfAStateMachine()
    {
        CodeReference[] references =
        [
            new("Lib.Pump", "<RunAsync>d__4.MoveNext", "System.Threading.Tasks.Task", "Yield"),
            new("Lib.Pump", "Start", "System.Threading.ThreadPool", "UnsafeQueueUserWorkItem"),
            new("Lib.Pump", "Wait", "System.Threading.Tasks.Task", "Delay"),
            new("Lib.Other", "<>c__DisplayClass1_0.<<Dial>g__Traced|0>d.MoveNext", "System.IO.Pipelines.PipeScheduler", "get_ThreadPool"),
        ];

        Assert.Equal(
            ["Lib.Other::<>c__DisplayClass1_0.<<Dial>g__Traced|0>d.MoveNext -> System.IO.Pipelines.PipeScheduler::get_ThreadPool"],
            ThreadApiUse.Find(references, ["Lib.Pump::RunAsync", "Lib.Pump::Start"]));
        Assert.Equal(2, ThreadApiUse.Find(references, ["Lib.Pump::RunAsync"]).Count);
        Assert.Equal("Dial", ThreadApiUse.SourceMember("<>c__DisplayClass1_0.<<Dial>g__Traced|0>d.MoveNext"));
        Assert.Equal("Subscriber.Start", ThreadApiUse.SourceMember("Subscriber.Start"));
    }
}
