using Rx.Network.Examples.Tests.Fixture;

namespace Rx.Network.Examples.Tests.KeyValue;

/// <summary>The key-value program itself: `dotnet kv.dll` as a process, three peers on loopback.</summary>
public sealed class KeyValueProgramTests : IDisposable
{
    private readonly TemporaryDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Run_ThreePeers_GetPutDelete_ExitsZero()
    {
        var (exitCode, output) = await ExampleProcess.RunAsync("kv", temp.Path);

        Assert.True(exitCode == 0, output);
        Assert.Contains("bob: GET greeting = \"hello\"", output, StringComparison.Ordinal);
        Assert.Contains("alice: GET greeting = \"hi from bob\"", output, StringComparison.Ordinal);
        Assert.Contains("alice: DELETE greeting = True", output, StringComparison.Ordinal);
        Assert.Contains("bob: GET greeting = (not found)", output, StringComparison.Ordinal);
        Assert.Contains("bob: DELETE greeting = False", output, StringComparison.Ordinal);
        Assert.Contains("20 concurrent PUTs, 20 of 20 read back intact; the store holds 20 keys", output, StringComparison.Ordinal);
        Assert.Contains("refused the PUT: a value is at most 1024 bytes here, not 2048", output, StringComparison.Ordinal);
        Assert.Contains("ok: 47 requests answered", output, StringComparison.Ordinal);
        Assert.DoesNotContain("failed", output, StringComparison.Ordinal);
    }
}
