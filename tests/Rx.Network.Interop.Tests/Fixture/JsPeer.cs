using System.Globalization;
using System.Text.Json;

namespace Rx.Network.Interop.Tests.Fixture;

/// <summary>
/// A running js-libp2p 3.x peer (<c>node peer.mjs listen</c>) for interop tests, and the runner for
/// its dial mode. The listener serves /ipfs/ping/1.0.0, /ipfs/id/1.0.0, /echo/1.0.0, /sink/1.0.0
/// and /reset/1.0.0 (see tests/interop/js-peer/README.md).
/// </summary>
/// <remarks>
/// The peer prints one JSON line on stdout when it listens and JSON event lines on stderr
/// (connection-open, stream-open, stream-close with reset/aborted flags, …), which
/// <see cref="WaitForEventAsync"/> can await. Disposing closes the peer's stdin, which makes it stop
/// gracefully, and kills it if it has not left a few seconds later.
/// </remarks>
public sealed class JsPeer : IAsyncDisposable
{
    /// <summary>How long a starting peer may take to print its listening line (busy CI machines).</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The address a listener binds by default: loopback, any free port.</summary>
    public const string DefaultListenAddress = "/ip4/127.0.0.1/tcp/0";

    private readonly JsEventLog events = new();
    private readonly TaskCompletionSource<JsonElement> listening =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess? process;

    private JsPeer()
    {
    }

    /// <summary>The listener's peer ID (base58btc, as js prints it).</summary>
    public string PeerId { get; private set; } = "";

    /// <summary>The listen addresses, each ending in /p2p/PeerId.</summary>
    public IReadOnlyList<string> Addrs { get; private set; } = [];

