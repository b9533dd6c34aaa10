using System.Text.RegularExpressions;

namespace Rx.Network.Tests;

/// <summary>ADR 0001: a layer of <c>src/Rx.Network</c> never names a namespace of a higher one.</summary>
public sealed partial class LayeringTests
{
    /// <summary>The layers, lowest first (ADR 0001).</summary>
    private static readonly string[] Order =
        ["Encoding", "Identity", "Addressing", "Reactive", "Resources", "Transports", "Negotiation", "Security", "Muxing", "Swarm", "Peerstore", "Protocols"];

    /// <summary>Known exceptions, each with its reason in ADR 0001 or here.</summary>
    private static readonly HashSet<(string From, string To)> Allowed =
    [
        // The swarm records connected peers' keys and addresses in the peer store it is given.
        ("Swarm", "Peerstore"),
    ];

    [Fact]
    public void Layers_NeverReferenceAHigherLayer()
    {
        var source = Path.Combine(RepositoryRoot(), "src", "Rx.Network");
        var violations = new List<string>();
        foreach (var (layer, rank) in Order.Select((name, i) => (name, i)))
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(source, layer), "*.cs", SearchOption.AllDirectories))
            {
                var text = File.ReadAllText(file);
                foreach (var higher in Order.Skip(rank + 1))
                {
                    if (Allowed.Contains((layer, higher)))
                    {
                        continue;
                    }

                    if (Regex.IsMatch(text, $@"(using\s+Rx\.Network\.{higher}\s*;)|(\bRx\.Network\.{higher}\.)|(cref=""{higher}\.)"))
                    {
                        violations.Add($"{Path.GetRelativePath(source, file)} ({layer}) names {higher}");
                    }
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void Resources_SitsBetweenReactiveAndTransports()
    {
        Assert.Equal(Array.IndexOf(Order, "Reactive") + 1, Array.IndexOf(Order, "Resources"));
        Assert.Equal(Array.IndexOf(Order, "Resources") + 1, Array.IndexOf(Order, "Transports"));
        var adr = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "adr", "0001-layers.md"));
        Assert.Contains("5. `Resources`", adr, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RxNet.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("RxNet.sln not found above the test binaries.");
    }
}
