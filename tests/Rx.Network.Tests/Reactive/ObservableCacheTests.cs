using System.Reactive.Linq;
using Rx.Network.Reactive;

namespace Rx.Network.Tests.Reactive;

public sealed partial class ObservableCacheTests
{
    private static ObservableCache<string, Item> NewCache(IEqualityComparer<string>? comparer = null) =>
        new(static item => item.Key, comparer);

    private static KeyValuePair<string, Item>[] Contents(ObservableCache<string, Item> cache) =>
        cache.Items.Select(item => KeyValuePair.Create(item.Key, item)).ToArray();

    private static Change<string, Item> Add(Item item) => new(ChangeReason.Add, item.Key, item);

    private static Change<string, Item> Update(Item item, Item previous) => new(item.Key, item, previous);

    private static Change<string, Item> Remove(Item item) => new(ChangeReason.Remove, item.Key, item);

    [Fact]
    public void Constructor_NullKeySelector_Throws()
    {
        Assert.Throws<ArgumentNullException>("keySelector", () => new ObservableCache<string, Item>(null!));
    }

    [Fact]
    public void Members_InvalidArguments_Throw()
    {
        using var cache = NewCache();
        Assert.Throws<ArgumentNullException>("update", () => cache.Edit(null!));
        Assert.Throws<ArgumentNullException>("value", () => cache.AddOrUpdate(null!));
        Assert.Throws<ArgumentNullException>("key", () => cache.Remove(null!));
        Assert.Throws<ArgumentNullException>("key", () => cache.TryGetValue(null!, out _));
        Assert.Throws<ArgumentNullException>("key", () => cache.ContainsKey(null!));
        Assert.Throws<ArgumentNullException>("key", () => cache.Watch(null!));
        Assert.Throws<ArgumentNullException>("value", () => cache.Edit(u => u.AddOrUpdate((Item)null!)));
        Assert.Throws<ArgumentNullException>("values", () => cache.Edit(u => u.AddOrUpdate((IEnumerable<Item>)null!)));
        Assert.Throws<ArgumentNullException>("key", () => cache.Edit(u => u.Remove(null!)));
        Assert.Throws<ArgumentNullException>("key", () => cache.Edit(u => u.TryGetValue(null!, out _)));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void AddOrUpdate_KeySelectorReturnsNull_ThrowsArgumentExceptionAndChangesNothing()
    {
        using var cache = new ObservableCache<string, Item>(static item => item.Version == 0 ? null! : item.Key);
        var replayer = new ChangeSetReplayer<string, Item>();
        using var subscription = cache.Connect().Subscribe(replayer);

        var ex = Assert.Throws<ArgumentException>("value", () =>
            cache.Edit(u => u.AddOrUpdate([new Item("a", 1), new Item("b", 0)])));

        Assert.IsNotType<ArgumentNullException>(ex);
        Assert.Equal(0, cache.Count);
        Assert.Empty(replayer.ChangeSets);
    }

    [Fact]
    public void Reads_AfterEdits_ReflectContents()
    {
        using var cache = NewCache();
        cache.Edit(u => u.AddOrUpdate([new Item("a", 1), new Item("b", 1), new Item("a", 2)]));

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGetValue("a", out var a));
        Assert.Equal(new Item("a", 2), a);
        Assert.False(cache.TryGetValue("z", out _));
        Assert.True(cache.ContainsKey("b"));
        Assert.False(cache.ContainsKey("z"));
        Assert.Equal(["a", "b"], cache.Keys.Order());
        Assert.Equal([new Item("a", 2), new Item("b", 1)], cache.Items.OrderBy(i => i.Key));
    }

    [Fact]
    public void Items_IsASnapshot()
    {
        using var cache = NewCache();
        cache.AddOrUpdate(new Item("a", 1));
        var items = cache.Items;
        var keys = cache.Keys;

        cache.AddOrUpdate(new Item("b", 1));

        Assert.Single(items);
        Assert.Single(keys);
    }

