using Microsoft.Extensions.Time.Testing;
using Rx.Network.Muxing;

namespace Rx.Network.Tests.Muxing;

public class ReceiveWindowTests
{
    private const int Initial = YamuxHeader.InitialWindow;
    private static readonly TimeSpan Rtt = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Arguments_OutOfRange_Throw()
    {
        var time = new FakeTimeProvider();
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReceiveWindow(Initial - 1, Initial, time));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReceiveWindow(Initial * 2, Initial, time));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReceiveWindow(Initial, Credit.MaxCredit + 1, time));
        Assert.Throws<ArgumentNullException>(() => new ReceiveWindow(Initial, Initial, null!));
        var window = new ReceiveWindow(Initial, Initial, time);
        Assert.Throws<ArgumentOutOfRangeException>(() => window.Consume(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => window.Consume(-1));
    }

    [Fact]
    public void TryReceive_BeyondCredit_IsRefused()
    {
        var window = new ReceiveWindow(Initial, Initial, new FakeTimeProvider());
        Assert.True(window.TryReceive(Initial - 10));
        Assert.False(window.TryReceive(11));
        Assert.True(window.TryReceive(10));
        Assert.Equal(0, window.Credit);
        Assert.Equal(Initial, window.Buffered);
        Assert.False(window.TryReceive(1));
    }

    [Fact]
    public void TakeUpdate_GrantsOnceHalfTheWindowIsConsumed()
    {
        var window = new ReceiveWindow(Initial, Initial, new FakeTimeProvider());
        Assert.True(window.TryReceive(Initial));
        window.Consume((Initial / 2) - 1);
        Assert.Equal(0u, window.TakeUpdate(Rtt, force: false));
        window.Consume(1);
        Assert.Equal((uint)Initial / 2, window.TakeUpdate(Rtt, force: false));
        Assert.Equal(Initial / 2, window.Credit);
        Assert.Equal(0u, window.TakeUpdate(Rtt, force: false));
    }

    [Fact]
    public void TakeUpdate_Forced_GrantsTheWindowBeyondTheSpecInitial()
    {
        var window = new ReceiveWindow(4 * Initial, 4 * Initial, new FakeTimeProvider());
        Assert.Equal(Initial, window.Credit);
        Assert.Equal((uint)(3 * Initial), window.TakeUpdate(TimeSpan.Zero, force: true));
        Assert.Equal(4 * Initial, window.Credit);
        Assert.Equal(0u, window.TakeUpdate(TimeSpan.Zero, force: true));
    }

    [Fact]
    public void TakeUpdate_FastReader_DoublesWindowUpToMaximum()
    {
        var time = new FakeTimeProvider();
        var window = new ReceiveWindow(Initial, 3 * Initial, time);
        ConsumeHalf(window);
        time.Advance(Rtt * 3);
        Assert.Equal((uint)((2 * Initial) - (Initial / 2)), window.TakeUpdate(Rtt, force: false));
        Assert.Equal(2 * Initial, window.Window);

        ConsumeHalf(window);
        ConsumeHalf(window);
        Assert.True(window.TakeUpdate(Rtt, force: false) > 0);
        Assert.Equal(3 * Initial, window.Window);
        Assert.Equal(3 * Initial, window.Credit + window.Buffered);
    }

    [Fact]
    public void TakeUpdate_SlowReaderOrUnknownRtt_KeepsWindow()
    {
        var time = new FakeTimeProvider();
        var window = new ReceiveWindow(Initial, 16 * Initial, time);
        ConsumeHalf(window);
        time.Advance(Rtt * 4);
        Assert.Equal((uint)Initial / 2, window.TakeUpdate(Rtt, force: false));
        Assert.Equal(Initial, window.Window);

        ConsumeHalf(window);
        Assert.Equal((uint)Initial / 2, window.TakeUpdate(TimeSpan.Zero, force: false));
        Assert.Equal(Initial, window.Window);

        // A forced update (SYN/ACK) never auto-tunes.
        ConsumeHalf(window);
        Assert.Equal((uint)Initial / 2, window.TakeUpdate(Rtt, force: true));
        Assert.Equal(Initial, window.Window);
    }

    private static void ConsumeHalf(ReceiveWindow window)
    {
        Assert.True(window.TryReceive(Initial / 2));
        window.Consume(Initial / 2);
    }
}
