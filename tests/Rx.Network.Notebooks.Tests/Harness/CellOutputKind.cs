namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>Where a cell output came from, which decides its nbformat <c>output_type</c>.</summary>
public enum CellOutputKind
{
    /// <summary>Text written to <see cref="Console.Out"/>: a <c>stream</c> output named <c>stdout</c>.</summary>
    Stdout,

    /// <summary>Text written to <see cref="Console.Error"/>: a <c>stream</c> output named <c>stderr</c>.</summary>
    Stderr,

    /// <summary>A value passed to <c>display(…)</c>: a <c>display_data</c> output.</summary>
    Display,

    /// <summary>The value of a cell's trailing expression: an <c>execute_result</c> output.</summary>
    Result,
}
