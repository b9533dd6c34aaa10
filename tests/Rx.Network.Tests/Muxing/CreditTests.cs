using Rx.Network.Muxing;

namespace Rx.Network.Tests.Muxing;

public class CreditTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Arguments_OutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Credit(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Credit(Credit.MaxCredit + 1));
        var credit = new Credit(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = credit.RequestAsync(0).AsTask(); });
        Assert.Throws<ArgumentOutOfRangeException>(() => credit.Release(-1));
        Assert.Throws<ArgumentNullException>(() => credit.Fault(null!));
    }

    [Fact]
    public void RequestAsync_CreditOnHand_CompletesSynchronouslyWithAtMostAvailable()
    {
        var credit = new Credit(100);
        var first = credit.RequestAsync(30).AsTask();
        Assert.Equal(TaskStatus.RanToCompletion, first.Status);
        var second = credit.RequestAsync(500).AsTask();
        Assert.Equal(TaskStatus.RanToCompletion, second.Status);
        Assert.Equal([30, 70], new[] { first, second }.Select(t => t.Result));
        Assert.Equal(0, credit.Available);
    }

    [Fact]
    public async Task RequestAsync_NoCredit_WaitsForRelease()
    {
        var credit = new Credit(0);
        var waiting = credit.RequestAsync(10).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, credit.WaiterCount);
        credit.Release(4);
        Assert.Equal(4, await waiting.WaitAsync(Timeout));
        Assert.Equal(0, credit.Available);
    }

    [Fact]
    public async Task Release_WakesWaitersInArrivalOrder_WithPartialGrants()
    {
        var credit = new Credit(0);
        var big = credit.RequestAsync(100).AsTask();
        var small = credit.RequestAsync(1).AsTask();
        var third = credit.RequestAsync(5).AsTask();

        // The head gets what there is; the small request behind it does not overtake.
        credit.Release(50);
        Assert.Equal(50, await big.WaitAsync(Timeout));
        Assert.False(small.IsCompleted);

        credit.Release(3);
        Assert.Equal(1, await small.WaitAsync(Timeout));
        Assert.Equal(2, await third.WaitAsync(Timeout));
        Assert.Equal(0, credit.Available);
        Assert.Equal(0, credit.WaiterCount);
    }

    [Fact]
    public async Task RequestAsync_Cancelled_GivesUpPlaceWithoutLosingCredit()
    {
        var credit = new Credit(0);
        using var cts = new CancellationTokenSource();
        var cancelled = credit.RequestAsync(10, cts.Token).AsTask();
        var next = credit.RequestAsync(10).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Timeout));

        credit.Release(7);
        Assert.Equal(7, await next.WaitAsync(Timeout));

        Assert.True(credit.RequestAsync(1, cts.Token).AsTask().IsCanceled);
    }

    [Fact]
    public async Task RequestAsync_CancelledAfterGrant_KeepsGrant()
    {
        var credit = new Credit(0);
        using var cts = new CancellationTokenSource();
        var waiting = credit.RequestAsync(10, cts.Token).AsTask();
        credit.Release(10);
        await cts.CancelAsync();
        Assert.Equal(10, await waiting.WaitAsync(Timeout));
        Assert.Equal(0, credit.Available);
    }

    [Fact]
    public async Task Fault_FailsWaitersAndLaterRequests()
    {
        var credit = new Credit(0);
        var waiting = credit.RequestAsync(10).AsTask();
        var error = new StreamResetException(remote: true);
        credit.Fault(error);
        credit.Fault(new InvalidOperationException("ignored"));
        Assert.Same(error, await Assert.ThrowsAsync<StreamResetException>(() => waiting.WaitAsync(Timeout)));
        Assert.Same(error, await Assert.ThrowsAsync<StreamResetException>(() => credit.RequestAsync(1).AsTask()));
        Assert.True(credit.IsFaulted);
        credit.Release(5);
        Assert.Equal(0, credit.Available);
    }

    [Fact]
    public void Release_ClampsAtMaxCredit()
    {
        var credit = new Credit(Credit.MaxCredit - 1);
        credit.Release(10);
        Assert.Equal(Credit.MaxCredit, credit.Available);
    }

    [Fact]
    public async Task Concurrent_RequestsAndReleases_NeitherLoseNorInventCredit()
    {
        var credit = new Credit(0);
        var granted = 0L;
        var takers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                Interlocked.Add(ref granted, await credit.RequestAsync(7));
            }
        })).ToArray();

        // Just enough for every request to be served in full.
        var releaser = Task.Run(() =>
        {
            for (var i = 0; i < 8 * 200 * 7; i++)
            {
                credit.Release(1);
            }
        });

        await Task.WhenAll(takers).WaitAsync(Timeout);
        await releaser.WaitAsync(Timeout);
        Assert.Equal(8 * 200 * 7, Interlocked.Read(ref granted) + credit.Available);
    }
}
