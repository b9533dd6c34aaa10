using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>
/// A Jupyter notebook (nbformat 4) as .NET Interactive writes it: read from JSON, its code cells'
/// outputs replaceable, written back in Jupyter's layout (one-space indent, keys as found, a final
/// newline) so that rewriting outputs leaves every other byte alone.
/// </summary>
public sealed class Notebook
{
    /// <summary>The notebook-level metadata a .NET Interactive C# notebook carries.</summary>
    public static readonly string KernelMetadataJson = """
        {
          "kernelspec": { "display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp" },
          "language_info": {
            "file_extension": ".cs",
            "mimetype": "text/x-csharp",
            "name": "C#",
            "pygments_lexer": "csharp",
            "version": "13.0"
          },
          "polyglot_notebook": {
            "kernelInfo": { "defaultKernelName": "csharp", "items": [ { "aliases": [], "name": "csharp" } ] }
          }
        }
        """;

    /// <summary>The metadata .NET Interactive gives each C# code cell.</summary>
    public static readonly string CodeCellMetadataJson = """
        {
          "dotnet_interactive": { "language": "csharp" },
          "polyglot_notebook": { "kernelName": "csharp" }
        }
        """;

    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        IndentSize = 1,

        // Code is full of <, >, & and quotes: keep it readable in diffs, as Jupyter does.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly JsonObject root;
    private readonly JsonArray cellsJson;

    private Notebook(string path, JsonObject root, JsonArray cellsJson, IReadOnlyList<NotebookCell> cells)
    {
        Path = path;
        this.root = root;
        this.cellsJson = cellsJson;
        Cells = cells;
    }

    /// <summary>Where the notebook lives (or would live); <c>#r</c> paths are relative to its folder.</summary>
    public string Path { get; }

    /// <summary>The file name, for messages.</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>The folder holding the notebook.</summary>
    public string Directory => System.IO.Path.GetDirectoryName(Path) ?? ".";

    /// <summary>The cells in order.</summary>
    public IReadOnlyList<NotebookCell> Cells { get; }

    /// <summary>The notebook-level metadata (kernelspec, language_info, …).</summary>
    public JsonObject Metadata => root["metadata"] as JsonObject ?? [];

    /// <summary>The <c>nbformat</c> major version.</summary>
    public int? Format => root["nbformat"]?.GetValue<int>();

    /// <summary>The metadata of one cell as stored.</summary>
    /// <param name="cell">The cell.</param>
    /// <returns>Its metadata object (empty when absent).</returns>
    public JsonObject CellMetadata(NotebookCell cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        return cellsJson[cell.Index]?["metadata"] as JsonObject ?? [];
    }

