using System.Collections.Concurrent;
using Rx.Network.Reactive;

namespace Rx.Network.Tests.Reactive;

/// <content>Several threads editing, subscribing and disposing at once.</content>
public sealed partial class ObservableCacheTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // Every value an edit writes carries the edit's number, so a change set can be traced to its edit.
    private static int EditOf(IChangeSet<string, Item> changes) =>
        changes.Where(c => c.Reason != ChangeReason.Remove).Max(c => c.Current.Version) / 100;

    [Fact]
    public async Task Edit_FromSeveralThreads_EverySubscriberSeesEveryEditInOrder()
    {
        const int Writers = 4;
        const int EditsPerWriter = 300;
        using var cache = NewCache();
        var editLog = new List<int>();
        int nextEdit = 0;
        var early = new ChangeSetReplayer<string, Item>();
        var early2 = new ChangeSetReplayer<string, Item>();
        var even = new ChangeSetReplayer<string, Item>();
        var watched = new List<Change<string, Item>>();
        using var s1 = cache.Connect().Subscribe(early);
        using var s2 = cache.Connect().Subscribe(early2);
        using var s3 = cache.Connect(static item => item.Version % 2 == 0).Subscribe(even);
        using var s4 = cache.Watch("k3").Subscribe(watched.Add);
        var late = new ConcurrentBag<(ChangeSetReplayer<string, Item> Replayer, IDisposable Subscription)>();
        using var start = new ManualResetEventSlim();

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            var random = new Random(w);
            start.Wait(Timeout);
            for (int i = 0; i < EditsPerWriter; i++)
            {
                cache.Edit(u =>
                {
                    // Runs under the cache's lock: the log records the true edit order.
                    int edit = ++nextEdit;
                    editLog.Add(edit);
                    int ops = random.Next(0, 3);
                    for (int op = 0; op < ops; op++)
                    {
                        int roll = random.Next(20);
                        if (roll == 0)
                        {
                            u.Clear();
                        }
                        else if (roll < 8)
                        {
                            u.Remove($"k{random.Next(16)}");
                        }
                        else
                        {
                            u.AddOrUpdate(new Item($"k{random.Next(16)}", (edit * 100) + op));
                        }
                    }

                    // At least one write per edit, so every edit publishes and can be traced.
                    u.AddOrUpdate(new Item($"k{random.Next(16)}", (edit * 100) + 99));
                });
            }
        })).ToList();

        var subscriber = Task.Run(() =>
        {
            start.Wait(Timeout);
            for (int i = 0; i < 100; i++)
            {
                var replayer = new ChangeSetReplayer<string, Item>();
                late.Add((replayer, cache.Connect().Subscribe(replayer)));
            }
        });

        start.Set();
        await Task.WhenAll([.. writers, subscriber]).WaitAsync(Timeout);

        var final = Contents(cache);
        Assert.Equal(Writers * EditsPerWriter, editLog.Count);
        foreach (var replayer in new[] { early, early2 })
        {
            replayer.AssertState(final);
            Assert.Equal(editLog, replayer.ChangeSets.Select(EditOf));
        }

        Assert.Equal(early.ChangeSets, early2.ChangeSets);
        even.AssertState(final.Where(p => p.Value.Version % 2 == 0));
        Assert.Equal(final.Where(p => p.Key == "k3").Select(p => (Item?)p.Value).SingleOrDefault(),
            watched.Count == 0 || watched[^1].Reason == ChangeReason.Remove ? null : watched[^1].Current);

        foreach (var (replayer, subscription) in late)
        {
            replayer.AssertState(final);

            // After the first change set (the snapshot, or the first live edit when the cache was
            // empty), the edits follow the log without gap or repeat up to the last one.
            var live = replayer.ChangeSets.Skip(1).Select(EditOf).ToList();
            if (live.Count > 0)
            {
                int from = editLog.IndexOf(live[0]);
                Assert.Equal(editLog.Skip(from), live);
            }

            subscription.Dispose();
        }

        Assert.Equal(4, cache.SubscriberCount);
    }

    [Fact]
    public async Task Dispose_WhileOtherThreadsEdit_CompletesEverySubscriberLast()
    {
        var cache = NewCache();
        var replayers = Enumerable.Range(0, 3).Select(_ => new ChangeSetReplayer<string, Item>()).ToList();
        var subscriptions = replayers.Select(r => cache.Connect().Subscribe(r)).ToList();
        using var start = new ManualResetEventSlim();
        int version = 0;
        var busy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(() =>
        {
            start.Wait(Timeout);
            try
            {
                while (true)
                {
                    int v = Interlocked.Increment(ref version);
                    if (v == 500)
                    {
                        busy.TrySetResult();
                    }

                    cache.AddOrUpdate(new Item($"k{w}", v));
                    cache.Remove($"k{(w + 1) % 3}");
                }
            }
            catch (ObjectDisposedException)
            {
                // The expected way out.
            }
        })).ToList();

        start.Set();
        await busy.Task.WaitAsync(Timeout);

        cache.Dispose();
        await Task.WhenAll(writers).WaitAsync(Timeout);
        await Task.WhenAll(replayers.Select(r => r.Done.Task)).WaitAsync(Timeout);

        foreach (var replayer in replayers)
        {
            Assert.True(replayer.Completed);
            replayer.AssertState(Contents(cache));
        }

        subscriptions.ForEach(s => s.Dispose());
    }
}
