using Rx.Network.Interop.Tests.Fixture;

namespace Rx.Network.Interop.Tests;

[Trait("Category", "Interop")]
public sealed class JsEventLogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("")]
    [InlineData("plain log text")]
    [InlineData("[1,2]")]
    [InlineData("{\"truncated\":")]
    [InlineData("(node:1) MaxListenersExceededWarning: {")]
    public void TryParse_NotAJsonObject_ReturnsFalse(string line)
    {
        Assert.False(JsEventLog.TryParse(line, out _));
    }

    [Fact]
    public async Task WaitAsync_EventAlreadyLogged_CompletesAtOnce()
    {
        var log = new JsEventLog();
        log.Add("{\"event\":\"a\"}");
        log.Add("noise");

        var e = await log.WaitAsync(x => x.GetProperty("event").GetString() == "a").WaitAsync(Timeout);

        Assert.Equal("a", e.GetProperty("event").GetString());
        Assert.Single(log.Snapshot());
    }

    [Fact]
    public async Task WaitAsync_EventLoggedLater_CompletesWhenItArrives()
    {
        var log = new JsEventLog();
        var waiting = log.WaitAsync(x => x.GetProperty("event").GetString() == "b");
        log.Add("{\"event\":\"a\"}");
        Assert.False(waiting.IsCompleted);

        log.Add("{\"event\":\"b\",\"n\":2}");

        var e = await waiting.WaitAsync(Timeout);
        Assert.Equal(2, e.GetProperty("n").GetInt32());
    }
}
