using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>
/// Runs a notebook in real Jupyter: <c>jupyter nbconvert --execute</c> with the dotnet-interactive
/// kernel, a separate process that loads the packages beside its own assemblies (its own
/// System.Reactive among them) exactly as a user's kernel does, which an in-process kernel cannot
/// show.
/// </summary>
/// <remarks>
/// What is missing is installed on first use, within time limits: Debian's nbconvert and
/// ipykernel with <c>apt-get</c> (as root), the <c>Microsoft.dotnet-interactive</c> tool with
/// <c>dotnet tool install --tool-path</c> into <c>artifacts/tools</c>; each run gets a kernel spec
/// for it in a private Jupyter data folder (<c>JUPYTER_PATH</c>), so the user's own Jupyter setup is
/// neither needed nor changed.
/// </remarks>
public static class JupyterKernel
{
    /// <summary>The kernel tool's version: the one Polyglot Notebooks users run with this .NET Interactive.</summary>
    public const string ToolVersion = "1.0.712001";

    /// <summary>The kernel spec name the notebooks' metadata names.</summary>
    public const string KernelName = ".net-csharp";

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(8);
    private static readonly string[] AptPackages = ["jupyter-nbconvert", "python3-nbconvert", "jupyter-client", "python3-ipykernel"];
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? toolPath;

    /// <summary>
    /// Executes <paramref name="notebookPath"/> with nbconvert and returns the executed notebook
    /// (the file itself is not changed).
    /// </summary>
    /// <param name="notebookPath">The notebook.</param>
    /// <param name="cellTimeout">How long one cell may run (nbconvert's <c>--ExecutePreprocessor.timeout</c>).</param>
    /// <param name="timeout">How long the whole run may take.</param>
    /// <returns>The executed notebook's JSON and nbconvert's output.</returns>
    /// <exception cref="InvalidOperationException">Jupyter or the kernel could not be installed, or nbconvert failed.</exception>
    public static async Task<(JsonObject Notebook, string Log)> ExecuteAsync(string notebookPath, TimeSpan cellTimeout, TimeSpan timeout)
    {
        var tool = await EnsureInstalledAsync();
        var output = Directory.CreateTempSubdirectory("rxnet-nbconvert-").FullName;
        try
        {
            var dataPath = await WriteKernelSpecAsync(Path.Combine(output, "jupyter"), tool);
            var (exitCode, log) = await ChildProcess.RunAsync(
                "jupyter",
                ["nbconvert", "--execute", "--to", "notebook", "--output-dir", output,
                    $"--ExecutePreprocessor.kernel_name={KernelName}",
                    $"--ExecutePreprocessor.timeout={(int)cellTimeout.TotalSeconds}",
                    "--ExecutePreprocessor.allow_errors=True",
                    notebookPath],
                Path.GetDirectoryName(notebookPath)!,
                timeout,
                new Dictionary<string, string> { ["JUPYTER_PATH"] = dataPath, ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1" });
            var executed = Path.Combine(output, Path.GetFileName(notebookPath));
            if (exitCode != 0 || !File.Exists(executed))
            {
                throw new InvalidOperationException($"jupyter nbconvert --execute {Path.GetFileName(notebookPath)} failed ({exitCode}):\n{log}");
            }

            return (JsonNode.Parse(await File.ReadAllTextAsync(executed))!.AsObject(), log);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>Installs what is missing (once per process) and returns the kernel tool's path.</summary>
    private static async Task<string> EnsureInstalledAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (toolPath is null)
            {
                await EnsureNbconvertAsync();
                toolPath = await EnsureToolAsync();
            }

            return toolPath;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Writes a kernel spec for one run into <paramref name="dataPath"/>. The kernel always serves
    /// HTTP besides Jupyter's ports, on the first free port of its range; two kernels starting at once
    /// race for the same one, so each run names a port of its own, one the system just handed out
    /// as free on loopback, and <c>--http-local-only</c> keeps it there.
    /// </summary>
    private static async Task<string> WriteKernelSpecAsync(string dataPath, string tool)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var spec = Directory.CreateDirectory(Path.Combine(dataPath, "kernels", KernelName)).FullName;
        var kernelJson = new JsonObject
        {
            ["argv"] = new JsonArray(tool, "jupyter", "--default-kernel", "csharp", "--http-local-only", "--http-port-range", $"{port}-{port}", "{connection_file}"),
            ["display_name"] = ".NET (C#)",
            ["language"] = "C#",
        };
        await File.WriteAllTextAsync(Path.Combine(spec, "kernel.json"), kernelJson.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return dataPath;
    }

    private static async Task EnsureNbconvertAsync()
    {
        if (await SucceedsAsync("jupyter", ["nbconvert", "--version"]) && await SucceedsAsync("python3", ["-c", "import ipykernel"]))
        {
            return;
        }

        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException(
                $"Jupyter's nbconvert is not installed and this user cannot install it: apt-get install {string.Join(' ', AptPackages)}");
        }

        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        var (exitCode, log) = await ChildProcess.RunAsync("apt-get", ["install", "-y", "-q", "--no-install-recommends", .. AptPackages], "/", InstallTimeout, environment);
        if (exitCode != 0)
        {
            // A machine whose package lists were never fetched: fetch them once and try again.
            await ChildProcess.RunAsync("apt-get", ["update", "-q"], "/", InstallTimeout, environment);
            (exitCode, log) = await ChildProcess.RunAsync("apt-get", ["install", "-y", "-q", "--no-install-recommends", .. AptPackages], "/", InstallTimeout, environment);
        }

        if (exitCode != 0)
        {
            throw new InvalidOperationException($"apt-get install {string.Join(' ', AptPackages)} failed ({exitCode}):\n{log}");
        }
    }

    private static async Task<string> EnsureToolAsync()
    {
        var toolPath = Path.Combine(RepositoryLayout.Current.ArtifactsDirectory, "tools", "dotnet-interactive-" + ToolVersion);
        var tool = Path.Combine(toolPath, "dotnet-interactive");
        if (File.Exists(tool))
        {
            return tool;
        }

        var (exitCode, log) = await ChildProcess.RunAsync(
            "dotnet",
            ["tool", "install", "--tool-path", toolPath, "Microsoft.dotnet-interactive", "--version", ToolVersion],
            RepositoryLayout.Current.Root,
            InstallTimeout);
        if (exitCode != 0 || !File.Exists(tool))
        {
            throw new InvalidOperationException($"dotnet tool install Microsoft.dotnet-interactive {ToolVersion} failed ({exitCode}):\n{log}");
        }

        return tool;
    }

    private static async Task<bool> SucceedsAsync(string fileName, string[] arguments)
    {
        try
        {
            var (exitCode, _) = await ChildProcess.RunAsync(fileName, arguments, "/", TimeSpan.FromMinutes(1));
            return exitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not installed at all.
            return false;
        }
    }
}
