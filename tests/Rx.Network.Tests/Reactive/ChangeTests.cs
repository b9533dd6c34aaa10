using Rx.Network.Reactive;

namespace Rx.Network.Tests.Reactive;

public sealed class ChangeTests
{
    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>("key", () => new Change<string, int>(ChangeReason.Add, null!, 1));
        Assert.Throws<ArgumentNullException>("key", () => new Change<string, int>(null!, 1, 0));
        Assert.Throws<ArgumentException>("reason", () => new Change<string, int>(ChangeReason.Update, "k", 1));
        Assert.Throws<ArgumentOutOfRangeException>("reason", () => new Change<string, int>((ChangeReason)7, "k", 1));
    }

    [Fact]
    public void Constructor_Add_HasNoPrevious()
    {
        var change = new Change<string, string>(ChangeReason.Add, "k", "v");

        Assert.Equal((ChangeReason.Add, "k", "v", (string?)null), (change.Reason, change.Key, change.Current, change.Previous));
    }

    [Fact]
    public void Constructor_Remove_CurrentAndPreviousAreTheRemovedValue()
    {
        var change = new Change<string, string>(ChangeReason.Remove, "k", "v");

        Assert.Equal((ChangeReason.Remove, "v", "v"), (change.Reason, change.Current, change.Previous));
    }

    [Fact]
    public void Constructor_Update_KeepsBothValues()
    {
        var change = new Change<string, int>("k", 2, 1);

        Assert.Equal((ChangeReason.Update, "k", 2, 1), (change.Reason, change.Key, change.Current, change.Previous));
    }

    [Fact]
    public void Equals_ComparesEveryField()
    {
        var update = new Change<string, int>("k", 2, 1);

        Assert.Equal(new Change<string, int>("k", 2, 1), update);
        Assert.True(update == new Change<string, int>("k", 2, 1));
        Assert.Equal(update.GetHashCode(), new Change<string, int>("k", 2, 1).GetHashCode());
        Assert.True(update != new Change<string, int>("k", 2, 0));
        Assert.NotEqual(new Change<string, int>("j", 2, 1), update);
        Assert.NotEqual(new Change<string, int>(ChangeReason.Add, "k", 2), update);
        Assert.False(update.Equals((object)"k"));
        Assert.True(update.Equals((object)new Change<string, int>("k", 2, 1)));
    }

    [Fact]
    public void ToString_DescribesTheChange()
    {
        Assert.Equal("Update k: 1 -> 2", new Change<string, int>("k", 2, 1).ToString());
        Assert.Equal("Add k: 2", new Change<string, int>(ChangeReason.Add, "k", 2).ToString());
        Assert.Equal("Remove k: 2", new Change<string, int>(ChangeReason.Remove, "k", 2).ToString());
    }
}
