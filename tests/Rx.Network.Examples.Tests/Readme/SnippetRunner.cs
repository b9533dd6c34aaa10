using System.Collections.Immutable;
using System.Reactive.Linq;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace Rx.Network.Examples.Tests.Readme;

/// <summary>
/// Runs C# snippets in order as Roslyn script submissions, each continuing the previous one's state
/// (as the notebook tests run notebook cells): a snippet may use the variables and usings of the
/// ones before it, and top-level <c>await</c> works. References: the framework, Rx.Network,
/// Rx.Network.Mock and the packages their public API exposes.
/// </summary>
internal sealed class SnippetRunner : IAsyncDisposable
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>
    /// Exactly the implicit usings of a console project on the .NET SDK (ImplicitUsings=enable), so
    /// a snippet compiles here only if it compiles as printed in a user's Program.cs.
    /// </summary>
    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private readonly ScriptOptions options = ScriptOptions.Default
        .WithReferences(References.Value)
        .WithImports(ImplicitUsings)
        .WithOptimizationLevel(OptimizationLevel.Debug)
        .WithAllowUnsafe(false);

    private ScriptState<object>? state;

    /// <summary>Compiles and runs <paramref name="code"/> after the snippets run so far.</summary>
    /// <exception cref="CompilationErrorException">The snippet does not compile.</exception>
    public async Task RunAsync(string code, TimeSpan timeLimit)
    {
        var previous = state;

        // Off the caller's thread: a snippet that blocks must not stop the time limit from firing.
        state = await Task.Run(() => previous is null
                ? CSharpScript.RunAsync(code, options)
                : previous.ContinueWithAsync(code, options))
            .WaitAsync(timeLimit);
    }

    /// <summary>The value of a script variable, for assertions.</summary>
    public T Variable<T>(string name) =>
        (T)(state?.GetVariable(name)?.Value ?? throw new InvalidOperationException($"No snippet declared '{name}'."));

    /// <summary>Disposes what the snippets left in variables (networks the tour did not shut down, subscriptions).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var variable in state?.Variables.Reverse() ?? [])
        {
            switch (variable.Value)
            {
                case Task:
                    break;
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var framework = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator)
            .Where(path => path.Length > 0 && path.StartsWith(runtimeDirectory, StringComparison.Ordinal));
        var library = new[] { typeof(INetwork), typeof(Rx.Network.Mock.MockNetwork), typeof(Observable), typeof(Microsoft.Extensions.Logging.ILogger) }
            .Select(type => type.Assembly.Location);

        // The mock network's snippet uses Microsoft.Reactive.Testing, which compiles against the
        // System.Reactive 3.x facades (served at 6.1.0) copied beside the tests.
        var testKit = Directory.EnumerateFiles(AppContext.BaseDirectory, "System.Reactive.*.dll")
            .Append(typeof(Microsoft.Reactive.Testing.TestScheduler).Assembly.Location);
        return [.. framework.Concat(library).Concat(testKit).Distinct().Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }
}
