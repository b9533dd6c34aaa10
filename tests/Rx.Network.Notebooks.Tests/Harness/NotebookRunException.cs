namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>A notebook failed: a cell did not compile, threw, or the notebook ran out of time.</summary>
public sealed class NotebookRunException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NotebookRunException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public NotebookRunException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public NotebookRunException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one cell of a notebook, naming both.</summary>
    /// <param name="notebook">The notebook.</param>
    /// <param name="cell">The cell, or null when no cell is to blame.</param>
    /// <param name="problem">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public NotebookRunException(Notebook notebook, NotebookCell? cell, string problem, Exception? innerException = null)
        : base(Describe(notebook, cell, problem), innerException)
    {
        NotebookName = notebook.Name;
        CellNumber = cell?.Number;
    }

    /// <summary>The notebook's file name.</summary>
    public string? NotebookName { get; }

    /// <summary>The failing cell's number (from 1, counting every cell), when a cell is to blame.</summary>
    public int? CellNumber { get; }

    private static string Describe(Notebook notebook, NotebookCell? cell, string problem)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        if (cell is null)
        {
            return $"{notebook.Name}: {problem}";
        }

        var firstLine = cell.Source.Split('\n', 2)[0];
        return $"{notebook.Name}, cell {cell.Number} (\"{firstLine}\"): {problem}";
    }
}
