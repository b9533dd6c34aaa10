using Rx.Network.Interop.Tests.Fixture;

namespace Rx.Network.Interop.Tests;

[Trait("Category", "Interop")]
public sealed class JsDialResultTests
{
    [Fact]
    public void Parse_CheckLines_KeepsOrderFieldsAndErrors()
    {
        const string stdout =
            "{\"check\":\"ping\",\"ok\":true,\"rttMs\":3,\"rtts\":[1,2,3]}\n" +
            "not json\n" +
            "{\"event\":\"something\"}\n" +
            "{\"check\":\"echo\",\"ok\":false,\"error\":\"boom\"}\n";

        var result = JsDialResult.Parse(1, stdout, "err");

        Assert.Equal(["ping", "echo"], result.Checks.Select(c => c.Name));
        Assert.True(result["ping"].Ok);
        Assert.Equal(3, result["ping"].GetInt64("rttMs"));
        Assert.Null(result["ping"].GetString("rttMs"));
        Assert.False(result["echo"].Ok);
        Assert.Equal("boom", result["echo"].Error);
        Assert.False(result.AllPassed);
        Assert.Contains("exit code 1", result.Describe());
        Assert.Contains("err", result.Describe());
    }

    [Fact]
    public void AllPassed_ExitCodeOrMissingChecks_Matter()
    {
        const string ok = "{\"check\":\"ping\",\"ok\":true}\n";

        Assert.True(JsDialResult.Parse(0, ok, "").AllPassed);
        Assert.False(JsDialResult.Parse(1, ok, "").AllPassed);
        Assert.False(JsDialResult.Parse(0, "", "").AllPassed);
        Assert.False(JsDialResult.Parse(0, "{\"check\":\"ping\",\"ok\":\"true\"}\n", "").AllPassed);
    }

    [Fact]
    public void Indexer_UnknownCheck_ThrowsKeyNotFound()
    {
        var result = JsDialResult.Parse(0, "{\"check\":\"ping\",\"ok\":true}\n", "");

        Assert.Throws<KeyNotFoundException>(() => result["echo"]);
    }

    [Fact]
    public void GetStrings_ArrayOrAbsent_ReturnsStringsOrEmpty()
    {
        var result = JsDialResult.Parse(0, "{\"check\":\"identify\",\"ok\":true,\"protocols\":[\"/a\",1,\"/b\"]}\n", "");

        Assert.Equal(["/a", "/b"], result["identify"].GetStrings("protocols"));
        Assert.Empty(result["identify"].GetStrings("missing"));
    }
}
