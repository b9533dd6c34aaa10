using System.Text.RegularExpressions;

namespace Rx.Network.Tests.Architecture;

/// <summary>ADR 0001: in the compiled library, no type references a type of a higher layer, and no namespaces of one layer form a cycle.</summary>
public sealed partial class LayeringTests
{
    private static readonly Lazy<IReadOnlyList<CodeReference>> Library =
        new(() => AssemblyReferenceReader.Read(typeof(INetwork).Assembly.Location));

    [Fact]
    public void Library_NeverReferencesAHigherLayerOrClosesACycle()
    {
        var violations = LayerChecker.Check(RxNetworkLayers.Map, Library.Value);

        Assert.True(violations.Count == 0, $"{violations.Count} references break ADR 0001:\n" + string.Join('\n', violations.Take(200)));
    }

    [Fact]
    public void Library_EveryTypeBelongsToALayer()
    {
        Assert.Empty(LayerChecker.Unmapped(RxNetworkLayers.Map, Library.Value, "Rx.Network"));
        Assert.Contains(Library.Value, r => r.FromType == "Rx.Network.NetworkBuilder");
    }

    [Fact]
    public void Library_ReferencesAreReadFromMethodBodies()
    {
        // Guards the reader itself: calls inside bodies (not only signatures) are seen, including
        // those compiled into state machines and closures.
        Assert.Contains(Library.Value, r => r.FromType == "Rx.Network.NetworkBuilder" && r.ToType == "Rx.Network.Swarm.SwarmNetwork" && r.ToMember == ".ctor");
        Assert.Contains(Library.Value, r => r.FromType == "Rx.Network.Reactive.NetworkScheduler" && r.FromMember == "Post" && r.ToType == "System.Threading.ThreadPool");
        Assert.Contains(Library.Value, r => r.FromMember.Contains(">d__", StringComparison.Ordinal) && r.FromMember.EndsWith(".MoveNext", StringComparison.Ordinal)
            && r.ToType.StartsWith("Rx.Network.", StringComparison.Ordinal) && r.ToMember is not null);
    }

    [Fact]
    public void Adr0001_StatesTheOrderTheTestEnforces()
    {
        var adr = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "adr", "0001-layers.md"));
        var stated = NumberedLayer().Matches(adr).Select(m => m.Groups[1].Value).ToArray();

        Assert.Equal(RxNetworkLayers.Map.Layers.Select(l => l.Name), stated);
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

    /// <summary>The ADR's numbered list: <c>1. `Errors` —</c>.</summary>
    [GeneratedRegex(@"^\d+\. `([^`]+)` —", RegexOptions.Multiline)]
    private static partial Regex NumberedLayer();
}
