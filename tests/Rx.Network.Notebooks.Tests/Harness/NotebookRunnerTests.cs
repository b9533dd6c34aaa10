namespace Rx.Network.Notebooks.Tests.Harness;

public sealed class NotebookRunnerTests
{
    private const string NuGetReactive = "#r \"nuget: System.Reactive, 7.0.0\"";
    private const string RxNetwork = "#r \"../src/Rx.Network/bin/Debug/net10.0/Rx.Network.dll\"";

    private static readonly NotebookRunner Runner = NotebookRunner.ForRepository(TimeSpan.FromSeconds(60));

    private static Notebook Code(params string[] cells) =>
        Notebook.Create(
            Path.Combine(RepositoryLayout.Current.NotebooksDirectory, "harness-test.ipynb"),
            cells.Select(source => (CellKind.Code, source)).ToArray());

    [Fact]
    public void Constructor_ChecksArguments()
    {
        var layout = RepositoryLayout.Current;
        Assert.Throws<ArgumentNullException>(() => new NotebookRunner(null!, [], TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentNullException>(() => new NotebookRunner(layout, null!, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NotebookRunner(layout, [], TimeSpan.Zero));
    }

    [Fact]
    public async Task RunAsync_NullNotebook_Throws() =>
        await Assert.ThrowsAsync<ArgumentNullException>(() => Runner.RunAsync(null!));

    [Fact]
    public async Task RunAsync_VariablesAndFunctionsCarryAcrossCells()
    {
        var run = await Runner.RunAsync(Code(
            "var x = 20;\nint Twice(int n) => 2 * n;",
            "x = Twice(x) + 2;",
            "x"));

        Assert.Equal([1, 2, 3], run.Cells.Select(c => c.ExecutionCount));
        Assert.Empty(run.Cells[0].Outputs);
        Assert.Equal(new CellOutput(CellOutputKind.Result, "42"), Assert.Single(run.Cells[2].Outputs));
    }

    [Fact]
    public async Task RunAsync_TopLevelAwaitWorks()
    {
        var run = await Runner.RunAsync(Code("await Task.Yield();\nvar n = await Task.FromResult(7);", "n * 6"));

        Assert.Equal("42", Assert.Single(run.Cells[1].Outputs).Text);
    }

    [Fact]
    public async Task RunAsync_CapturesConsoleAndDisplayInOrder()
    {
        var run = await Runner.RunAsync(Code(
            "Console.WriteLine(\"one\");\nConsole.Write(\"two\");\ndisplay(new[] { 1, 2, 3 });\nConsole.Error.WriteLine(\"oops\");\nConsole.WriteLine(\"three\");"));

        Assert.Equal(
            [
                new CellOutput(CellOutputKind.Stdout, "one\ntwo"),
                new CellOutput(CellOutputKind.Display, "[ 1, 2, 3 ]"),
                new CellOutput(CellOutputKind.Stderr, "oops\n"),
                new CellOutput(CellOutputKind.Stdout, "three\n"),
            ],
            run.Cells[0].Outputs);
    }

    [Fact]
    public async Task RunAsync_RestoresTheConsole()
    {
        var (stdout, stderr) = (Console.Out, Console.Error);

        await Runner.RunAsync(Code("Console.WriteLine(1);"));

        Assert.Same(stdout, Console.Out);
        Assert.Same(stderr, Console.Error);
    }

    [Fact]
    public async Task RunAsync_SkipsMarkdownCells()
    {
        var notebook = Notebook.Create(
            Path.Combine(RepositoryLayout.Current.NotebooksDirectory, "mixed.ipynb"),
            (CellKind.Markdown, "# Title\nthis is not code"),
            (CellKind.Code, "1 + 1"));

        var run = await Runner.RunAsync(notebook);

        var cell = Assert.Single(run.Cells);
        Assert.Equal(1, cell.Cell.Index);
        Assert.Equal(1, cell.ExecutionCount);
    }

    [Fact]
    public async Task RunAsync_CompilationError_NamesNotebookAndCell()
    {
        var e = await Assert.ThrowsAsync<NotebookRunException>(() => Runner.RunAsync(Code("var ok = 1;", "var broken = undefinedThing;")));

        Assert.Equal("harness-test.ipynb", e.NotebookName);
        Assert.Equal(2, e.CellNumber);
        Assert.Contains("harness-test.ipynb, cell 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("CS0103", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CellThrows_NamesNotebookCellAndException()
    {
        var e = await Assert.ThrowsAsync<NotebookRunException>(() => Runner.RunAsync(Code(
            "1",
            "2",
            "await Task.Yield();\nthrow new InvalidOperationException(\"boom\");")));

        Assert.Equal(3, e.CellNumber);
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Contains("InvalidOperationException: boom", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_OtherLanguage_Refused()
    {
        var notebook = Notebook.Parse(
            Code("1").ToJson().Replace("\"language\": \"csharp\"", "\"language\": \"fsharp\"", StringComparison.Ordinal),
            Path.Combine(RepositoryLayout.Current.NotebooksDirectory, "fsharp.ipynb"));

        var e = await Assert.ThrowsAsync<NotebookRunException>(() => Runner.RunAsync(notebook));

        Assert.Contains("fsharp", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Timeout_NamesTheHangingCell()
    {
        var quick = NotebookRunner.ForRepository(TimeSpan.FromSeconds(5));

        var e = await Assert.ThrowsAsync<NotebookRunException>(() => quick.RunAsync(Code(
            "var gate = new TaskCompletionSource();",
            "await gate.Task;")));

        Assert.Equal(2, e.CellNumber);
        Assert.Contains("did not finish within 5 s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ReferencesResolveToTheTestsAssemblies()
    {
        var run = await Runner.RunAsync(Code(
            NuGetReactive + "\n" + RxNetwork + "\nusing System.Reactive.Linq;\nusing Rx.Network;",
            "typeof(INetwork).Assembly.Location + \"|\" + typeof(Observable).Assembly.Location"));

        var locations = Assert.Single(run.Cells[1].Outputs).Text.Split('|');
        Assert.Equal(typeof(INetwork).Assembly.Location, locations[0]);
        Assert.Equal(typeof(System.Reactive.Linq.Observable).Assembly.Location, locations[1]);
    }

    [Fact]
    public async Task RunAsync_WithoutReference_LibraryIsUnknown()
    {
        var e = await Assert.ThrowsAsync<NotebookRunException>(() => Runner.RunAsync(Code("using Rx.Network;")));

        Assert.Contains("CS0246", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("#r \"nuget: System.Reactive, 6.0.0\"", "pins version 7.0.0")]
    [InlineData("#r \"nuget: System.Reactive\"", "nuget: Id, Version")]
    [InlineData("#r \"nuget: Newtonsoft.Json, 13.0.3\"", "not in Directory.Packages.props")]
    [InlineData("#r \"nuget: xunit, 2.9.3\"", "does not reference this package")]
    [InlineData("#r \"../src/Rx.Network/bin/Release/net10.0/Rx.Network.dll\"", "puts Rx.Network at ../src/Rx.Network/bin/Debug/net10.0/Rx.Network.dll")]
    [InlineData("#r \"/tmp/Other.dll\"", "Other is not an assembly")]
    public async Task RunAsync_BadReference_ExplainsWhy(string reference, string reason)
    {
        var e = await Assert.ThrowsAsync<NotebookRunException>(() => Runner.RunAsync(Code(reference)));

        Assert.Contains("CS0006", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DisposesLeftoversAndReportsUndisposedNetworks()
    {
        // The notebook hands its values back through AppContext, which scripts see without a reference.
        var key = "notebook-test-" + Guid.NewGuid();

        var run = await Runner.RunAsync(Code(
            RxNetwork + "\n" + NuGetReactive + "\nusing Rx.Network;",
            $"var network = await new NetworkBuilder().StartAsync();\nAppContext.SetData(\"{key}.network\", network);",
            $"var subscription = new System.Reactive.Disposables.BooleanDisposable();\nAppContext.SetData(\"{key}.subscription\", subscription);"));

        Assert.Equal(["network"], run.UndisposedNetworks);
        Assert.True(((INetwork)AppContext.GetData(key + ".network")!).Completion.IsCompletedSuccessfully);
        Assert.True(((System.Reactive.Disposables.BooleanDisposable)AppContext.GetData(key + ".subscription")!).IsDisposed);
    }

    [Fact]
    public async Task RunAsync_NetworkDisposedByTheNotebook_IsNotReported()
    {
        var run = await Runner.RunAsync(Code(
            RxNetwork + "\n" + NuGetReactive + "\nusing Rx.Network;",
            "var network = await new NetworkBuilder().StartAsync();",
            "await network.DisposeAsync();"));

        Assert.Empty(run.UndisposedNetworks);
    }
}
