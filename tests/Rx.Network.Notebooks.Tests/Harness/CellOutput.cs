namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>One output of a code cell, as text (the notebooks store <c>text/plain</c> only).</summary>
/// <param name="Kind">Where it came from.</param>
/// <param name="Text">The text.</param>
public sealed record CellOutput(CellOutputKind Kind, string Text);
