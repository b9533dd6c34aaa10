namespace Rx.Network.Notebooks.Tests.Harness;

public sealed class NotebookRunExceptionTests
{
    [Fact]
    public void Constructor_NamesNotebookAndCell()
    {
        var notebook = Notebook.Create("/repo/notebooks/n.ipynb", (CellKind.Markdown, "# t"), (CellKind.Code, "var a = 1;\nvar b = 2;"));
        var cause = new InvalidOperationException("inner");

        var e = new NotebookRunException(notebook, notebook.Cells[1], "it broke", cause);

        Assert.Equal("n.ipynb, cell 2 (\"var a = 1;\"): it broke", e.Message);
        Assert.Equal("n.ipynb", e.NotebookName);
        Assert.Equal(2, e.CellNumber);
        Assert.Same(cause, e.InnerException);
    }

    [Fact]
    public void Constructor_WithoutCell()
    {
        var notebook = Notebook.Create("/repo/notebooks/n.ipynb", (CellKind.Code, "1"));

        var e = new NotebookRunException(notebook, null, "too slow");

        Assert.Equal("n.ipynb: too slow", e.Message);
        Assert.Null(e.CellNumber);
    }

    [Fact]
    public void Constructor_ChecksNotebook() =>
        Assert.Throws<ArgumentNullException>(() => new NotebookRunException(null!, null, "x"));

    [Fact]
    public void StandardConstructors_Work()
    {
        Assert.NotNull(new NotebookRunException().Message);
        Assert.Equal("m", new NotebookRunException("m").Message);
        Assert.Null(new NotebookRunException("m").NotebookName);
        Assert.IsType<TimeoutException>(new NotebookRunException("m", new TimeoutException()).InnerException);
    }
}
