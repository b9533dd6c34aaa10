namespace Rx.Network.Reactive;

/// <summary>
/// A Dataflow source of the library's that names its network's task scheduler, so that blocks the
/// library links to it run there too (ADR 0011 §1): the frame trace's observer block.
/// </summary>
internal interface IRunsOnNetworkTasks
{
    /// <summary>The network's <see cref="NetworkScheduler.Tasks"/>.</summary>
    TaskScheduler Tasks { get; }
}
