using System.Diagnostics.CodeAnalysis;

namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>
/// The globals every notebook cell sees, standing in for the ones the .NET Interactive C# kernel
/// gives: <see cref="display"/>.
/// </summary>
public sealed class NotebookGlobals
{
    private readonly CellCapture capture;

    internal NotebookGlobals(CellCapture capture) => this.capture = capture;

    /// <summary>Shows a value below the cell (a <c>display_data</c> output), like .NET Interactive's <c>display</c>.</summary>
    /// <param name="value">The value; formatted by <see cref="OutputFormatter"/>.</param>
    [SuppressMessage("Style", "IDE1006:Naming Styles", Justification = "The name notebooks call, as in .NET Interactive.")]
    public void display(object? value) => capture.Display(value);
}
