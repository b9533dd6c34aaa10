using System.Security.Cryptography;

namespace Rx.Network.Interop.Tests.Fixture;

/// <summary>
/// Finds the js-libp2p peer (tests/interop/js-peer) and makes sure Node.js is usable and the
/// peer's npm packages are installed, once per test run.
/// </summary>
/// <remarks>
/// Installation runs <c>npm ci</c> (exact versions from package-lock.json) when node_modules lacks
/// a marker holding the hash of the current package-lock.json. A semaphore serialises callers in
/// this process and a lock file in the temp folder serialises concurrent test processes, so
/// parallel tests never race two installs into one folder.
/// </remarks>
public static class JsPeerEnvironment
{
    private const string MarkerFile = ".rxnet-npm-ci";
    private const int MinimumNodeMajor = 20;
    private static readonly TimeSpan ToolProbeTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);
    private static bool installed;

    /// <summary>The folder that holds RxNet.sln.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The js peer's folder, tests/interop/js-peer.</summary>
    public static string PeerDirectory => Path.Combine(RepositoryRoot, "tests", "interop", "js-peer");

    /// <summary>The entry script, peer.mjs.</summary>
    public static string PeerScript => Path.Combine(PeerDirectory, "peer.mjs");

    /// <summary>
    /// Checks that node (20 or later) and npm run, then installs the peer's packages unless the
    /// installed ones already match package-lock.json.
    /// </summary>
    /// <exception cref="InvalidOperationException">node or npm is missing or too old, or npm ci failed.</exception>
    public static async Task EnsureInstalledAsync(CancellationToken cancellationToken = default)
    {
        await InstallGate.WaitAsync(cancellationToken);
        try
        {
            if (installed)
            {
                return;
            }

            await CheckNodeAsync(cancellationToken);
            using (await AcquireMachineLockAsync(cancellationToken))
            {
                if (!IsUpToDate())
                {
                    await RunNpmCiAsync(cancellationToken);
                }
            }

            installed = true;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RxNet.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"Could not find RxNet.sln in {AppContext.BaseDirectory} or any folder above it.");
    }

    private static async Task CheckNodeAsync(CancellationToken cancellationToken)
    {
        var (code, output, error) = await ChildProcess.RunAsync(
            "node", ["--version"], PeerDirectory, ToolProbeTimeout, cancellationToken);
        var version = output.Trim();
        if (code != 0 || !version.StartsWith('v')
            || !int.TryParse(version[1..].Split('.')[0], out var major) || major < MinimumNodeMajor)
        {
            throw new InvalidOperationException(
                $"The interop tests need Node.js {MinimumNodeMajor} or later; `node --version` " +
                $"exited {code} with '{version}' {error.Trim()}");
        }

        (code, output, error) = await ChildProcess.RunAsync(
            "npm", ["--version"], PeerDirectory, ToolProbeTimeout, cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException(
                $"The interop tests need npm; `npm --version` exited {code}: {output.Trim()} {error.Trim()}");
        }
    }

    private static string LockHash()
    {
        var bytes = File.ReadAllBytes(Path.Combine(PeerDirectory, "package-lock.json"));
        return Convert.ToHexString(SHA256.HashData(bytes));
    }

    private static string MarkerPath => Path.Combine(PeerDirectory, "node_modules", MarkerFile);

    private static bool IsUpToDate() =>
        File.Exists(MarkerPath) && File.ReadAllText(MarkerPath).Trim() == LockHash();

    private static async Task RunNpmCiAsync(CancellationToken cancellationToken)
    {
        var (code, output, error) = await ChildProcess.RunAsync(
            "npm", ["ci", "--no-audit", "--no-fund"], PeerDirectory, InstallTimeout, cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException(
                $"`npm ci` in {PeerDirectory} exited {code}.\nstdout:\n{ChildProcess.Tail(output)}\n" +
                $"stderr:\n{ChildProcess.Tail(error)}");
        }

        // npm ci deletes node_modules first, so a stale marker can never survive a reinstall.
        await File.WriteAllTextAsync(MarkerPath, LockHash(), System.Text.Encoding.ASCII, cancellationToken);
    }

    /// <summary>
    /// An exclusive lock shared by every test process on this machine for this checkout. The OS
    /// releases it if the holder dies, so a crashed run never blocks the next one.
    /// </summary>
    private static async Task<FileStream> AcquireMachineLockAsync(CancellationToken cancellationToken)
    {
        var name = "rxnet-js-peer-" + Convert.ToHexString(
            SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(PeerDirectory)))[..16] + ".lock";
        var path = Path.Combine(Path.GetTempPath(), name);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(InstallTimeout);
        using var retry = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Another test process is installing; poll until it is done.
            }

            try
            {
                await retry.WaitForNextTickAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException(
                    $"Timed out after {InstallTimeout.TotalMinutes:0} min waiting for {path} " +
                    "(another test process installing the js peer's packages).");
            }
        }
    }
}
