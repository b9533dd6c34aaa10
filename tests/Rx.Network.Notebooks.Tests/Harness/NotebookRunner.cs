using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>
/// Runs a notebook's C# cells in order as Roslyn script submissions, the way the .NET Interactive
/// C# kernel does: each cell continues the previous one's state (variables, usings and functions
/// carry over), top-level <c>await</c> works, <c>display(…)</c> and console output are captured
/// per cell, and the value of a trailing expression is shown.
/// </summary>
/// <remarks>
/// Console output is process-wide, so notebooks must not run concurrently in one process (the test
/// assembly disables parallelization). A run is bounded by <see cref="TimeLimit"/>; whatever it
/// ends like, disposable values left in script variables are disposed afterwards, networks first
/// noted in <see cref="NotebookRun.UndisposedNetworks"/> when the notebook had not shut them down.
/// </remarks>
public sealed class NotebookRunner
{
    /// <summary>The time a notebook gets by default: cold Roslyn compilation included.</summary>
    public static readonly TimeSpan DefaultTimeLimit = TimeSpan.FromSeconds(60);

    // What a leftover gets to dispose itself; a network's graceful shutdown is bounded well below.
    private static readonly TimeSpan DisposeLimit = TimeSpan.FromSeconds(15);

    // The .NET Interactive C# kernel imports these; notebooks write their own usings for the rest.
    private static readonly ImmutableArray<string> DefaultImports =
        ["System", "System.Collections.Generic", "System.Linq", "System.Text", "System.Threading.Tasks"];

    // Every framework assembly, as the kernel offers: read once, they are large.
    private static readonly Lazy<ImmutableArray<MetadataReference>> FrameworkReferences = new(LoadFrameworkReferences);

    private readonly RepositoryLayout layout;
    private readonly IReadOnlyList<Assembly> assemblies;

