using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Documents;
using Rx.Network.Notebooks.Tests.Harness;
using JupyterNotebook = Microsoft.DotNet.Interactive.Documents.Jupyter.Notebook;

namespace Rx.Network.Notebooks.Tests;

/// <summary>
/// Runs every notebook under <c>notebooks/</c> as users do — in .NET Interactive's C# kernel and in
/// real Jupyter with the dotnet-interactive kernel — against packages packed from this clone, and
/// checks that every cell succeeds without a compiler warning and shows what its text promises.
/// With <c>RXNET_UPDATE_NOTEBOOKS=1</c>, the kernel run also writes its outputs back into the
/// notebook file (commit them); otherwise no notebook is touched. The Jupyter runs start in the
/// background once the packages are packed (see <see cref="JupyterRuns"/>).
/// </summary>
public sealed partial class NotebookTests
{
    private const string UpdateVariable = "RXNET_UPDATE_NOTEBOOKS";
    private static readonly TimeSpan CellTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan JupyterTimeout = TimeSpan.FromMinutes(8);

    private static readonly string[] ExpectedNotebooks =
        ["01-getting-started.ipynb", "02-rx-linq-over-the-network.ipynb", "03-virtual-time.ipynb", "04-simulating-a-network.ipynb"];

    /// <summary>
    /// Lines each notebook's outputs must show, in both kernels: the events and results its text
    /// talks about (compared with the outputs' text, HTML entities decoded).
    /// </summary>
    private static readonly Dictionary<string, string[]> Promised = new()
    {
        ["01-getting-started.ipynb"] =
            ["<td><span>Connected</span></td>", "<span>/ipfs/ping/1.0.0 (Outbound)</span>", "<span>/echo/1.0.0 (Outbound)</span>", "hello from the client", "server: Connected      Inbound"],
        ["02-rx-linq-over-the-network.ipynb"] = ["connected: ", "/echo/1.0.0: 6", "Update bob: Connected (1) -> CanConnect (0)", "<table>"],
        ["03-virtual-time.ipynb"] = ["beat 2 at 30.0 s", "OnError(TimeoutException)", "4 pings over 3 virtual minutes"],
        ["04-simulating-a-network.ipynb"] = ["peer 0 -> peer 1: 20 ms", "1 MB arrived 1005", "<table>"],
    };

    public static TheoryData<string> Notebooks() =>
        new(RepositoryLayout.Current.NotebookPaths().Select(path => Path.GetFileName(path)));

    private static bool UpdateRequested => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    private static string PathOf(string name) => Path.Combine(RepositoryLayout.Current.NotebooksDirectory, name);

    private static InteractiveDocument Load(string name) => JupyterNotebook.Parse(File.ReadAllText(PathOf(name)));

    private static JsonObject LoadJson(string name) => JsonNode.Parse(File.ReadAllText(PathOf(name)))!.AsObject();

    private static IEnumerable<JsonObject> CodeCells(JsonObject notebook) =>
        notebook["cells"]!.AsArray().Select(cell => cell!.AsObject()).Where(cell => (string?)cell["cell_type"] == "code");

