namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>What running one code cell produced.</summary>
/// <param name="Cell">The cell.</param>
/// <param name="ExecutionCount">Its place among the code cells run, from 1 (the notebook's <c>[n]</c>).</param>
/// <param name="Outputs">Its outputs in the order they were produced.</param>
public sealed record CellResult(NotebookCell Cell, int ExecutionCount, IReadOnlyList<CellOutput> Outputs);