    /// <summary>Creates a runner.</summary>
    /// <param name="layout">The repository the notebooks belong to.</param>
    /// <param name="assemblies">The assemblies <c>#r</c> lines may name.</param>
    /// <param name="timeLimit">How long one notebook may take.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeLimit"/> is not positive.</exception>
    public NotebookRunner(RepositoryLayout layout, IEnumerable<Assembly> assemblies, TimeSpan timeLimit)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(assemblies);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeLimit, TimeSpan.Zero);
        this.layout = layout;
        this.assemblies = assemblies.ToArray();
        TimeLimit = timeLimit;
    }

    /// <summary>How long one notebook may take.</summary>
    public TimeSpan TimeLimit { get; }

    /// <summary>
    /// A runner for this repository's notebooks: the two library projects and the packages they
    /// depend on may be named by <c>#r</c>.
    /// </summary>
    /// <param name="timeLimit">How long one notebook may take; <see cref="DefaultTimeLimit"/> when null.</param>
    /// <returns>The runner.</returns>
    public static NotebookRunner ForRepository(TimeSpan? timeLimit = null) => new(
        RepositoryLayout.Current,
        [
            typeof(INetwork).Assembly,
            typeof(Mock.MockNetwork).Assembly,
            typeof(System.Reactive.Linq.Observable).Assembly,
            typeof(NSec.Cryptography.Key).Assembly,
            typeof(Google.Protobuf.IMessage).Assembly,
            typeof(SimpleBase.Base58).Assembly,
            typeof(Microsoft.Extensions.Logging.ILogger).Assembly,
        ],
        timeLimit ?? DefaultTimeLimit);

    /// <summary>Runs every code cell of <paramref name="notebook"/> in order.</summary>
    /// <param name="notebook">The notebook.</param>
    /// <param name="cancellationToken">Stops the run between cells.</param>
    /// <returns>The outputs of each code cell.</returns>
    /// <exception cref="NotebookRunException">
    /// A cell is not C#, does not compile or throws, or the notebook did not finish within
    /// <see cref="TimeLimit"/>; the message names the notebook and the cell.
    /// </exception>
    public async Task<NotebookRun> RunAsync(Notebook notebook, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        var progress = new Progress();
        var capture = new CellCapture();
        var (stdout, stderr) = (Console.Out, Console.Error);
        Console.SetOut(capture.Out);
        Console.SetError(capture.Error);
        try
        {
            var cells = RunCellsAsync(notebook, progress, capture, cancellationToken);
            try
            {
                await cells.WaitAsync(TimeLimit, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new NotebookRunException(notebook, progress.Cell, $"the notebook did not finish within {TimeLimit.TotalSeconds:0} s.");
            }

            return new NotebookRun(notebook, progress.Results, progress.UndisposedNetworks());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            await DisposeLeftoversAsync(progress.State).ConfigureAwait(false);
        }
    }

    private async Task RunCellsAsync(Notebook notebook, Progress progress, CellCapture capture, CancellationToken cancellationToken)
    {
        var resolver = new NotebookReferenceResolver(layout, assemblies);
        var options = ScriptOptions.Default
            .WithFilePath(notebook.Path)
            .WithReferences(FrameworkReferences.Value)
            .WithImports(DefaultImports)
            .WithMetadataResolver(resolver)
            .WithSourceResolver(SourceFileResolver.Default)
            .WithOptimizationLevel(OptimizationLevel.Debug)
            .WithAllowUnsafe(false);
        var globals = new NotebookGlobals(capture);
        int executionCount = 0;
        foreach (var cell in notebook.Cells.Where(c => c.Kind == CellKind.Code))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (cell.Language is not null and not "csharp")
            {
                throw new NotebookRunException(notebook, cell, $"only C# cells can run here, not '{cell.Language}'.");
            }

            progress.Cell = cell;
            executionCount++;
            ScriptState<object> state;
            try
            {
                // Off the caller's thread: a cell that blocks must not stop the time limit from firing.
                var previous = progress.State;
                state = await Task.Run(
                    () => previous is null
                        ? CSharpScript.RunAsync(cell.Source, options, globals, typeof(NotebookGlobals), cancellationToken)
                        : previous.ContinueWithAsync(cell.Source, options, cancellationToken),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (CompilationErrorException e)
            {
                var refusals = resolver.TakeRefusals();
                var details = string.Join("\n", e.Diagnostics.Select(d => d.ToString()).Concat(refusals));
                throw new NotebookRunException(notebook, cell, "the cell does not compile:\n" + details, e);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw new NotebookRunException(notebook, cell, $"the cell threw {e.GetType().Name}: {e.Message}", e);
            }

            progress.State = state;
            if (state.ReturnValue is not null)
            {
                capture.Result(state.ReturnValue);
            }

            progress.Results.Add(new CellResult(cell, executionCount, capture.TakeOutputs()));
        }
    }

    private static async Task DisposeLeftoversAsync(ScriptState<object>? state)
    {
        if (state is null)
        {
            return;
        }

        foreach (var variable in state.Variables.Reverse())
        {
            try
            {
                switch (variable.Value)
                {
                    case Task:
                        // Tasks are IDisposable but nothing to clean up; disposing a running one throws.
                        break;
                    case IAsyncDisposable asyncDisposable:
                        await asyncDisposable.DisposeAsync().AsTask().WaitAsync(DisposeLimit).ConfigureAwait(false);
                        break;
                    case IDisposable disposable:
                        disposable.Dispose();
                        break;
                }
            }
            catch (Exception)
            {
                // Best effort: the notebook's own result was decided already, and a leftover that
                // cannot be disposed in time must not hide it.
            }
        }
    }

    private static ImmutableArray<MetadataReference> LoadFrameworkReferences()
    {
        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator);
        return [.. trusted
            .Where(path => path.Length > 0 && path.StartsWith(runtimeDirectory, StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }

    // Shared between the run and its time limit: what has been run so far.
    private sealed class Progress
    {
        private ScriptState<object>? state;

        public NotebookCell? Cell { get; set; }

        public ScriptState<object>? State
        {
            get => Volatile.Read(ref state);
            set => Volatile.Write(ref state, value);
        }

        public List<CellResult> Results { get; } = [];

        public string[] UndisposedNetworks() => State is null
            ? []
            : State.Variables
                .Where(v => v.Value is INetwork network && !network.Completion.IsCompleted)
                .Select(v => v.Name)
                .ToArray();
    }
}
