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
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(5);
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
                foreach (var id in RepositoryLayout.NotebookPackages)
                {
                    var (exitCode, output) = await ChildProcess.RunAsync(
                        "dotnet",
                        ["pack", Path.Combine("src", id, id + ".csproj"), "-c", "Release", "-o", layout.PackagesDirectory,
                            "--artifacts-path", Path.Combine(scratch, "artifacts"), "--disable-build-servers", "-nologo"],
                        layout.Root,
                        PackTimeout);
                    if (exitCode != 0)
                    {
                        throw new InvalidOperationException($"dotnet pack {id} failed ({exitCode}):\n{output}");
                    }

                    ForgetRestored(id, layout.Version);
                }
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

    private static void TryDelete(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
