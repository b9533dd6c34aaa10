using System.Reactive.Linq;
using Rx.Network.Reactive;

namespace Rx.Network.Tests.Reactive;

/// <content>Unsubscribing, faulty subscribers, re-entrancy and disposal.</content>
public sealed partial class ObservableCacheTests
{
    [Fact]
    public void Subscribe_Dispose_Detaches()
    {
        using var cache = NewCache();
        var replayer = new ChangeSetReplayer<string, Item>();
        var subscription = cache.Connect().Subscribe(replayer);
        var watch = cache.Watch("a").Subscribe(_ => { });
        Assert.Equal(2, cache.SubscriberCount);

        subscription.Dispose();
        watch.Dispose();
        cache.AddOrUpdate(new Item("a", 1));

        Assert.Equal(0, cache.SubscriberCount);
        Assert.Empty(replayer.ChangeSets);
    }

    [Fact]
    public void Subscribe_DisposeFromOnNext_StopsAtOnce()
    {
        using var cache = NewCache();
        var seen = new List<IChangeSet<string, Item>>();
        IDisposable? subscription = null;
        subscription = cache.Connect().Subscribe(changes =>
        {
            seen.Add(changes);
            subscription!.Dispose();

            // Queued behind this call: must not arrive once unsubscribed.
            cache.AddOrUpdate(new Item("b", 1));
        });

        cache.AddOrUpdate(new Item("a", 1));

        Assert.Single(seen);
        Assert.Equal(0, cache.SubscriberCount);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void OnNext_Throws_OtherSubscribersAndCacheKeepWorking()
    {
        using var cache = NewCache();
        var errors = new List<Exception>();
        using var errorSubscription = cache.UnhandledSubscriberErrors.Subscribe(errors.Add);
        var before = new ChangeSetReplayer<string, Item>();
        var after = new ChangeSetReplayer<string, Item>();
        int faultyCalls = 0;
        var boom = new InvalidDataException("subscriber bug");

        using var s1 = cache.Connect().Subscribe(before);
        using var faulty = cache.Connect().Subscribe(_ =>
        {
            faultyCalls++;
            if (faultyCalls == 2)
            {
                throw boom;
            }
        });
        using var s2 = cache.Connect().Subscribe(after);

        cache.AddOrUpdate(new Item("a", 1));
        cache.AddOrUpdate(new Item("a", 2));   // the faulty subscriber throws here
        cache.AddOrUpdate(new Item("b", 1));

        Assert.Equal(2, faultyCalls);
        Assert.Same(boom, Assert.Single(errors));
        Assert.Equal(2, cache.SubscriberCount);
        before.AssertState(Contents(cache));
        after.AssertState(Contents(cache));
        Assert.Equal(3, after.ChangeSets.Count);
    }

    [Fact]
    public void OnNext_ThrowsInSnapshot_DetachesAndReports()
    {
        using var cache = NewCache();
        cache.AddOrUpdate(new Item("a", 1));
        var errors = new List<Exception>();
        using var errorSubscription = cache.UnhandledSubscriberErrors.Subscribe(errors.Add);

        var subscription = cache.Connect().Subscribe(_ => throw new InvalidDataException());
        cache.AddOrUpdate(new Item("a", 2));

        Assert.IsType<InvalidDataException>(Assert.Single(errors));
        Assert.Equal(0, cache.SubscriberCount);
        subscription.Dispose();
    }

    [Fact]
    public void UnhandledSubscriberErrors_ObserverThrows_IsDetachedSilently()
    {
        using var cache = NewCache();
        int calls = 0;
        var errors = new List<Exception>();
        using var bad = cache.UnhandledSubscriberErrors.Subscribe(_ =>
        {
            calls++;
            throw new InvalidOperationException("error handler bug");
        });
        using var good = cache.UnhandledSubscriberErrors.Subscribe(errors.Add);
        using var s1 = cache.Connect().Subscribe(_ => throw new InvalidDataException());
        using var s2 = cache.Connect().Subscribe(_ => throw new InvalidDataException());

        cache.AddOrUpdate(new Item("a", 1));

        Assert.Equal(1, calls);
        Assert.Equal(2, errors.Count);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void OnNext_EditsTheCache_EverySubscriberSeesEditOrder()
    {
        using var cache = NewCache();
        var first = new ChangeSetReplayer<string, Item>();
        var last = new ChangeSetReplayer<string, Item>();
        using var s1 = cache.Connect().Subscribe(first);
        using var editor = cache.Connect().Subscribe(changes =>
        {
            if (changes[0].Key == "a")
            {
                // Read and write the cache from a callback: no lock is held here.
                Assert.True(cache.ContainsKey("a"));
                cache.AddOrUpdate(new Item("b", 1));
            }
        });
        using var s2 = cache.Connect().Subscribe(last);

        cache.AddOrUpdate(new Item("a", 1));

        Assert.Equal(["a", "b"], first.ChangeSets.Select(set => set[0].Key));
        Assert.Equal(["a", "b"], last.ChangeSets.Select(set => set[0].Key));
        first.AssertState(Contents(cache));
        last.AssertState(Contents(cache));
    }

    [Fact]
    public void Dispose_CompletesSubscribersAndRejectsEdits()
    {
        var cache = NewCache();
        cache.AddOrUpdate(new Item("a", 1));
        var replayer = new ChangeSetReplayer<string, Item>();
        bool errorsCompleted = false;
        using var subscription = cache.Connect().Subscribe(replayer);
        using var errorSubscription = cache.UnhandledSubscriberErrors.Subscribe(_ => { }, () => errorsCompleted = true);

        cache.Dispose();
        cache.Dispose();

        Assert.True(replayer.Completed);
        Assert.True(errorsCompleted);
        Assert.Equal(0, cache.SubscriberCount);
        Assert.Throws<ObjectDisposedException>(() => cache.AddOrUpdate(new Item("b", 1)));
        Assert.Throws<ObjectDisposedException>(() => cache.Remove("a"));
        Assert.Throws<ObjectDisposedException>(() => cache.Clear());
        Assert.Throws<ObjectDisposedException>(() => cache.Edit(_ => { }));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Connect_AfterDispose_SendsFinalContentsThenCompletes()
    {
        var cache = NewCache();
        cache.AddOrUpdate(new Item("a", 1));
        cache.Dispose();
        var replayer = new ChangeSetReplayer<string, Item>();

        using var subscription = cache.Connect().Subscribe(replayer);

        Assert.True(replayer.Completed);
        replayer.AssertState(Contents(cache));
        Assert.Equal(0, cache.SubscriberCount);
    }

    [Fact]
    public void Dispose_FromInsideAnEdit_RollsTheEditBack()
    {
        var cache = NewCache();
        var replayer = new ChangeSetReplayer<string, Item>();
        using var subscription = cache.Connect().Subscribe(replayer);

        Assert.Throws<ObjectDisposedException>(() => cache.Edit(u =>
        {
            u.AddOrUpdate(new Item("a", 1));
            cache.Dispose();
            u.AddOrUpdate(new Item("b", 1));
        }));

        Assert.Equal(0, cache.Count);
        Assert.True(replayer.Completed);
        Assert.Empty(replayer.ChangeSets);
    }
}
