using System.Reactive.Concurrency;

namespace Rx.Network.Mock.Time;

/// <summary>
/// A virtual-time scheduler counting <c>long</c> ticks of 100 ns, as Microsoft.Reactive.Testing's
/// <c>TestScheduler</c> does (its <c>Now</c> is <c>new DateTimeOffset(Clock, TimeSpan.Zero)</c>).
/// </summary>
internal sealed class TickVirtualClock(VirtualTimeSchedulerBase<long, long> scheduler)
    : VirtualClock<long, long>(scheduler)
{
    protected override long ToTicks(long absolute) => absolute;

    protected override long FromTicks(long ticks) => ticks;

    protected override long Between(long from, long to) => to - from;
}
