namespace Rx.Network.Interop.Tests.Fixture;

/// <summary>
/// Debian's Chromium for the browser interop test: found at <see cref="DefaultPath"/> (or
/// <c>$CHROMIUM</c>), and installed with apt-get when missing and we are root, as on a clean CI
/// machine. No browser is ever downloaded from anywhere but the distribution's package archive.
/// </summary>
public static class Chromium
{
    /// <summary>Where Debian's <c>chromium</c> package puts the browser.</summary>
    public const string DefaultPath = "/usr/bin/chromium";

    private static readonly TimeSpan UpdateTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>The browser's path: <c>$CHROMIUM</c> when set, else <see cref="DefaultPath"/>.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } path ? path : DefaultPath;

    /// <summary>Returns the browser's path, installing Debian's package first when it is missing.</summary>
    /// <exception cref="InvalidOperationException">Chromium is missing and could not be installed (the message says why and what to do).</exception>
    public static async Task<string> EnsureInstalledAsync(CancellationToken cancellationToken = default)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            var path = ExecutablePath;
            if (File.Exists(path))
            {
                return path;
            }

            if (path != DefaultPath || !OperatingSystem.IsLinux() || !File.Exists("/usr/bin/apt-get"))
            {
                throw new InvalidOperationException($"Chromium is missing at {path} and cannot be installed here (no apt-get): install Debian's 'chromium' package or set CHROMIUM.");
            }

            if (!Environment.IsPrivilegedProcess)
            {
                throw new InvalidOperationException($"Chromium is missing at {path}; installing it needs root: run 'apt-get update && apt-get install -y chromium' as root.");
            }

            await AptAsync(["update"], UpdateTimeout, cancellationToken);
            await AptAsync(["install", "-y", "--no-install-recommends", "chromium"], InstallTimeout, cancellationToken);
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException($"apt-get installed 'chromium' but {path} does not exist.");
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task AptAsync(string[] arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string[] command = ["DEBIAN_FRONTEND=noninteractive", "apt-get", "-o", "DPkg::Lock::Timeout=120", "-q", .. arguments];
        int exitCode;
        string output;
        try
        {
            (exitCode, var stdout, var stderr) = await ChildProcess.RunAsync("env", command, "/", timeout, cancellationToken);
            output = stdout + stderr;
        }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException($"Installing Chromium failed: 'apt-get {string.Join(' ', arguments)}' did not finish within {timeout.TotalMinutes:0} min.", e);
        }

        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"Installing Chromium failed: 'apt-get {string.Join(' ', arguments)}' exited with {exitCode}.\n{ChildProcess.Tail(output, 3000)}");
        }
    }
}
