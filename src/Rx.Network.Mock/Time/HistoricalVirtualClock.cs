using System.Reactive.Concurrency;

namespace Rx.Network.Mock.Time;

/// <summary>
/// A virtual-time scheduler on <see cref="DateTimeOffset"/> time, as System.Reactive's own
/// <see cref="HistoricalScheduler"/> is (what a notebook kernel or a simulation uses where
/// Microsoft.Reactive.Testing is not at hand).
/// </summary>
internal sealed class HistoricalVirtualClock(VirtualTimeSchedulerBase<DateTimeOffset, TimeSpan> scheduler)
    : VirtualClock<DateTimeOffset, TimeSpan>(scheduler)
{
    protected override long ToTicks(DateTimeOffset absolute) => absolute.UtcTicks;

    protected override DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    protected override TimeSpan Between(DateTimeOffset from, DateTimeOffset to) => to - from;
}
