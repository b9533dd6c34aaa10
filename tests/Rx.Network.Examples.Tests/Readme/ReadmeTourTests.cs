using Microsoft.CodeAnalysis.Scripting;

namespace Rx.Network.Examples.Tests.Readme;

/// <summary>
/// The README's "API tour" and "Configuration and limits" snippets compile and run against the
/// library, in the order the README shows them.
/// </summary>
public sealed class ReadmeTourTests
{
    // Roslyn's first compilation in a process is slow on a busy machine.
    private static readonly TimeSpan SnippetLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ApiTour_EverySnippet_CompilesAndRunsInOrder()
    {
        var snippets = CSharpBlocks("API tour");
        Assert.True(snippets.Length >= 6, $"The tour has {snippets.Length} C# snippets.");

        await using var runner = new SnippetRunner();
        foreach (var (snippet, index) in snippets.Select((s, i) => (s, i)))
        {
            await RunAsync(runner, snippet, $"API tour snippet {index + 1}");
        }

        // The tour ends with both networks shut down, and its results are what it prints.
        Assert.True(runner.Variable<INetwork>("server").Completion.IsCompleted);
        Assert.True(runner.Variable<INetwork>("client").Completion.IsCompleted);
        Assert.Equal("hello, echo", System.Text.Encoding.UTF8.GetString(runner.Variable<byte[]>("echoed")));
        Assert.Equal("SHOUT", runner.Variable<string>("shouted"));
        Assert.Equal("HELLO!", System.Text.Encoding.UTF8.GetString(runner.Variable<ReadOnlyMemory<byte>>("reply").Span));
        Assert.Equal(5, runner.Variable<IList<TimeSpan>>("rtts").Count);
    }

    [Fact]
    public async Task ConfigurationAndLimits_Snippet_CompilesAndRuns()
    {
        var snippet = Assert.Single(CSharpBlocks("Configuration and limits"));
        await using var runner = new SnippetRunner();

        await RunAsync(runner, snippet, "configuration snippet");

        // It ran to its end: the network it configured has shut down.
        Assert.True(runner.Variable<INetwork>("network").Completion.IsCompleted);
    }

    [Fact]
    public async Task ResourceLimits_Snippet_CompilesAndRuns()
    {
        var snippet = Assert.Single(CSharpBlocks("Resource limits: a node-wide budget"));
        await using var runner = new SnippetRunner();

        await RunAsync(runner, snippet, "resource limits snippet");

        Assert.True(runner.Variable<INetwork>("node").Completion.IsCompleted);
        Assert.Equal(256L << 20, runner.Variable<INetwork>("node").Resources.Limits.System.Memory);
    }

    [Fact]
    public async Task MockNetwork_Snippet_CompilesAndRunsInVirtualTime()
    {
        var snippet = Assert.Single(CSharpBlocks("The mock network and virtual-time testing"));
        await using var runner = new SnippetRunner();

        await RunAsync(runner, snippet, "mock network snippet");

        // What the snippet's comment promises: the ping's round trip is the link's, exactly, and
        // the whole call (dial, open the stream, ping) three of them.
        Assert.Equal(TimeSpan.FromMilliseconds(100), runner.Variable<TimeSpan>("rtt"));
        Assert.Equal(TimeSpan.FromMilliseconds(300), runner.Variable<TimeSpan>("elapsed"));
    }

    [Fact]
    public async Task Notifiees_Snippet_SeesListenWhenRegisteredBeforeListening()
    {
        var snippet = Assert.Single(CSharpBlocks("Notifiees: the seed's callbacks, and seeing `Listen`"));
        await using var runner = new SnippetRunner();

        await RunAsync(runner, snippet, "notifiee snippet");

        var seen = runner.Variable<Rx.Network.Addressing.Multiaddr>("listenSeen");
        var network = runner.Variable<INetwork>("network");
        Assert.StartsWith("/ip4/127.0.0.1/tcp/", seen.ToString(), StringComparison.Ordinal);
        Assert.True(network.Completion.IsCompleted);
    }

    [Fact]
    public void ApiTour_HasOnlyCSharpBlocks()
    {
        var blocks = ReadmeSection.Find("API tour").CodeBlocks();
        Assert.NotEmpty(blocks);
        Assert.All(blocks, b => Assert.Equal("csharp", b.Language));
    }

    private static string[] CSharpBlocks(string heading) =>
        ReadmeSection.Find(heading).CodeBlocks().Where(b => b.Language == "csharp").Select(b => b.Code).ToArray();

    private static async Task RunAsync(SnippetRunner runner, string snippet, string what)
    {
        try
        {
            await runner.RunAsync(snippet, SnippetLimit);
        }
        catch (CompilationErrorException e)
        {
            Assert.Fail($"README {what} does not compile:\n{string.Join("\n", e.Diagnostics)}\n---\n{snippet}");
        }
        catch (Exception e)
        {
            Assert.Fail($"README {what} threw {e.GetType().Name}: {e.Message}\n---\n{snippet}");
        }
    }
}