    [Fact]
    public void NotebookPaths_HoldTheTutorialNotebooks()
    {
        var names = RepositoryLayout.Current.NotebookPaths().Select(path => Path.GetFileName(path)).ToHashSet();

        Assert.Superset(ExpectedNotebooks.ToHashSet(), names);
        Assert.Superset(names, Promised.Keys.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task CSharpKernel_RunsEveryCellWithoutWarnings(string name)
    {
        await LocalPackages.EnsurePackedAsync();
        JupyterRuns.StartAll(RepositoryLayout.Current.NotebookPaths(), CellTimeout, JupyterTimeout);
        var document = Load(name);
        int codeCells = document.Elements.Count(IsCSharp);

        var runs = await InProcessKernel.RunAsync(document, RepositoryLayout.Current.NotebooksDirectory, CellTimeout);

        Assert.All(runs, run => Assert.True(run.Error is null, $"{name}, cell {run.Index}: {run.Error}\n---\n{document.Elements[run.Index].Contents}"));
        Assert.Equal(codeCells, runs.Count);
        Assert.All(runs, run => Assert.True(run.Warnings.Count == 0, $"{name}, cell {run.Index} warns: {string.Join("; ", run.Warnings)}"));
        var text = WebUtility.HtmlDecode(string.Join("\n", runs.Select(run => run.Text)));
        Assert.DoesNotMatch(CompilerDiagnostic(), text);
        Assert.All(Promised[name], line => Assert.Contains(line, text, StringComparison.Ordinal));

        if (UpdateRequested)
        {
            // Jupyter's notebook format 4.5 gives every cell an id; the kernel's writer keeps the ones it read.
            for (int i = 0; i < document.Elements.Count; i++)
            {
                document.Elements[i].Id ??= $"cell-{i:00}";
            }

            foreach (var run in runs)
            {
                var cell = document.Elements[run.Index];
                cell.Outputs.Clear();
                cell.Outputs.AddRange(run.Outputs);
                cell.ExecutionOrder = run.ExecutionOrder;
            }

            // Written aside and moved over the notebook: a Jupyter run may be reading it right now.
            var written = PathOf(name) + ".tmp";
            await File.WriteAllTextAsync(written, JupyterNotebook.ToJupyterJson(document) + "\n");
            File.Move(written, PathOf(name), overwrite: true);
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Jupyter_RunsEveryCellWithoutWarnings(string name)
    {
        await LocalPackages.EnsurePackedAsync();
        JupyterRuns.StartAll(RepositoryLayout.Current.NotebookPaths(), CellTimeout, JupyterTimeout);

        var (executed, log) = await JupyterRuns.RunAsync(PathOf(name), CellTimeout, JupyterTimeout);

        var outputs = CodeCells(executed).SelectMany(cell => cell["outputs"]!.AsArray().Select(output => output!.AsObject())).ToArray();
        var errors = outputs.Where(output => (string?)output["output_type"] == "error")
            .Select(output => $"{output["ename"]}: {output["evalue"]}").ToArray();
        Assert.True(errors.Length == 0, $"{name} failed in Jupyter: {string.Join("\n", errors)}\n---\n{log}");
        Assert.All(CodeCells(executed), cell => Assert.NotNull(cell["execution_count"]?.GetValue<int?>()));
        var text = WebUtility.HtmlDecode(string.Join("\n", outputs.Select(OutputText)));
        Assert.DoesNotMatch(CompilerDiagnostic(), text);
        Assert.All(Promised[name], line => Assert.Contains(line, text, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Metadata_IsDotNetInteractiveCSharp(string name)
    {
        var notebook = LoadJson(name);

        Assert.Equal(4, notebook["nbformat"]!.GetValue<int>());
        Assert.Equal(JupyterKernel.KernelName, (string?)notebook["metadata"]?["kernelspec"]?["name"]);
        Assert.Equal("C#", (string?)notebook["metadata"]?["kernelspec"]?["language"]);
        Assert.All(CodeCells(notebook), cell => Assert.Equal("csharp", (string?)cell["metadata"]?["dotnet_interactive"]?["language"]));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Cells_MixProseAndCode(string name)
    {
        var document = Load(name);

        Assert.StartsWith("# ", document.Elements[0].Contents, StringComparison.Ordinal);
        Assert.True(document.Elements.Count(cell => cell.KernelName == "markdown") >= 4, $"{name}: explain the code in prose cells.");
        Assert.True(document.Elements.Count(IsCSharp) >= 5, $"{name}: show several code cells.");
        Assert.DoesNotContain(document.Elements, cell => string.IsNullOrWhiteSpace(cell.Contents));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void FirstCodeCell_ReferencesThePackagesAsUsersWill(string name)
    {
        var first = Load(name).Elements.First(IsCSharp);
        var lines = first.Contents.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var version = RepositoryLayout.Current.Version;

        Assert.All(lines, line => Assert.StartsWith("#r \"nuget: Rx.Network", line, StringComparison.Ordinal));
        Assert.Contains($"#r \"nuget: Rx.Network, {version}\"", lines);
        Assert.Contains($"#r \"nuget: Rx.Network.Interactive, {version}\"", lines);
    }

    [Fact]
    public void NuGetConfig_NamesTheLocalPackageFolder()
    {
        var config = System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryLayout.Current.NotebooksDirectory, "NuGet.Config"));

        var sources = config.Descendants("add").Select(add => (string?)add.Attribute("value")).ToArray();

        Assert.Contains("../artifacts/packages", sources);
        Assert.Empty(config.Descendants("clear"));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Outputs_AreCommitted(string name)
    {
        var code = CodeCells(LoadJson(name)).ToArray();

        // A run in update mode numbers the code cells 1, 2, 3, … as a fresh kernel would.
        Assert.True(
            code.Select(cell => cell["execution_count"]?.GetValue<int?>()).SequenceEqual(code.Select((_, i) => (int?)(i + 1))),
            $"{name} has not been run since it was edited: run `{UpdateVariable}=1 dotnet test tests/Rx.Network.Notebooks.Tests --filter CSharpKernel` and commit the notebook.");
        var text = WebUtility.HtmlDecode(string.Join("\n", code.SelectMany(cell => cell["outputs"]!.AsArray()).Select(output => OutputText(output!.AsObject()))));
        Assert.DoesNotMatch(CompilerDiagnostic(), text);
        Assert.All(Promised[name], line => Assert.Contains(line, text, StringComparison.Ordinal));
    }

    private static bool IsCSharp(InteractiveDocumentElement cell) => cell.KernelName is "csharp" or "C#" or "c#";

    private static string OutputText(JsonObject output) => (string?)output["output_type"] switch
    {
        "stream" => Joined(output["text"]),
        "error" => $"{output["ename"]}: {output["evalue"]}",
        _ => string.Join("\n", (output["data"]?.AsObject() ?? []).Select(entry => Joined(entry.Value))),
    };

    private static string Joined(JsonNode? text) => text switch
    {
        JsonArray lines => string.Concat(lines.Select(line => (string?)line)),
        null => "",
        _ => (string?)text ?? "",
    };

    [GeneratedRegex(@"\b(warning|error) CS\d{4}\b")]
    private static partial Regex CompilerDiagnostic();
}
