using System.Text.Json.Nodes;

namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>
/// The packages the notebooks reference, packed from this clone into <c>artifacts/packages</c>
/// (the folder the notebooks' <c>NuGet.Config</c> names), once per test run.
/// </summary>
/// <remarks>
/// Every run packs afresh: the version stays the repository's, so the run also removes that
/// version of each package from the machine's global packages folder, where an earlier restore
/// would otherwise stand in for the new package. The pack builds under its own artifacts path, so
/// it neither reads nor overwrites the bin/obj folders of the test run's own build.
/// </remarks>
internal static class LocalPackages
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(10);
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool packed;

    /// <summary>Packs the notebook packages, unless this process did already.</summary>
    /// <exception cref="InvalidOperationException">A pack failed.</exception>
    public static async Task EnsurePackedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (packed)
            {
                return;
            }

            var layout = RepositoryLayout.Current;
            var scratch = Directory.CreateTempSubdirectory("rxnet-notebook-pack-").FullName;
            try
            {
                // One pack of the three projects (a solution filter of RxNet.sln): one restore and one build of Rx.Network.
                var filter = Path.Combine(scratch, "notebook-packages.slnf");
                await File.WriteAllTextAsync(filter, new JsonObject
                {
                    ["solution"] = new JsonObject
                    {
                        ["path"] = Path.Combine(layout.Root, "RxNet.sln"),
                        ["projects"] = new JsonArray(RepositoryLayout.NotebookPackages.Select(id => (JsonNode)Path.Combine("src", id, id + ".csproj")).ToArray()),
                    },
                }.ToJsonString());
                var (exitCode, output) = await ChildProcess.RunAsync(
                    "dotnet",
                    ["pack", filter, "-c", "Release", "-o", layout.PackagesDirectory,
                        "--artifacts-path", Path.Combine(scratch, "artifacts"), "--disable-build-servers", "-nologo"],
                    layout.Root,
                    PackTimeout);
                if (exitCode != 0)
                {
                    throw new InvalidOperationException($"dotnet pack of {string.Join(", ", RepositoryLayout.NotebookPackages)} failed ({exitCode}):\n{output}");
                }

                foreach (var id in RepositoryLayout.NotebookPackages)
                {
                    ForgetRestored(id, layout.Version);
                }

                ForgetResolutions();
            }
            finally
            {
                TryDelete(scratch);
            }

            packed = true;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The machine's global packages folder (<c>NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>).</summary>
    public static string GlobalPackagesFolder =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static void ForgetRestored(string id, string version) =>
        TryDelete(Path.Combine(GlobalPackagesFolder, id.ToLowerInvariant(), version.ToLowerInvariant()));

    /// <summary>
    /// The kernel's package manager (F#'s NuGet dependency manager) caches each set of
    /// <c>#r "nuget: …"</c> lines with the assembly paths it resolved to, in
    /// <c>~/.packagemanagement/nuget/Cache</c>; a Jupyter kernel would take a resolution made
    /// before this pack from there. Only the entries that resolved one of the notebook packages go.
    /// </summary>
    private static void ForgetResolutions()
    {
        var cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".packagemanagement", "nuget", "Cache");
        if (!Directory.Exists(cache))
        {
            return;
        }

        var ours = RepositoryLayout.NotebookPackages.Select(id => $"/{id.ToLowerInvariant()}/").ToArray();
        foreach (var paths in Directory.GetFiles(cache, "*.resolvedReferences.paths"))
        {
            var text = File.ReadAllText(paths);
            if (ours.Any(id => text.Contains(id, StringComparison.Ordinal)))
            {
                var hash = Path.GetFileName(paths)[..Path.GetFileName(paths).IndexOf('.', StringComparison.Ordinal)];
                foreach (var entry in Directory.GetFiles(cache, hash + ".*"))
                {
                    File.Delete(entry);
                }
            }
        }
    }

    private static void TryDelete(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
