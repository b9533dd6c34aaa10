using Rx.Network.Notebooks.Tests.Harness;

namespace Rx.Network.Notebooks.Tests;

/// <summary>
/// Runs every notebook under <c>notebooks/</c> as .NET Interactive would and checks its form.
/// With <c>RXNET_UPDATE_NOTEBOOKS=1</c> in the environment, a successful run also writes the
/// captured outputs back into the notebook file (commit them); otherwise no file is touched.
/// </summary>
public sealed class NotebookFilesTests
{
    private const string UpdateVariable = "RXNET_UPDATE_NOTEBOOKS";

    private static readonly string[] ExpectedNotebooks =
        ["01-getting-started.ipynb", "02-rx-linq-over-the-network.ipynb", "03-virtual-time.ipynb", "04-simulating-a-network.ipynb"];

    public static TheoryData<string> Notebooks() =>
        new(RepositoryLayout.Current.NotebookPaths().Select(path => Path.GetFileName(path)));

    private static bool UpdateRequested => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    private static Notebook Load(string name) =>
        Notebook.Load(Path.Combine(RepositoryLayout.Current.NotebooksDirectory, name));

    [Fact]
    public void NotebookPaths_HoldTheTutorialNotebooks()
    {
        var names = RepositoryLayout.Current.NotebookPaths().Select(path => Path.GetFileName(path)).ToArray();

        Assert.Superset(ExpectedNotebooks.ToHashSet(), names.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Run_EveryCodeCellSucceeds(string name)
    {
        var notebook = Load(name);

        var run = await NotebookRunner.ForRepository().RunAsync(notebook);

        Assert.True(
            run.UndisposedNetworks.Count == 0,
            $"{name} left networks running at its end ({string.Join(", ", run.UndisposedNetworks)}): dispose them in the last cell.");
        if (UpdateRequested)
        {
            run.ApplyOutputs();
            notebook.Save();
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Metadata_IsDotNetInteractiveCSharp(string name)
    {
        var notebook = Load(name);

        Assert.Equal(4, notebook.Format);
        Assert.Equal(".net-csharp", (string?)notebook.Metadata["kernelspec"]?["name"]);
        Assert.Equal(".NET (C#)", (string?)notebook.Metadata["kernelspec"]?["display_name"]);
        Assert.Equal("C#", (string?)notebook.Metadata["kernelspec"]?["language"]);
        Assert.Equal("C#", (string?)notebook.Metadata["language_info"]?["name"]);
        Assert.All(
            notebook.Cells.Where(cell => cell.Kind == CellKind.Code),
            cell => Assert.Equal("csharp", (string?)notebook.CellMetadata(cell)["dotnet_interactive"]?["language"]));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Cells_MixProseAndCode(string name)
    {
        var notebook = Load(name);

        Assert.Equal(CellKind.Markdown, notebook.Cells[0].Kind);
        Assert.StartsWith("# ", notebook.Cells[0].Source, StringComparison.Ordinal);
        Assert.True(notebook.Cells.Count(cell => cell.Kind == CellKind.Markdown) >= 4, $"{name}: explain the code in prose cells.");
        Assert.True(notebook.Cells.Count(cell => cell.Kind == CellKind.Code) >= 5, $"{name}: show several code cells.");
        Assert.DoesNotContain(notebook.Cells, cell => string.IsNullOrWhiteSpace(cell.Source));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void FirstCodeCell_ReferencesTheBuiltLibrary(string name)
    {
        var first = Load(name).Cells.First(cell => cell.Kind == CellKind.Code);
        var lines = first.Source.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.All(lines, line => Assert.StartsWith("#r \"", line, StringComparison.Ordinal));
        Assert.Contains("#r \"../src/Rx.Network/bin/Debug/net10.0/Rx.Network.dll\"", lines);
        Assert.Contains("#r \"nuget: System.Reactive, 7.0.0\"", lines);
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Outputs_AreCommitted(string name)
    {
        var code = Load(name).Cells.Where(cell => cell.Kind == CellKind.Code).ToArray();

        // A run in update mode numbers the code cells 1, 2, 3, … as a fresh kernel would.
        Assert.True(
            code.Select(cell => cell.ExecutionCount).SequenceEqual(code.Select((_, i) => (int?)(i + 1))),
            $"{name} has not been run since it was edited: run `{UpdateVariable}=1 dotnet test tests/Rx.Network.Notebooks.Tests` and commit the notebook.");
        Assert.Contains(code, cell => cell.OutputCount > 0);
    }
}
