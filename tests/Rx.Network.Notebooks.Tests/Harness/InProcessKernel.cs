using System.Collections.Concurrent;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>
/// Runs a notebook in .NET Interactive's C# kernel in this process, cell by cell, as Polyglot
/// Notebooks and the Jupyter kernel do: one <see cref="SubmitCode"/> per code cell, <c>#r "nuget: …"</c>
/// restored by the kernel's package manager (from the sources the notebook folder's
/// <c>NuGet.Config</c> names), and a referenced package's <c>interactive-extensions/dotnet/extension.dib</c>
/// run after the cell that added it, as the dotnet-interactive tool does.
/// </summary>
/// <remarks>
/// Formatting is set up as the tool sets it for a notebook front end (HTML by default, strings as
/// plain text). The process's current directory is the notebook's folder while it runs.
/// </remarks>
public static class InProcessKernel
{
    private const string ExtensionScript = "extension.dib";

    /// <summary>Runs every C# code cell of <paramref name="document"/> in order, stopping at the first failure.</summary>
    /// <param name="document">The notebook.</param>
    /// <param name="directory">The notebook's folder.</param>
    /// <param name="cellTimeout">How long one cell may run.</param>
    /// <returns>What each cell that ran did.</returns>
    public static async Task<IReadOnlyList<CellRun>> RunAsync(InteractiveDocument document, string directory, TimeSpan cellTimeout)
    {
        var previousDirectory = Environment.CurrentDirectory;
        Environment.CurrentDirectory = directory;
        Formatter.ResetToDefault();
        Formatter.DefaultMimeType = HtmlFormatter.MimeType;
        Formatter.SetPreferredMimeTypesFor(typeof(string), PlainTextFormatter.MimeType);

        var csharp = new CSharpKernel()
            .UseNugetDirective(
                (kernel, packages) =>
                {
                    kernel.AddAssemblyReferences(packages.SelectMany(package => package.AssemblyPaths));
                    return Task.CompletedTask;
                },
                forceRestore: true)
            .UseKernelHelpers();
        using var kernel = new CompositeKernel { csharp };
        kernel.DefaultKernelName = csharp.Name;
        var added = new ConcurrentQueue<string>();
        using var packages = kernel.KernelEvents.Subscribe(e =>
        {
            if (e is PackageAdded { PackageReference.PackageRoot: { } root })
            {
                added.Enqueue(root);
            }
        });

        var runs = new List<CellRun>();
        try
        {
            int order = 0;
            for (int i = 0; i < document.Elements.Count; i++)
            {
                var cell = document.Elements[i];
                if (cell.KernelName is not ("csharp" or "C#" or "c#"))
                {
                    continue;
                }

                var run = await SubmitAsync(kernel, cell.Contents, i, ++order, cellTimeout);
                var extensionError = await LoadExtensionsAsync(kernel, added, cellTimeout);
                run = extensionError is null ? run : run with { Error = run.Error ?? extensionError };
                runs.Add(run);
                if (run.Error is not null)
                {
                    break;
                }
            }
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
            Formatter.ResetToDefault();
        }

        return runs;
    }

    private static async Task<CellRun> SubmitAsync(Kernel kernel, string code, int index, int order, TimeSpan timeout)
    {
        KernelCommandResult result;
        try
        {
            result = await kernel.SendAsync(new SubmitCode(code)).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            return new CellRun(index, order, [], [], $"the cell ran longer than {timeout}");
        }

        var outputs = new List<InteractiveDocumentOutputElement>();
        var displays = new Dictionary<string, int>();
        var warnings = new List<string>();
        string? error = null;
        foreach (var e in result.Events)
        {
            switch (e)
            {
                case StandardOutputValueProduced text:
                    AddText(outputs, Plain(text), "stdout");
                    break;
                case StandardErrorValueProduced text:
                    AddText(outputs, Plain(text), "stderr");
                    break;
                case ReturnValueProduced value:
                    var returned = new ReturnValueElement { ExecutionOrder = order };
                    Fill(returned.Data, value);
                    outputs.Add(returned);
                    break;
                case DisplayEvent display:
                    // A display updated later (package installation progress) keeps its place and shows its last value.
                    var element = new DisplayElement(new Dictionary<string, object>());
                    Fill(element.Data, display);
                    if (display.ValueId is { } id && displays.TryGetValue(id, out int at))
                    {
                        outputs[at] = element;
                    }
                    else
                    {
                        if (display.ValueId is { } newId)
                        {
                            displays[newId] = outputs.Count;
                        }

                        outputs.Add(element);
                    }

                    break;
                case DiagnosticsProduced diagnostics:
                    warnings.AddRange(diagnostics.Diagnostics
                        .Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
                        .Select(d => $"{d.Code}: {d.Message}"));
                    break;
                case CommandFailed failed:
                    error = failed.Message;
                    outputs.Add(new ErrorElement(failed.Message, failed.Exception?.GetType().Name ?? "Error"));
                    break;
            }
        }

        return new CellRun(index, order, outputs, warnings, error);
    }

    private static async Task<string?> LoadExtensionsAsync(Kernel kernel, ConcurrentQueue<string> added, TimeSpan timeout)
    {
        while (added.TryDequeue(out var root))
        {
            var script = Path.Combine(root, "interactive-extensions", "dotnet", ExtensionScript);
            if (!File.Exists(script))
            {
                continue;
            }

            // An extension.dib is a notebook of its own; its C# cells are what the tool submits.
            var code = string.Join('\n', File.ReadAllLines(script).Where(line => !line.StartsWith("#!", StringComparison.Ordinal)));
            var result = await kernel.SendAsync(new SubmitCode(code)).WaitAsync(timeout);
            if (result.Events.OfType<CommandFailed>().FirstOrDefault() is { } failed)
            {
                return $"the extension script {script} failed: {failed.Message}";
            }
        }

        return null;
    }

    private static string Plain(DisplayEvent e) =>
        e.FormattedValues.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value ?? e.Value?.ToString() ?? "";

    private static void Fill(IDictionary<string, object> data, DisplayEvent e)
    {
        foreach (var value in e.FormattedValues)
        {
            data[value.MimeType] = value.Value;
        }
    }

    private static void AddText(List<InteractiveDocumentOutputElement> outputs, string text, string stream)
    {
        // Consecutive writes to one stream are one output, as a notebook shows them.
        if (outputs.Count > 0 && outputs[^1] is TextElement last && last.Name == stream)
        {
            outputs[^1] = new TextElement(last.Text + text, stream);
        }
        else
        {
            outputs.Add(new TextElement(text, stream));
        }
    }
}
