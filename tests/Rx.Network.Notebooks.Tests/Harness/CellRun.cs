using Microsoft.DotNet.Interactive.Documents;

namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>What one code cell did in a kernel: its outputs, the compiler's warnings, and its failure if any.</summary>
/// <param name="Index">The cell's index among all the notebook's cells.</param>
/// <param name="ExecutionOrder">1 for the first code cell, 2 for the second, …</param>
/// <param name="Outputs">The outputs, in the kernel's document model (what the notebook file stores).</param>
/// <param name="Warnings">Compiler warnings of the cell, as the kernel reported them.</param>
/// <param name="Error">The failure message, or null when the cell succeeded.</param>
public sealed record CellRun(int Index, int ExecutionOrder, IReadOnlyList<InteractiveDocumentOutputElement> Outputs, IReadOnlyList<string> Warnings, string? Error)
{
    /// <summary>The text of every output: streams, and each mime type of displayed and returned values.</summary>
    public string Text => string.Join("\n", Outputs.SelectMany(output => output switch
    {
        TextElement text => [text.Text],
        DisplayElement display => display.Data.Values.Select(value => value?.ToString() ?? ""),
        ReturnValueElement returned => returned.Data.Values.Select(value => value?.ToString() ?? ""),
        ErrorElement error => [error.ErrorValue],
        _ => [],
    }));
}