    /// <summary>The first /ip4/127.0.0.1/tcp/… address.</summary>
    public string LoopbackAddr =>
        Addrs.FirstOrDefault(a => a.StartsWith("/ip4/127.0.0.1/tcp/", StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"The js peer has no loopback TCP address: {string.Join(", ", Addrs)}");

    /// <summary>The node process id.</summary>
    public int ProcessId => Process.Id;

    /// <summary>Whether the node process has exited.</summary>
    public bool HasExited => Process.HasExited;

    /// <summary>Everything the peer wrote on stderr so far (logs and JSON events), for diagnostics.</summary>
    public string StandardError => Process.StandardError;

    /// <summary>The JSON events the peer logged on stderr so far.</summary>
    public IReadOnlyList<JsonElement> Events => events.Snapshot();

    private ChildProcess Process => process ?? throw new InvalidOperationException("The js peer was not started.");

    /// <summary>
    /// Installs the peer's packages if needed, starts <c>node peer.mjs listen</c> and waits for its
    /// listening line.
    /// </summary>
    /// <param name="seedHex">64 hex digits for a deterministic Ed25519 key, or null for a random one.</param>
    /// <param name="listenAddress">The multiaddr to listen on.</param>
    /// <param name="security">The peer's <c>--security</c> (for example <c>tls</c>), or null for its default (noise).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="InvalidOperationException">node/npm are missing, or the peer exited or did not start in time.</exception>
    public static async Task<JsPeer> StartListenerAsync(
        string? seedHex = null, string listenAddress = DefaultListenAddress, string? security = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(listenAddress);
        await JsPeerEnvironment.EnsureInstalledAsync(cancellationToken);

        List<string> args = [JsPeerEnvironment.PeerScript, "listen", "--listen", listenAddress];
        if (seedHex is not null)
        {
            args.AddRange(["--seed", seedHex]);
        }

        if (security is not null)
        {
            args.AddRange(["--security", security]);
        }

        var peer = new JsPeer();
        peer.process = ChildProcess.Start("node", args, JsPeerEnvironment.PeerDirectory, peer.OnStdoutLine, peer.events.Add);
        try
        {
            var listeningLine = peer.listening.Task;
            var exited = peer.process.WaitForExitAsync(Timeout.InfiniteTimeSpan, cancellationToken);
            var first = await Task.WhenAny(listeningLine, exited).WaitAsync(StartTimeout, cancellationToken);
            if (first != listeningLine)
            {
                throw new InvalidOperationException(
                    $"The js peer exited with code {peer.process.ExitCode} before listening.\n" +
                    $"stderr:\n{ChildProcess.Tail(peer.process.StandardError)}");
            }

            var line = await listeningLine;
            peer.PeerId = line.GetProperty("peerId").GetString() ?? "";
            peer.Addrs = [.. line.GetProperty("addrs").EnumerateArray().Select(a => a.GetString() ?? "")];
            return peer;
        }
        catch (TimeoutException)
        {
            var stderr = peer.process.StandardError;
            await peer.DisposeAsync();
            throw new InvalidOperationException(
                $"The js peer did not print its listening line within {StartTimeout.TotalSeconds:0} s.\n" +
                $"stderr:\n{ChildProcess.Tail(stderr)}");
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs <c>node peer.mjs dial</c> against <paramref name="address"/> and returns its check
    /// results. The js side enforces a timeout per check and overall; this method adds a hard limit
    /// of the overall timeout plus 30 s before it kills the process.
    /// </summary>
    /// <param name="address">The multiaddr to dial, normally ending in /p2p/PeerId.</param>
    /// <param name="checks">Checks to run in order: ping, echo, streams, reset, identify, wrong-peer, sink, perf.</param>
    /// <param name="bytes">Payload size of the echo, sink and perf checks.</param>
    /// <param name="streams">How many concurrent echo streams the streams check opens.</param>
    /// <param name="streamBytes">Payload size of each stream in the streams check.</param>
    /// <param name="seedHex">64 hex digits for the dialer's key, or null for a random one.</param>
    /// <param name="timeout">The dialer's overall deadline (default 4 minutes).</param>
    /// <param name="security">The dialer's <c>--security</c> (for example <c>tls</c>), or null for its default (noise).</param>
    /// <param name="cancellationToken">Cancels the run (the process is killed).</param>
    /// <exception cref="ArgumentException">An argument is empty or out of range.</exception>
    /// <exception cref="InvalidOperationException">node/npm are missing.</exception>
    /// <exception cref="TimeoutException">The dialer did not exit in time.</exception>
    public static async Task<JsDialResult> RunDialAsync(
        string address,
        IEnumerable<string> checks,
        int bytes = 1024 * 1024,
        int streams = 16,
        int streamBytes = 64 * 1024,
        string? seedHex = null,
        TimeSpan? timeout = null,
        string? security = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        ArgumentNullException.ThrowIfNull(checks);
        var checkList = checks.ToList();
        if (checkList.Count == 0 || checkList.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Give at least one check and no empty names.", nameof(checks));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(streams, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(streamBytes, 1);
        var overall = timeout ?? TimeSpan.FromMinutes(4);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(overall, TimeSpan.Zero, nameof(timeout));

        await JsPeerEnvironment.EnsureInstalledAsync(cancellationToken);
        List<string> args =
        [
            JsPeerEnvironment.PeerScript, "dial", address,
            "--test", string.Join(',', checkList),
            "--bytes", bytes.ToString(CultureInfo.InvariantCulture),
            "--streams", streams.ToString(CultureInfo.InvariantCulture),
            "--stream-bytes", streamBytes.ToString(CultureInfo.InvariantCulture),
            "--timeout-ms", ((long)overall.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        ];
        if (seedHex is not null)
        {
            args.AddRange(["--seed", seedHex]);
        }

        if (security is not null)
        {
            args.AddRange(["--security", security]);
        }

        await using var child = ChildProcess.Start("node", args, JsPeerEnvironment.PeerDirectory);
        child.CloseStandardInput();
        var exitCode = await child.WaitForExitAsync(overall + TimeSpan.FromSeconds(30), cancellationToken);
        return JsDialResult.Parse(exitCode, child.StandardOutput, child.StandardError);
    }

    /// <summary>
    /// Waits for a JSON event on the peer's stderr that matches <paramref name="predicate"/>,
    /// including events logged before the call.
    /// </summary>
    /// <exception cref="TimeoutException">No such event within <paramref name="timeout"/>.</exception>
    public async Task<JsonElement> WaitForEventAsync(Func<JsonElement, bool> predicate, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        try
        {
            return await events.WaitAsync(predicate).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"The js peer logged no matching event within {timeout.TotalSeconds:0} s.\n" +
                $"stderr:\n{ChildProcess.Tail(StandardError)}");
        }
    }

    /// <summary>Closes the peer's stdin; the listener then stops and exits with code 0.</summary>
    public void CloseStandardInput() => Process.CloseStandardInput();

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    /// <exception cref="TimeoutException">It did not exit in time (it is then killed).</exception>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => Process.WaitForExitAsync(timeout);

    /// <summary>Stops the peer: closes stdin, then kills the process tree if it lingers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (process is not null)
        {
            await process.DisposeAsync();
        }
    }

    private void OnStdoutLine(string line)
    {
        if (!JsEventLog.TryParse(line, out var json))
        {
            return;
        }

        if (json.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String
            && e.GetString() == "listening")
        {
            listening.TrySetResult(json);
        }
    }
}
