using Rx.Network.Reactive;

namespace Rx.Network.Tests.Reactive;

public sealed class ChangeSetTests
{
    [Fact]
    public void Constructor_CountsEachReason()
    {
        List<Change<string, int>> changes =
        [
            new(ChangeReason.Add, "a", 1),
            new("a", 2, 1),
            new(ChangeReason.Add, "b", 1),
            new(ChangeReason.Remove, "a", 2),
        ];

        var set = new ChangeSet<string, int>(changes);

        Assert.Equal((4, 2, 1, 1), (set.Count, set.Adds, set.Updates, set.Removes));
        Assert.Equal(changes, set);
        Assert.Equal(changes[1], set[1]);
        Assert.Equal("4 changes (2 adds, 1 updates, 1 removes)", set.ToString());
    }

    [Fact]
    public void Constructor_Empty_HasNoChanges()
    {
        var set = new ChangeSet<string, int>([]);

        Assert.Equal((0, 0, 0, 0), (set.Count, set.Adds, set.Updates, set.Removes));
        Assert.Empty(set);
    }
}
