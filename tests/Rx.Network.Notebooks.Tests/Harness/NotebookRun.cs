namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>What running a notebook produced.</summary>
/// <param name="Notebook">The notebook.</param>
/// <param name="Cells">One result per code cell, in order.</param>
/// <param name="UndisposedNetworks">
/// Names of script variables holding an <see cref="INetwork"/> the notebook had not shut down by
/// its end (the harness disposed them).
/// </param>
public sealed record NotebookRun(Notebook Notebook, IReadOnlyList<CellResult> Cells, IReadOnlyList<string> UndisposedNetworks)
{
    /// <summary>Writes the captured outputs and execution counts into <see cref="Notebook"/> (in memory).</summary>
    public void ApplyOutputs()
    {
        foreach (var cell in Cells)
        {
            Notebook.SetOutputs(cell);
        }
    }
}
