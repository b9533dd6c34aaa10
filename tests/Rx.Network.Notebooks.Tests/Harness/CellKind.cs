namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>The kind of a notebook cell (<c>cell_type</c> in nbformat 4).</summary>
public enum CellKind
{
    /// <summary>Prose: <c>markdown</c>.</summary>
    Markdown,

    /// <summary>Code a kernel runs: <c>code</c>.</summary>
    Code,

    /// <summary>Text passed through untouched: <c>raw</c>.</summary>
    Raw,
}
