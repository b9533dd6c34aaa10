using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Rx.Network.Interop.Tests.Fixture;

/// <summary>
/// A child process with redirected stdin/stdout/stderr whose output is read line by line on
/// background tasks, so a chatty child never blocks on a full pipe.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly Task stdoutPump;
    private readonly Task stderrPump;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();
    private readonly Lock gate = new();
    private int disposed;
    private int? finalExitCode;

    private ChildProcess(Process process, Action<string>? onStdoutLine, Action<string>? onStderrLine)
    {
        this.process = process;
        stdoutPump = PumpAsync(process.StandardOutput, stdout, onStdoutLine);
        stderrPump = PumpAsync(process.StandardError, stderr, onStderrLine);
    }

    /// <summary>What the child has written to stdout so far.</summary>
    public string StandardOutput
    {
        get { lock (gate) { return stdout.ToString(); } }
    }

    /// <summary>What the child has written to stderr so far.</summary>
    public string StandardError
    {
        get { lock (gate) { return stderr.ToString(); } }
    }

    public int Id => process.Id;

    public bool HasExited => finalExitCode is not null || process.HasExited;

    public int ExitCode => finalExitCode ?? process.ExitCode;

    /// <summary>The command line, for error messages.</summary>
    public string CommandLine { get; private init; } = "";

    /// <summary>
    /// Starts <paramref name="fileName"/>. A missing executable becomes an
    /// <see cref="InvalidOperationException"/> whose message says what to install.
    /// </summary>
    public static ChildProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        Action<string>? onStdoutLine = null,
        Action<string>? onStderrLine = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardErrorEncoding = System.Text.Encoding.UTF8,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        var commandLine = fileName + " " + string.Join(' ', info.ArgumentList);
        Process process;
        try
        {
            process = Process.Start(info)
                ?? throw new InvalidOperationException($"Could not start `{commandLine}`.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"Could not start `{fileName}`: {e.Message}. The interop tests need Node.js 20 or later " +
                "and npm on PATH (they drive a js-libp2p peer in tests/interop/js-peer).", e);
        }

        return new ChildProcess(process, onStdoutLine, onStderrLine) { CommandLine = commandLine };
    }

    /// <summary>Runs a command to completion and returns its exit code and output.</summary>
    /// <exception cref="TimeoutException">The command did not finish in time (it is killed).</exception>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(
        string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        await using var child = Start(fileName, arguments, workingDirectory);
        child.CloseStandardInput();
        var exitCode = await child.WaitForExitAsync(timeout, cancellationToken);
        return (exitCode, child.StandardOutput, child.StandardError);
    }

    /// <summary>Closes the child's stdin (the js peer treats that as a request to shut down).</summary>
    public void CloseStandardInput()
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child is already gone; nothing to signal.
        }
        catch (InvalidOperationException)
        {
            // Already closed.
        }
    }

    /// <summary>
    /// Waits for the child to exit and for its output to be read to the end.
    /// </summary>
    /// <exception cref="TimeoutException">It did not exit in time (it is then killed).</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(stdoutPump, stderrPump).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill();
            throw new TimeoutException(
                $"`{CommandLine}` did not exit within {timeout.TotalSeconds:0} s; it was killed.\n" +
                $"stderr:\n{Tail(StandardError)}");
        }

        return process.ExitCode;
    }

    /// <summary>Kills the child and everything it started.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        catch (Win32Exception)
        {
            // Exited meanwhile or cannot be signalled; nothing more to do.
        }
    }

    /// <summary>Closes stdin, gives the child a moment to leave by itself, then kills it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        CloseStandardInput();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            Kill();
            try
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                // Killed but not yet reaped; disposing must not throw.
            }
        }

        if (process.HasExited)
        {
            finalExitCode = process.ExitCode;
        }

        try
        {
            await Task.WhenAll(stdoutPump, stderrPump).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // A grandchild may still hold the pipes open; the process itself is gone.
        }

        process.Dispose();
    }

    /// <summary>The last lines of a long text, for assertion messages.</summary>
    public static string Tail(string text, int maxChars = 6000) =>
        text.Length <= maxChars ? text : "…" + text[^maxChars..];

    private async Task PumpAsync(StreamReader reader, StringBuilder sink, Action<string>? onLine)
    {
        await Task.Yield();
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (gate)
            {
                sink.Append(line).Append('\n');
            }

            onLine?.Invoke(line);
        }
    }
}
