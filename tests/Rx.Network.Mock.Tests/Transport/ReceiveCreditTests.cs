using Rx.Network.Mock.Transport;

namespace Rx.Network.Mock.Tests.Transport;

public sealed class ReceiveCreditTests
{
    [Fact]
    public void Constructor_RejectsNoCapacity() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReceiveCredit(0));

    [Fact]
    public async Task WaitAsync_CompletesWhenReleasedBelowCapacity()
    {
        var credit = new ReceiveCredit(100);
        credit.Add(99);
        Assert.True(credit.WaitAsync(default).AsTask().IsCompleted);
        credit.Add(1);

        var wait = credit.WaitAsync(default).AsTask();
        Assert.False(wait.IsCompleted);
        credit.Release(1);

        var result = await wait.WaitAsync(MockKit.Patience);
        Assert.False(result.IsCanceled);
        Assert.Equal(99, credit.Outstanding);
    }

    [Fact]
    public async Task WaitAsync_OnlyOneWaiterAtATime()
    {
        var credit = new ReceiveCredit(1);
        credit.Add(1);
        var first = credit.WaitAsync(default).AsTask();

        Assert.Throws<InvalidOperationException>(() => { _ = credit.WaitAsync(default).AsTask(); });
        credit.Unbound();
        await first.WaitAsync(MockKit.Patience);
        Assert.False((await credit.WaitAsync(default)).IsCompleted);
    }

    [Fact]
    public async Task Fail_FailsTheWaiterAndLaterWaits()
    {
        var credit = new ReceiveCredit(1);
        credit.Add(1);
        var wait = credit.WaitAsync(default).AsTask();

        credit.Fail(new IOException("gone"));

        await Assert.ThrowsAsync<IOException>(() => wait);
        await Assert.ThrowsAsync<IOException>(() => credit.WaitAsync(default).AsTask());
    }

    [Fact]
    public async Task CancelPendingWait_EndsTheWaiterOrTheNextWait()
    {
        var credit = new ReceiveCredit(1);
        credit.CancelPendingWait();
        Assert.True((await credit.WaitAsync(default)).IsCanceled);
        Assert.False((await credit.WaitAsync(default)).IsCanceled);

        credit.Add(1);
        var wait = credit.WaitAsync(default).AsTask();
        credit.CancelPendingWait();
        Assert.True((await wait.WaitAsync(MockKit.Patience)).IsCanceled);
    }

    [Fact]
    public async Task WaitAsync_HonoursTheToken()
    {
        var credit = new ReceiveCredit(1);
        credit.Add(1);
        using var cts = new CancellationTokenSource();

        var wait = credit.WaitAsync(cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(MockKit.Patience));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => credit.WaitAsync(cts.Token).AsTask());
        credit.Release(1);
        Assert.True(credit.WaitAsync(default).AsTask().IsCompleted);
    }
}