    [Fact]
    public void Edit_SeveralChanges_PublishesOneChangeSetInEditOrder()
    {
        using var cache = NewCache();
        cache.AddOrUpdate(new Item("gone", 1));
        var replayer = new ChangeSetReplayer<string, Item>();
        using var subscription = cache.Connect().Subscribe(replayer);

        cache.Edit(u =>
        {
            u.AddOrUpdate(new Item("a", 1));
            u.AddOrUpdate(new Item("a", 2));
            Assert.True(u.Remove("gone"));
            Assert.False(u.Remove("never"));
            Assert.Equal(1, u.Count);
            Assert.True(u.TryGetValue("a", out var seen));
            Assert.Equal(2, seen.Version);
        });

        Assert.Equal(2, replayer.ChangeSets.Count);
        var changes = replayer.ChangeSets[1];
        Assert.Equal(
            [Add(new Item("a", 1)), Update(new Item("a", 2), new Item("a", 1)), Remove(new Item("gone", 1))],
            changes);
        Assert.Equal((1, 1, 1), (changes.Adds, changes.Updates, changes.Removes));
        replayer.AssertState(Contents(cache));
    }

    [Fact]
    public void Edit_NoChange_PublishesNothing()
    {
        using var cache = NewCache();
        cache.AddOrUpdate(new Item("a", 1));
        var replayer = new ChangeSetReplayer<string, Item>();
        using var subscription = cache.Connect().Subscribe(replayer);

        cache.Edit(_ => { });
        Assert.False(cache.Remove("missing"));
        cache.Edit(u => u.Remove("missing"));

        Assert.Single(replayer.ChangeSets);
    }

    [Fact]
    public void AddOrUpdate_SameValueAgain_IsAnUpdate()
    {
        using var cache = NewCache();
        var item = new Item("a", 1);
        cache.AddOrUpdate(item);
        var replayer = new ChangeSetReplayer<string, Item>();
        using var subscription = cache.Connect().Subscribe(replayer);

        cache.AddOrUpdate(item);

        Assert.Equal([Update(item, item)], replayer.ChangeSets[1]);
    }

