namespace Rx.Network.Notebooks.Tests.Harness;

public sealed class OutputFormatterTests
{
    private sealed class Plain
    {
        public override string ToString() => "plain";
    }

    [Fact]
    public void Format_Null() => Assert.Equal("<null>", OutputFormatter.Format(null));

    [Fact]
    public void Format_StringAsIs() => Assert.Equal("a\nb", OutputFormatter.Format("a\nb"));

    [Fact]
    public void Format_FormattableInInvariantCulture()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");

            Assert.Equal("1.5", OutputFormatter.Format(1.5));
            Assert.Equal("00:00:01.5000000", OutputFormatter.Format(TimeSpan.FromMilliseconds(1500)));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Format_ShortSequenceOnOneLine() =>
        Assert.Equal("[ 1, two, <null> ]", OutputFormatter.Format(new object?[] { 1, "two", null }));

    [Fact]
    public void Format_EmptySequence() => Assert.Equal("[  ]", OutputFormatter.Format(Array.Empty<int>()));

    [Fact]
    public void Format_LongSequenceOneItemPerLine()
    {
        var items = Enumerable.Range(0, 3).Select(i => new string((char)('a' + i), 40)).ToArray();

        Assert.Equal(string.Join("\n", items.Select(item => "- " + item)), OutputFormatter.Format(items));
    }

    [Fact]
    public void Format_MultilineItemsIndented() =>
        Assert.Equal("- a\n  b\n- c", OutputFormatter.Format(new[] { "a\nb", "c" }));

    [Fact]
    public void Format_OtherObjectsByToString() => Assert.Equal("plain", OutputFormatter.Format(new Plain()));
}
