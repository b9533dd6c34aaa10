using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace Rx.Network.PerfTool.Idle;

/// <summary>
/// A child process spoken to by lines: commands on its stdin, one JSON object a line back on its
/// stdout (other lines ignored). <see cref="AskAsync"/> sends a command and awaits the next JSON line.
/// </summary>
internal sealed class JsonChild : IAsyncDisposable
{
    private readonly Process process;
    private readonly Channel<JsonElement> lines = Channel.CreateUnbounded<JsonElement>();

    private JsonChild(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line && line[0] == '{')
            {
                using var document = JsonDocument.Parse(line);
                lines.Writer.TryWrite(document.RootElement.Clone());
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                Console.Error.WriteLine($"[{process.Id}] {line}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => process.Id;

    /// <summary>Starts this PerfTool again with <paramref name="arguments"/>.</summary>
    public static JsonChild StartPerfTool(params string[] arguments)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(info.FileName) == "dotnet")
        {
            info.ArgumentList.Add(typeof(JsonChild).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return new JsonChild(Process.Start(info) ?? throw new InvalidOperationException("Could not start the perf tool."));
    }

    /// <summary>The next JSON line it prints.</summary>
    public async Task<JsonElement> NextAsync(TimeSpan timeout) =>
        await lines.Reader.ReadAsync().AsTask().WaitAsync(timeout).ConfigureAwait(false);

    /// <summary>Sends <paramref name="command"/> and awaits the JSON line it answers with.</summary>
    public async Task<JsonElement> AskAsync(string command, TimeSpan timeout)
    {
        await process.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
        await process.StandardInput.FlushAsync().ConfigureAwait(false);
        return await NextAsync(timeout).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            process.StandardInput.Close(); // children leave when stdin ends
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }
}
