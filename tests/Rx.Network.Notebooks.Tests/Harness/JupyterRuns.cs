using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>
/// The Jupyter runs of the notebooks, started together in the background (two at a time) as soon
/// as the packages are packed, so that they overlap with each other and with the in-process runs:
/// most of a Jupyter run is the kernel process starting and restoring packages.
/// </summary>
public static class JupyterRuns
{
    private const int AtOnce = 2;
    private static readonly SemaphoreSlim Slots = new(AtOnce, AtOnce);
    private static readonly ConcurrentDictionary<string, Lazy<Task<(JsonObject Notebook, string Log)>>> Runs = new(StringComparer.Ordinal);

    /// <summary>Starts a Jupyter run of every notebook not started yet.</summary>
    /// <param name="notebookPaths">The notebooks.</param>
    /// <param name="cellTimeout">How long one cell may run.</param>
    /// <param name="timeout">How long one notebook may take.</param>
    public static void StartAll(IEnumerable<string> notebookPaths, TimeSpan cellTimeout, TimeSpan timeout)
    {
        foreach (var path in notebookPaths)
        {
            _ = Get(path, cellTimeout, timeout).Value;
        }
    }

    /// <summary>The run of <paramref name="notebookPath"/>, started now if it was not.</summary>
    /// <param name="notebookPath">The notebook.</param>
    /// <param name="cellTimeout">How long one cell may run.</param>
    /// <param name="timeout">How long the notebook may take, from when its run gets a slot.</param>
    /// <returns>The executed notebook and nbconvert's output.</returns>
    public static Task<(JsonObject Notebook, string Log)> RunAsync(string notebookPath, TimeSpan cellTimeout, TimeSpan timeout) =>
        Get(notebookPath, cellTimeout, timeout).Value;

    private static Lazy<Task<(JsonObject Notebook, string Log)>> Get(string path, TimeSpan cellTimeout, TimeSpan timeout) =>
        Runs.GetOrAdd(path, _ => new Lazy<Task<(JsonObject, string)>>(() => Task.Run(async () =>
        {
            await Slots.WaitAsync();
            try
            {
                return await JupyterKernel.ExecuteAsync(path, cellTimeout, timeout);
            }
            finally
            {
                Slots.Release();
            }
        })));
}
