using System.Diagnostics;
using System.Text.Json;

namespace Rx.Network.Reliability.Tests;

/// <summary>
/// <c>rxnet listen</c> (built next to the tests) as a child process, optionally inside a network
/// namespace: its listening line is awaited, stderr kept for failure messages.
/// </summary>
internal sealed class RxnetProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly TaskCompletionSource<JsonElement> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Text.StringBuilder stderr = new();

    private RxnetProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line && line.StartsWith('{'))
            {
                try
                {
                    using var json = JsonDocument.Parse(line);
                    if (json.RootElement.TryGetProperty("peerId", out JsonElement _))
                    {
                        listening.TrySetResult(json.RootElement.Clone());
                    }
                }
                catch (JsonException)
                {
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string PeerId { get; private set; } = "";

    /// <summary>The first listen address, with /p2p.</summary>
    public string Address { get; private set; } = "";

    public string StandardError
    {
        get
        {
            lock (stderr)
            {
                return stderr.ToString();
            }
        }
    }

    /// <summary>Starts <c>rxnet listen --listen <paramref name="listen"/></c>, in <paramref name="netns"/> when given.</summary>
    public static async Task<RxnetProcess> ListenAsync(string listen = "/ip4/127.0.0.1/tcp/0", string? netns = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "rxnet.dll");
        var info = new ProcessStartInfo(netns is null ? "dotnet" : "ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        if (netns is not null)
        {
            foreach (var a in new[] { "netns", "exec", netns, "dotnet" })
            {
                info.ArgumentList.Add(a);
            }
        }

        foreach (var a in new[] { dll, "listen", "--listen", listen })
        {
            info.ArgumentList.Add(a);
        }

        var child = new RxnetProcess(Process.Start(info) ?? throw new InvalidOperationException("Could not start rxnet."));
        try
        {
            var line = await child.listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            child.PeerId = line.GetProperty("peerId").GetString()!;
            child.Address = line.GetProperty("addrs")[0].GetString()!;
            return child;
        }
        catch (TimeoutException)
        {
            await child.DisposeAsync();
            throw new InvalidOperationException($"rxnet listen did not start.\nstderr:\n{child.StandardError}");
        }
    }

    /// <summary>Kills the process at once (SIGKILL): its sockets are closed by the kernel, mid-whatever.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.Close(); // rxnet leaves when stdin ends
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception)
        {
            await KillAsync();
        }

        process.Dispose();
    }
}
