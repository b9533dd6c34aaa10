using System.Reactive.Linq;
using System.Reactive.Subjects;
using Rx.Network.Reactive;

namespace Rx.Network.Tests.Reactive;

public sealed class ChangeSetExtensionsTests
{
    private static ObservableCache<string, Item> NewCache() => new(static item => item.Key);

    [Fact]
    public void Operators_InvalidArguments_Throw()
    {
        IObservable<IChangeSet<string, Item>> nullSource = null!;
        var source = Observable.Empty<IChangeSet<string, Item>>();

        Assert.Throws<ArgumentNullException>("source", () => nullSource.Filter(_ => true));
        Assert.Throws<ArgumentNullException>("predicate", () => source.Filter(null!));
        Assert.Throws<ArgumentNullException>("source", () => nullSource.Transform(i => i.Version));
        Assert.Throws<ArgumentNullException>("selector", () => source.Transform<string, Item, int>(null!));
        Assert.Throws<ArgumentNullException>("source", () => nullSource.ToCollection());
        Assert.Throws<ArgumentNullException>("source", () => nullSource.OnItemAdded(_ => { }));
        Assert.Throws<ArgumentNullException>("action", () => source.OnItemAdded(null!));
        Assert.Throws<ArgumentNullException>("source", () => nullSource.OnItemRemoved(_ => { }));
        Assert.Throws<ArgumentNullException>("action", () => source.OnItemRemoved(null!));
    }

    [Fact]
    public void Filter_ItemsEnterAndLeave_PreviousIsWhatWasPassed()
    {
        using var cache = NewCache();
        var replayer = new ChangeSetReplayer<string, Item>();
        using var subscription = cache.Connect().Filter(static i => i.Version > 1).Subscribe(replayer);

        cache.AddOrUpdate(new Item("a", 1));                     // filtered out: nothing sent
        cache.AddOrUpdate(new Item("a", 2));                     // enters
        cache.Edit(u =>
        {
            u.AddOrUpdate(new Item("a", 3));                     // stays
            u.AddOrUpdate(new Item("b", 5));                     // added
            u.AddOrUpdate(new Item("b", 0));                     // leaves
        });
        cache.Clear();

        Assert.Equal(
            [
                [new Change<string, Item>(ChangeReason.Add, "a", new Item("a", 2))],
                [
                    new Change<string, Item>("a", new Item("a", 3), new Item("a", 2)),
                    new Change<string, Item>(ChangeReason.Add, "b", new Item("b", 5)),
                    new Change<string, Item>(ChangeReason.Remove, "b", new Item("b", 5)),
                ],
                [new Change<string, Item>(ChangeReason.Remove, "a", new Item("a", 3))],
            ],
            replayer.ChangeSets.Select(set => set.ToArray()));
        replayer.AssertState([]);
    }

    [Fact]
    public void Filter_EachSubscriptionHasItsOwnState()
    {
        using var cache = NewCache();
        var filtered = cache.Connect().Filter(static i => i.Version > 0);
        cache.AddOrUpdate(new Item("a", 1));
        var first = new ChangeSetReplayer<string, Item>();
        var second = new ChangeSetReplayer<string, Item>();

        using var s1 = filtered.Subscribe(first);
        using var s2 = filtered.Subscribe(second);
        cache.AddOrUpdate(new Item("a", 0));

        first.AssertState([]);
        second.AssertState([]);
        Assert.Equal(2, second.ChangeSets.Count);
    }

    [Fact]
    public void Transform_MapsOnceAndReportsThePreviousResult()
    {
        using var cache = NewCache();
        int calls = 0;
        var replayer = new ChangeSetReplayer<string, string>();
        using var subscription = cache.Connect()
            .Transform(i => $"{i.Key}:{i.Version}#{++calls}")
            .Subscribe(replayer);

        cache.AddOrUpdate(new Item("a", 1));
        cache.AddOrUpdate(new Item("a", 2));
        cache.Remove("a");

        Assert.Equal(2, calls);
        Assert.Equal(
            [
                new Change<string, string>(ChangeReason.Add, "a", "a:1#1"),
                new Change<string, string>("a", "a:2#2", "a:1#1"),
                new Change<string, string>(ChangeReason.Remove, "a", "a:2#2"),
            ],
            replayer.ChangeSets.SelectMany(set => set));
        replayer.AssertState([]);
    }

    [Fact]
    public void Transform_SelectorThrows_ErrorsAndDetaches()
    {
        using var cache = NewCache();
        var replayer = new ChangeSetReplayer<string, int>();
        using var subscription = cache.Connect()
            .Transform<string, Item, int>(i => i.Version == 2 ? throw new InvalidDataException() : i.Version)
            .Subscribe(replayer);

        cache.AddOrUpdate(new Item("a", 1));
        cache.AddOrUpdate(new Item("a", 2));

        Assert.IsType<InvalidDataException>(replayer.Error);
        Assert.Equal(0, cache.SubscriberCount);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void ToCollection_SendsTheWholeCollectionAfterEachChangeSet()
    {
        using var cache = NewCache();
        cache.AddOrUpdate(new Item("a", 1));
        var seen = new List<IReadOnlyCollection<Item>>();
        using var subscription = cache.Connect().ToCollection().Subscribe(seen.Add);

        cache.Edit(u => u.AddOrUpdate([new Item("b", 1), new Item("a", 2)]));
        cache.Remove("a");

        Assert.Equal(
            [
                [new Item("a", 1)],
                [new Item("a", 2), new Item("b", 1)],
                [new Item("b", 1)],
            ],
            seen.Select(items => items.OrderBy(i => i.Key).ToArray()));
    }

    [Fact]
    public void OnItemAdded_CallsForAddsOnlyAndPassesChangeSetsOn()
    {
        using var cache = NewCache();
        cache.AddOrUpdate(new Item("a", 1));
        var added = new List<Item>();
        var replayer = new ChangeSetReplayer<string, Item>();
        using var subscription = cache.Connect().OnItemAdded(added.Add).Subscribe(replayer);

        cache.AddOrUpdate(new Item("a", 2));
        cache.AddOrUpdate(new Item("b", 1));
        cache.Remove("a");

        Assert.Equal([new Item("a", 1), new Item("b", 1)], added);
        Assert.Equal(4, replayer.ChangeSets.Count);
        replayer.AssertState([KeyValuePair.Create("b", new Item("b", 1))]);
    }

    [Fact]
    public void OnItemRemoved_CallsForRemovesOnly()
    {
        using var cache = NewCache();
        cache.Edit(u => u.AddOrUpdate([new Item("a", 1), new Item("b", 1)]));
        var removed = new List<Item>();
        using var subscription = cache.Connect().OnItemRemoved(removed.Add).Subscribe(_ => { });

        cache.AddOrUpdate(new Item("a", 2));
        cache.Remove("a");
        cache.Clear();

        Assert.Equal([new Item("a", 2), new Item("b", 1)], removed);
    }

    [Fact]
    public void OnItemAdded_ActionThrows_Errors()
    {
        using var subject = new Subject<IChangeSet<string, int>>();
        Exception? error = null;
        using var subscription = subject.OnItemAdded(_ => throw new InvalidDataException()).Subscribe(_ => { }, e => error = e);

        subject.OnNext(new ChangeSet<string, int>([new(ChangeReason.Add, "a", 1)]));

        Assert.IsType<InvalidDataException>(error);
        Assert.False(subject.HasObservers);
    }
}
