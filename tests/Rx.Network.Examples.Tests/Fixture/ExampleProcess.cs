using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Rx.Network.Examples.Tests.Fixture;

/// <summary>
/// An example program (<c>dotnet &lt;name&gt;.dll …</c>, built next to the tests) run as a child
/// process: its stdout is a queue of lines the test waits on, its stdin takes lines.
/// </summary>
internal sealed class ExampleProcess : IAsyncDisposable
{
    /// <summary>
    /// How long a step may take: generous, because a cold `dotnet` start on a busy machine is slow
    /// (the 1,000-peer gossip run, 5 s on a quiet machine, took over 60 s at load 50).
    /// </summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);

    private readonly Process process;
    private readonly Channel<string> lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder log = new();
    private readonly Lock gate = new();
    private readonly Task stdoutPump;
    private readonly Task stderrPump;

    private ExampleProcess(Process process, string commandLine)
    {
        this.process = process;
        CommandLine = commandLine;
        stdoutPump = PumpAsync(process.StandardOutput, "", lines.Writer);
        stderrPump = PumpAsync(process.StandardError, "stderr: ", null);
    }

    public string CommandLine { get; }

    /// <summary>Everything the process printed so far (stderr lines prefixed), for assertion messages.</summary>
    public string Log
    {
        get { lock (gate) { return log.ToString(); } }
    }

    /// <summary>Starts <c>dotnet &lt;assembly&gt;.dll arguments…</c> in <paramref name="workingDirectory"/>.</summary>
    public static ExampleProcess Start(string assembly, string workingDirectory, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardErrorEncoding = System.Text.Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly + ".dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var commandLine = $"dotnet {assembly}.dll {string.Join(' ', arguments)}";
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start `{commandLine}`.");
        return new ExampleProcess(process, commandLine);
    }

    /// <summary>Waits for the next stdout line matching <paramref name="predicate"/>, skipping others.</summary>
    /// <exception cref="TimeoutException">No such line within <see cref="StepTimeout"/>.</exception>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, string what)
    {
        using var deadline = new CancellationTokenSource(StepTimeout);
        try
        {
            while (await lines.Reader.WaitToReadAsync(deadline.Token))
            {
                while (lines.Reader.TryRead(out var line))
                {
                    if (predicate(line))
                    {
                        return line;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"`{CommandLine}` printed no {what} within {StepTimeout.TotalSeconds:0} s.\n{Log}");
        }

        throw new InvalidOperationException($"`{CommandLine}` ended without printing {what}.\n{Log}");
    }

    /// <summary>Waits for the one JSON line a listening example prints and returns its first address.</summary>
    public async Task<(string PeerId, string Address)> WaitForListeningAsync()
    {
        var line = await WaitForLineAsync(l => l.StartsWith('{'), "listening line");
        using var json = JsonDocument.Parse(line);
        return (json.RootElement.GetProperty("peerId").GetString()!, json.RootElement.GetProperty("addrs")[0].GetString()!);
    }

    public async Task WriteLineAsync(string line)
    {
        await process.StandardInput.WriteLineAsync(line);
        await process.StandardInput.FlushAsync();
    }

    public void CloseInput()
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process is gone already.
        }
    }

    /// <summary>Waits for the process to exit and its output to be read.</summary>
    /// <exception cref="TimeoutException">It did not exit within <see cref="StepTimeout"/> (it is killed).</exception>
    public async Task<int> WaitForExitAsync()
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(StepTimeout);
            await Task.WhenAll(stdoutPump, stderrPump).WaitAsync(StepTimeout);
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"`{CommandLine}` did not exit within {StepTimeout.TotalSeconds:0} s; it was killed.\n{Log}");
        }

        return process.ExitCode;
    }

    /// <summary>Runs an example to completion with no input; returns its exit code and stdout.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string assembly, string workingDirectory, params string[] arguments)
    {
        await using var child = Start(assembly, workingDirectory, arguments);
        child.CloseInput();
        int exitCode = await child.WaitForExitAsync();
        return (exitCode, child.Log);
    }

    public async ValueTask DisposeAsync()
    {
        CloseInput();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            Kill();
        }

        process.Dispose();
    }

    private void Kill()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        catch (Win32Exception)
        {
            // Exited meanwhile or cannot be signalled.
        }
    }

    private async Task PumpAsync(StreamReader reader, string prefix, ChannelWriter<string>? sink)
    {
        await Task.Yield();
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (gate)
            {
                log.Append(prefix).Append(line).Append('\n');
            }

            sink?.TryWrite(line);
        }

        sink?.TryComplete();
    }
}
