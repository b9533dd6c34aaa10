namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>One cell of a notebook, as read from the file.</summary>
/// <param name="Index">Its position among all the notebook's cells, from 0.</param>
/// <param name="Kind">Prose, code or raw.</param>
/// <param name="Source">Its text, lines joined with <c>\n</c>.</param>
/// <param name="Language">
/// For code cells, the .NET Interactive language from the cell metadata
/// (<c>dotnet_interactive.language</c>, else <c>polyglot_notebook.kernelName</c>), or null when absent.
/// </param>
/// <param name="ExecutionCount">The stored <c>execution_count</c>, or null.</param>
/// <param name="OutputCount">How many outputs are stored.</param>
public sealed record NotebookCell(int Index, CellKind Kind, string Source, string? Language, int? ExecutionCount, int OutputCount)
{
    /// <summary>The cell's number as a notebook UI shows it (from 1), for messages.</summary>
    public int Number => Index + 1;
}