    /// <summary>Reads a notebook file.</summary>
    /// <param name="path">The <c>.ipynb</c> file.</param>
    /// <returns>The notebook.</returns>
    /// <exception cref="FormatException">The file is not an nbformat 4 notebook.</exception>
    public static Notebook Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllText(path), System.IO.Path.GetFullPath(path));
    }

    /// <summary>Reads a notebook from its JSON text.</summary>
    /// <param name="json">The text.</param>
    /// <param name="path">Where the notebook is taken to live.</param>
    /// <returns>The notebook.</returns>
    /// <exception cref="FormatException">The text is not an nbformat 4 notebook.</exception>
    public static Notebook Parse(string json, string path)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentException.ThrowIfNullOrEmpty(path);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path} is not JSON: {e.Message}", e);
        }

        if (node is not JsonObject root || root["cells"] is not JsonArray cellsJson)
        {
            throw new FormatException($"{path} is not a notebook: it has no \"cells\" array.");
        }

        var cells = new List<NotebookCell>(cellsJson.Count);
        for (int i = 0; i < cellsJson.Count; i++)
        {
            cells.Add(ReadCell(path, i, cellsJson[i]));
        }

        return new Notebook(path, root, cellsJson, cells);
    }

    /// <summary>
    /// Builds a .NET Interactive C# notebook in memory (no outputs), as the harness's own tests and
    /// a new notebook need.
    /// </summary>
    /// <param name="path">Where the notebook is taken to live.</param>
    /// <param name="cells">The cells: kind and source.</param>
    /// <returns>The notebook.</returns>
    public static Notebook Create(string path, params (CellKind Kind, string Source)[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var array = new JsonArray();
        foreach (var (kind, source) in cells)
        {
            var cell = new JsonObject { ["cell_type"] = KindName(kind) };
            if (kind == CellKind.Code)
            {
                cell["execution_count"] = null;
                cell["metadata"] = JsonNode.Parse(CodeCellMetadataJson);
                cell["outputs"] = new JsonArray();
            }
            else
            {
                cell["metadata"] = new JsonObject();
            }

            cell["source"] = Lines(source);
            array.Add(cell);
        }

        var root = new JsonObject
        {
            ["cells"] = array,
            ["metadata"] = JsonNode.Parse(KernelMetadataJson),
            ["nbformat"] = 4,
            ["nbformat_minor"] = 2,
        };
        return Parse(root.ToJsonString(), path);
    }

    /// <summary>Replaces a code cell's execution count and outputs.</summary>
    /// <param name="result">What running the cell produced.</param>
    /// <exception cref="ArgumentException">The cell is not a code cell of this notebook.</exception>
    public void SetOutputs(CellResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Cell.Index >= cellsJson.Count || cellsJson[result.Cell.Index] is not JsonObject cell
            || result.Cell.Kind != CellKind.Code || !ReferenceEquals(Cells[result.Cell.Index], result.Cell))
        {
            throw new ArgumentException("The result is not for a code cell of this notebook.", nameof(result));
        }

        cell["execution_count"] = result.ExecutionCount;
        var outputs = new JsonArray();
        foreach (var output in result.Outputs)
        {
            outputs.Add(ToJson(output, result.ExecutionCount));
        }

        cell["outputs"] = outputs;
    }

    /// <summary>The notebook as Jupyter writes it.</summary>
    /// <returns>The JSON text, with a final newline.</returns>
    public string ToJson() => root.ToJsonString(WriteOptions).ReplaceLineEndings("\n") + "\n";

    /// <summary>Writes <see cref="ToJson"/> to <see cref="Path"/>.</summary>
    public void Save() => File.WriteAllText(Path, ToJson());

    private static NotebookCell ReadCell(string path, int index, JsonNode? node)
    {
        if (node is not JsonObject cell)
        {
            throw new FormatException($"{path}: cell {index + 1} is not an object.");
        }

        var kind = (string?)cell["cell_type"] switch
        {
            "markdown" => CellKind.Markdown,
            "code" => CellKind.Code,
            "raw" => CellKind.Raw,
            var other => throw new FormatException($"{path}: cell {index + 1} has an unknown cell_type '{other}'."),
        };
        var language = (string?)cell["metadata"]?["dotnet_interactive"]?["language"]
            ?? (string?)cell["metadata"]?["polyglot_notebook"]?["kernelName"];
        int? count = cell["execution_count"] is JsonValue value && value.TryGetValue<int>(out int n) ? n : null;
        int outputs = (cell["outputs"] as JsonArray)?.Count ?? 0;
        return new NotebookCell(index, kind, ReadSource(path, index, cell["source"]), language, count, outputs);
    }

    // nbformat allows the source as one string or as a list of lines that keep their "\n".
    private static string ReadSource(string path, int index, JsonNode? source) => source switch
    {
        null => "",
        JsonValue text when text.TryGetValue<string>(out var s) => s,
        JsonArray lines => string.Concat(lines.Select(line => (string?)line)),
        _ => throw new FormatException($"{path}: cell {index + 1} has a source that is neither text nor lines."),
    };

    private static JsonObject ToJson(CellOutput output, int executionCount) => output.Kind switch
    {
        CellOutputKind.Stdout or CellOutputKind.Stderr => new JsonObject
        {
            ["name"] = output.Kind == CellOutputKind.Stdout ? "stdout" : "stderr",
            ["output_type"] = "stream",
            ["text"] = Lines(output.Text),
        },
        CellOutputKind.Display => new JsonObject
        {
            ["data"] = new JsonObject { ["text/plain"] = Lines(output.Text) },
            ["metadata"] = new JsonObject(),
            ["output_type"] = "display_data",
        },
        _ => new JsonObject
        {
            ["data"] = new JsonObject { ["text/plain"] = Lines(output.Text) },
            ["execution_count"] = executionCount,
            ["metadata"] = new JsonObject(),
            ["output_type"] = "execute_result",
        },
    };

    private static string KindName(CellKind kind) => kind switch
    {
        CellKind.Markdown => "markdown",
        CellKind.Code => "code",
        CellKind.Raw => "raw",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a cell kind."),
    };

    // Jupyter's multi-line strings: a list of lines, each keeping its "\n" except the last.
    private static JsonArray Lines(string text)
    {
        var lines = new JsonArray();
        int start = 0;
        text = text.ReplaceLineEndings("\n");
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            lines.Add(text[start..end]);
            start = end;
        }

        return lines;
    }
}