    [Fact]
    public void Remove_PresentKey_PublishesRemoveWithPreviousValue()
    {
        using var cache = NewCache();
        cache.AddOrUpdate(new Item("a", 3));
        var replayer = new ChangeSetReplayer<string, Item>();
        using var subscription = cache.Connect().Subscribe(replayer);

        Assert.True(cache.Remove("a"));

        var change = Assert.Single(replayer.ChangeSets[1]);
        Assert.Equal(ChangeReason.Remove, change.Reason);
        Assert.Equal(new Item("a", 3), change.Previous);
        Assert.Equal(new Item("a", 3), change.Current);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Clear_RemovesEverythingInOneChangeSet()
    {
        using var cache = NewCache();
        cache.Edit(u => u.AddOrUpdate([new Item("a", 1), new Item("b", 1), new Item("c", 1)]));
        var replayer = new ChangeSetReplayer<string, Item>();
        using var subscription = cache.Connect().Subscribe(replayer);

        cache.Clear();
        cache.Clear();

        Assert.Equal(2, replayer.ChangeSets.Count);
        Assert.Equal(3, replayer.ChangeSets[1].Removes);
        Assert.Equal(0, cache.Count);
        replayer.AssertState([]);
    }

    [Fact]
    public void Edit_ActionThrows_RollsBackAndPublishesNothing()
    {
        using var cache = NewCache();
        cache.Edit(u => u.AddOrUpdate([new Item("a", 1), new Item("b", 1), new Item("c", 1)]));
        var before = Contents(cache);
        var replayer = new ChangeSetReplayer<string, Item>();
        using var subscription = cache.Connect().Subscribe(replayer);

        Assert.Throws<InvalidDataException>(() => cache.Edit(u =>
        {
            u.AddOrUpdate(new Item("new", 1));
            u.AddOrUpdate(new Item("a", 2));
            u.Remove("b");
            u.Clear();
            u.AddOrUpdate(new Item("c", 9));
            throw new InvalidDataException("boom");
        }));

        Assert.Equal(before.OrderBy(p => p.Key), Contents(cache).OrderBy(p => p.Key));
        Assert.Single(replayer.ChangeSets);

        cache.AddOrUpdate(new Item("d", 1));
        replayer.AssertState(Contents(cache));
    }

    [Fact]
    public void Edit_FromInsideAnEdit_Throws()
    {
        using var cache = NewCache();

        Assert.Throws<InvalidOperationException>(() => cache.Edit(u =>
        {
            u.AddOrUpdate(new Item("a", 1));
            cache.AddOrUpdate(new Item("b", 1));
        }));

        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Updater_AfterTheEdit_Throws()
    {
        using var cache = NewCache();
        ICacheUpdater<string, Item>? kept = null;
        cache.Edit(u => kept = u);

        Assert.Throws<InvalidOperationException>(() => kept!.AddOrUpdate(new Item("a", 1)));
        Assert.Throws<InvalidOperationException>(() => kept!.Remove("a"));
        Assert.Throws<InvalidOperationException>(() => kept!.Clear());
        Assert.Throws<InvalidOperationException>(() => kept!.Count);
        Assert.Throws<InvalidOperationException>(() => kept!.TryGetValue("a", out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Updater_FromAnotherThread_Throws()
    {
        using var cache = NewCache();
        Exception? seen = null;

        cache.Edit(u =>
        {
            var thread = new Thread(() => seen = Record.Exception(() => u.AddOrUpdate(new Item("a", 1))));
            thread.Start();
            Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        });

        Assert.IsType<InvalidOperationException>(seen);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Connect_ExistingItems_SnapshotThenChanges()
    {
        using var cache = NewCache();
        cache.Edit(u => u.AddOrUpdate([new Item("a", 1), new Item("b", 1)]));
        var replayer = new ChangeSetReplayer<string, Item>();

        using var subscription = cache.Connect().Subscribe(replayer);
        var snapshot = Assert.Single(replayer.ChangeSets);
        Assert.Equal(2, snapshot.Adds);
        Assert.Equal(2, snapshot.Count);

        cache.AddOrUpdate(new Item("a", 2));
        cache.AddOrUpdate(new Item("c", 1));

        Assert.Equal(3, replayer.ChangeSets.Count);
        replayer.AssertState(Contents(cache));
    }

    [Fact]
    public void Connect_EmptyCache_SendsNothingUntilTheFirstChange()
    {
        using var cache = NewCache();
        var replayer = new ChangeSetReplayer<string, Item>();

        using var subscription = cache.Connect().Subscribe(replayer);
        Assert.Empty(replayer.ChangeSets);

        cache.AddOrUpdate(new Item("a", 1));
        Assert.Equal([Add(new Item("a", 1))], Assert.Single(replayer.ChangeSets));
    }

    [Fact]
    public void Connect_WithPredicate_ItemsEnterAndLeave()
    {
        using var cache = NewCache();
        cache.Edit(u => u.AddOrUpdate([new Item("a", 2), new Item("b", 1)]));
        var replayer = new ChangeSetReplayer<string, Item>();
        using var subscription = cache.Connect(static item => item.Version % 2 == 0).Subscribe(replayer);

        Assert.Equal([Add(new Item("a", 2))], Assert.Single(replayer.ChangeSets));

        cache.AddOrUpdate(new Item("b", 4));   // enters
        cache.AddOrUpdate(new Item("a", 3));   // leaves
        cache.AddOrUpdate(new Item("a", 5));   // stays out: nothing sent
        cache.AddOrUpdate(new Item("b", 6));   // stays in
        cache.Remove("a");                      // was out: nothing sent

        Assert.Equal(
            [
                [Add(new Item("a", 2))],
                [Add(new Item("b", 4))],
                [Remove(new Item("a", 2))],
                [Update(new Item("b", 6), new Item("b", 4))],
            ],
            replayer.ChangeSets.Select(set => set.ToArray()));
        replayer.AssertState(Contents(cache).Where(p => p.Value.Version % 2 == 0));
    }

    [Fact]
    public void Connect_PredicateThrows_ErrorsThatSubscriberOnly()
    {
        using var cache = NewCache();
        var failing = new ChangeSetReplayer<string, Item>();
        var healthy = new ChangeSetReplayer<string, Item>();
        using var s1 = cache.Connect(item => item.Version < 5 ? true : throw new InvalidDataException()).Subscribe(failing);
        using var s2 = cache.Connect().Subscribe(healthy);

        cache.AddOrUpdate(new Item("a", 1));
        cache.AddOrUpdate(new Item("a", 5));
        cache.AddOrUpdate(new Item("a", 6));

        Assert.IsType<InvalidDataException>(failing.Error);
        Assert.Single(failing.ChangeSets);
        Assert.Equal(1, cache.SubscriberCount);
        healthy.AssertState(Contents(cache));
    }

    [Fact]
    public void Connect_CustomComparer_ReportsTheStoredKey()
    {
        using var cache = NewCache(StringComparer.OrdinalIgnoreCase);
        var replayer = new ChangeSetReplayer<string, Item>();
        using var subscription = cache.Connect().Subscribe(replayer);

        cache.AddOrUpdate(new Item("Alice", 1));
        cache.AddOrUpdate(new Item("ALICE", 2));
        Assert.True(cache.TryGetValue("alice", out var found));
        Assert.Equal(new Item("ALICE", 2), found);
        Assert.True(cache.Remove("alice"));

        Assert.All(replayer.ChangeSets.SelectMany(set => set), change => Assert.Equal("Alice", change.Key));
        Assert.Empty(replayer.Violations);
        Assert.Empty(replayer.State);
    }

    [Fact]
    public void Connect_FromInsideAnEdit_Errors()
    {
        using var cache = NewCache();
        var replayer = new ChangeSetReplayer<string, Item>();

        cache.Edit(u =>
        {
            u.AddOrUpdate(new Item("a", 1));
            cache.Connect().Subscribe(replayer);
        });

        Assert.IsType<InvalidOperationException>(replayer.Error);
        Assert.Empty(replayer.ChangeSets);
        Assert.Equal(0, cache.SubscriberCount);
    }

    [Fact]
    public void Watch_PresentKey_SendsCurrentValueThenItsChanges()
    {
        using var cache = NewCache();
        cache.Edit(u => u.AddOrUpdate([new Item("a", 1), new Item("b", 1)]));
        var seen = new List<Change<string, Item>>();
        using var subscription = cache.Watch("a").Subscribe(seen.Add);

        cache.Edit(u =>
        {
            u.AddOrUpdate(new Item("b", 2));
            u.AddOrUpdate(new Item("a", 2));
        });
        cache.Remove("b");
        cache.Remove("a");
        cache.AddOrUpdate(new Item("a", 3));

        Assert.Equal(
            [Add(new Item("a", 1)), Update(new Item("a", 2), new Item("a", 1)), Remove(new Item("a", 2)), Add(new Item("a", 3))],
            seen);
    }

    [Fact]
    public void Watch_AbsentKey_SendsNothingUntilAdded()
    {
        using var cache = NewCache(StringComparer.OrdinalIgnoreCase);
        cache.AddOrUpdate(new Item("b", 1));
        var seen = new List<Change<string, Item>>();
        using var subscription = cache.Watch("a").Subscribe(seen.Add);

        Assert.Empty(seen);
        cache.AddOrUpdate(new Item("A", 1));

        Assert.Equal([Add(new Item("A", 1))], seen);
    }

    [Fact]
    public void Watch_Dispose_Completes()
    {
        var cache = NewCache();
        bool completed = false;
        using var subscription = cache.Watch("a").Subscribe(_ => { }, () => completed = true);

        cache.Dispose();

        Assert.True(completed);
    }
}
