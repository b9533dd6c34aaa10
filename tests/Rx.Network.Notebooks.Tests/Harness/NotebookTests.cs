using System.Text.Json.Nodes;

namespace Rx.Network.Notebooks.Tests.Harness;

public sealed class NotebookTests
{
    private const string Path = "/repo/notebooks/test.ipynb";

    private static Notebook Sample() => Notebook.Create(
        Path,
        (CellKind.Markdown, "# Title\nprose"),
        (CellKind.Code, "var x = 1;\nx"),
        (CellKind.Raw, "raw text"),
        (CellKind.Code, "display(x);"));

    [Fact]
    public void Arguments_AreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => Notebook.Parse(null!, Path));
        Assert.Throws<ArgumentException>(() => Notebook.Parse("{}", ""));
        Assert.Throws<ArgumentException>(() => Notebook.Load(""));
        Assert.Throws<ArgumentNullException>(() => Notebook.Create(Path, null!));
        Assert.Throws<ArgumentNullException>(() => Sample().SetOutputs(null!));
        Assert.Throws<ArgumentNullException>(() => Sample().CellMetadata(null!));
    }

    [Fact]
    public void Create_WritesDotNetInteractiveMetadata()
    {
        var notebook = Sample();

        Assert.Equal(".net-csharp", (string?)notebook.Metadata["kernelspec"]?["name"]);
        Assert.Equal("C#", (string?)notebook.Metadata["language_info"]?["name"]);
        Assert.Equal(4, notebook.Format);
        Assert.Equal("csharp", (string?)notebook.CellMetadata(notebook.Cells[1])["dotnet_interactive"]?["language"]);
        Assert.Empty(notebook.CellMetadata(notebook.Cells[0]));
    }

    [Fact]
    public void Parse_ReadsCells()
    {
        var notebook = Notebook.Parse(Sample().ToJson(), Path);

        Assert.Equal("test.ipynb", notebook.Name);
        Assert.Equal("/repo/notebooks", notebook.Directory);
        Assert.Equal([CellKind.Markdown, CellKind.Code, CellKind.Raw, CellKind.Code], notebook.Cells.Select(c => c.Kind));
        Assert.Equal("var x = 1;\nx", notebook.Cells[1].Source);
        Assert.Equal("csharp", notebook.Cells[1].Language);
        Assert.Null(notebook.Cells[0].Language);
        Assert.Null(notebook.Cells[1].ExecutionCount);
        Assert.Equal(0, notebook.Cells[1].OutputCount);
        Assert.Equal(4, notebook.Cells[3].Number);
    }

    [Fact]
    public void Parse_SourceAsOneString()
    {
        var notebook = Notebook.Parse(
            """{ "cells": [ { "cell_type": "code", "metadata": {}, "source": "a\nb", "outputs": [], "execution_count": 3 } ] }""",
            Path);

        Assert.Equal("a\nb", notebook.Cells[0].Source);
        Assert.Equal(3, notebook.Cells[0].ExecutionCount);
        Assert.Null(notebook.Cells[0].Language);
    }

    [Fact]
    public void Parse_PolyglotKernelNameAsLanguage()
    {
        var notebook = Notebook.Parse(
            """{ "cells": [ { "cell_type": "code", "metadata": { "polyglot_notebook": { "kernelName": "fsharp" } }, "source": [] } ] }""",
            Path);

        Assert.Equal("fsharp", notebook.Cells[0].Language);
        Assert.Equal("", notebook.Cells[0].Source);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{ "cells": {} }""")]
    [InlineData("""{ "cells": [ 1 ] }""")]
    [InlineData("""{ "cells": [ { "cell_type": "python" } ] }""")]
    [InlineData("""{ "cells": [ { "cell_type": "code", "source": 5 } ] }""")]
    public void Parse_NotANotebook_ThrowsFormatException(string json) =>
        Assert.Throws<FormatException>(() => Notebook.Parse(json, Path));

    [Fact]
    public void ToJson_UsesJupyterLayout()
    {
        var json = Sample().ToJson();

        Assert.StartsWith("{\n \"cells\": [\n  {\n   \"cell_type\": \"markdown\",", json, StringComparison.Ordinal);
        Assert.EndsWith("}\n", json, StringComparison.Ordinal);
        Assert.Contains("\"var x = 1;\\n\",\n    \"x\"\n", json, StringComparison.Ordinal);
        Assert.Contains("display(x);", json, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_RoundTripsUnchanged()
    {
        var json = Sample().ToJson();

        Assert.Equal(json, Notebook.Parse(json, Path).ToJson());
    }

    [Fact]
    public void SetOutputs_WritesNbformatOutputs()
    {
        var notebook = Sample();

        notebook.SetOutputs(new CellResult(notebook.Cells[1], 1,
        [
            new CellOutput(CellOutputKind.Stdout, "line 1\nline 2\n"),
            new CellOutput(CellOutputKind.Stderr, "warning"),
            new CellOutput(CellOutputKind.Display, "[ 1, 2 ]"),
            new CellOutput(CellOutputKind.Result, "1"),
        ]));

        var cell = JsonNode.Parse(notebook.ToJson())!["cells"]![1]!;
        Assert.Equal(1, (int)cell["execution_count"]!);
        var outputs = cell["outputs"]!.AsArray();
        Assert.Equal("""{"name":"stdout","output_type":"stream","text":["line 1\n","line 2\n"]}""", outputs[0]!.ToJsonString());
        Assert.Equal("""{"name":"stderr","output_type":"stream","text":["warning"]}""", outputs[1]!.ToJsonString());
        Assert.Equal("""{"data":{"text/plain":["[ 1, 2 ]"]},"metadata":{},"output_type":"display_data"}""", outputs[2]!.ToJsonString());
        Assert.Equal("""{"data":{"text/plain":["1"]},"execution_count":1,"metadata":{},"output_type":"execute_result"}""", outputs[3]!.ToJsonString());
    }

    [Fact]
    public void SetOutputs_ReplacesEarlierOutputs()
    {
        var notebook = Sample();
        notebook.SetOutputs(new CellResult(notebook.Cells[3], 2, [new CellOutput(CellOutputKind.Display, "first")]));

        notebook.SetOutputs(new CellResult(notebook.Cells[3], 5, []));

        var reread = Notebook.Parse(notebook.ToJson(), Path);
        Assert.Equal(5, reread.Cells[3].ExecutionCount);
        Assert.Equal(0, reread.Cells[3].OutputCount);
    }

    [Fact]
    public void SetOutputs_ForeignOrProseCell_Throws()
    {
        var notebook = Sample();

        Assert.Throws<ArgumentException>(() => notebook.SetOutputs(new CellResult(notebook.Cells[0], 1, [])));
        Assert.Throws<ArgumentException>(() => notebook.SetOutputs(new CellResult(Sample().Cells[1], 1, [])));
    }

    [Fact]
    public void Save_WritesToPath()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"notebook-{Guid.NewGuid()}.ipynb");
        try
        {
            var notebook = Notebook.Create(path, (CellKind.Code, "1"));

            notebook.Save();

            Assert.Equal(notebook.ToJson(), File.ReadAllText(path));
            Assert.Equal("1", Notebook.Load(path).Cells[0].Source);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
