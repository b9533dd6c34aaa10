using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network.PerfTool.Attacks;

/// <summary>What the kernel says of a process at one moment (Linux /proc).</summary>
/// <param name="RssBytes">Resident set size now (VmRSS).</param>
/// <param name="PeakRssBytes">Highest resident set size since the process started (VmHWM).</param>
/// <param name="Descriptors">Open file descriptors.</param>
/// <param name="Cpu">User plus system CPU time used so far.</param>
internal sealed record ProcessSample(long RssBytes, long PeakRssBytes, int Descriptors, TimeSpan Cpu);

/// <summary>
/// The listener under attack, as a child process: <c>rxnet listen</c> or the js-libp2p interop peer
/// (<c>peer.mjs listen</c>). Its listening line is awaited; its memory, descriptors and CPU are read
/// from /proc; for rxnet, <see cref="ManagedHeapAsync"/> asks it for its managed heap on stdin.
/// </summary>
internal sealed class ListenerProcess : IAsyncDisposable
{
    private const int KeptErrorLines = 200;

    private readonly Process process;
    private readonly TaskCompletionSource<JsonElement> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> errorLines = new();
    private readonly Queue<JsonElement> limitEvents = new();
    private int limitEventCount;
    private readonly Lock gate = new();
    private TaskCompletionSource<JsonElement>? stats;

    private ListenerProcess(Process process, string implementation)
    {
        this.process = process;
        Implementation = implementation;
        process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (gate)
            {
                errorLines.Enqueue(e.Data ?? "");
                if (errorLines.Count > KeptErrorLines)
                {
                    errorLines.Dequeue();
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary><c>rxnet</c> or <c>js-libp2p</c>.</summary>
    public string Implementation { get; }

    public int Pid => process.Id;

    public PeerId Peer { get; private set; } = null!;

    /// <summary>The first listen address, without /p2p.</summary>
    public Multiaddr Address { get; private set; } = null!;

    public IPEndPoint EndPoint => (IPEndPoint)Address.ToEndPoint();

    /// <summary>Whether it answers <see cref="ManagedHeapAsync"/> (rxnet since issue #14).</summary>
    public bool ReportsHeap { get; private set; }

    /// <summary>How many <c>{"event":"limit",…}</c> lines it printed so far (rxnet).</summary>
    public int LimitEventCount => Volatile.Read(ref limitEventCount);

    /// <summary>The last few limit lines (rxnet).</summary>
    public IReadOnlyList<JsonElement> LastLimitEvents
    {
        get
        {
            lock (gate)
            {
                return [.. limitEvents];
            }
        }
    }

    /// <summary>The last lines of its standard error, for failure messages.</summary>
    public string StandardError
    {
        get
        {
            lock (gate)
            {
                return string.Join('\n', errorLines);
            }
        }
    }

    /// <summary>Starts <c>dotnet <paramref name="rxnetDll"/> listen</c> on 127.0.0.1.</summary>
    public static Task<ListenerProcess> StartRxnetAsync(string rxnetDll) =>
        StartAsync("rxnet", "dotnet", [rxnetDll, "listen", "--listen", "/ip4/127.0.0.1/tcp/0"]);

    /// <summary>Starts <c>node <paramref name="peerMjs"/> listen</c> on 127.0.0.1.</summary>
    public static Task<ListenerProcess> StartJsAsync(string peerMjs) =>
        StartAsync("js-libp2p", "node", [peerMjs, "listen", "--listen", "/ip4/127.0.0.1/tcp/0"]);

    /// <summary>Reads /proc/&lt;pid&gt;/status, fd and stat.</summary>
    public ProcessSample Sample()
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) * 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) * 1024;
            }
        }

        int descriptors = Directory.GetFiles($"/proc/{Pid}/fd").Length;

        // Fields 14 and 15 (utime, stime), counted after the command name, which may hold spaces.
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcessSample(rss, peak, descriptors, TimeSpan.FromSeconds(ticks / 100.0));
    }

    /// <summary>What its open descriptors point at (socket:[…], pipe:[…], paths), for failure messages.</summary>
    public IReadOnlyList<string> DescriptorTargets()
    {
        var targets = new List<string>();
        foreach (var fd in Directory.GetFiles($"/proc/{Pid}/fd"))
        {
            try
            {
                targets.Add(new FileInfo(fd).LinkTarget ?? "?");
            }
            catch (IOException)
            {
                // Closed meanwhile.
            }
        }

        return targets;
    }

    /// <summary>
    /// rxnet only: the managed heap in bytes, after a full blocking compacting collection when
    /// <paramref name="collect"/> (the <c>gc</c> command of <c>rxnet listen</c>'s stdin), else as is.
    /// </summary>
    public async Task<long> ManagedHeapAsync(bool collect, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            stats = answer;
        }

        await process.StandardInput.WriteLineAsync((collect ? "gc" : "stats").AsMemory(), cancellationToken).ConfigureAwait(false);
        await process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
        var line = await answer.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        return line.GetProperty("heapBytes").GetInt64();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.Close(); // both listeners leave when stdin ends
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }

        process.Dispose();
    }

    private static async Task<ListenerProcess> StartAsync(string implementation, string program, string[] arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var child = new ListenerProcess(Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}."), implementation);
        try
        {
            var line = await child.listening.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            child.Peer = PeerId.Parse(line.GetProperty("peerId").GetString()!);
            child.Address = Multiaddr.Parse(line.GetProperty("addrs")[0].GetString()!).WithoutPeerId();
            if (implementation == "rxnet")
            {
                // Builds from before the `stats` command (issue #14) do not answer: measured like js-libp2p then.
                try
                {
                    await child.ManagedHeapAsync(collect: false, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                    child.ReportsHeap = true;
                }
                catch (TimeoutException)
                {
                }
            }

            return child;
        }
        catch (TimeoutException)
        {
            string error = child.StandardError;
            await child.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"{implementation} did not start listening.\nstderr:\n{error}");
        }
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private void OnOutput(string? line)
    {
        if (line is not { Length: > 0 } || line[0] != '{')
        {
            return;
        }

        JsonElement json;
        try
        {
            using var document = JsonDocument.Parse(line);
            json = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return;
        }

        string? kind = json.TryGetProperty("event", out var e) ? e.GetString() : null;
        if (kind == "stats")
        {
            lock (gate)
            {
                stats?.TrySetResult(json);
            }
        }
        else if (kind == "limit")
        {
            Interlocked.Increment(ref limitEventCount);
            lock (gate)
            {
                limitEvents.Enqueue(json);
                if (limitEvents.Count > 20)
                {
                    limitEvents.Dequeue();
                }
            }
        }
        else if (json.TryGetProperty("peerId", out _) && json.TryGetProperty("addrs", out _))
        {
            listening.TrySetResult(json);
        }
    }
}
