using System.Xml.Linq;

namespace Rx.Network.Packaging.Tests.Fixture;

/// <summary>
/// The repository packed as the README says (<c>dotnet pack RxNet.sln -c Release</c>), into a
/// temporary folder. The pack gets its own artifacts path (<c>--artifacts-path</c>: every
/// project's bin and obj under the temporary folder), so it neither reads nor overwrites what the
/// test run's own build left in the projects' bin/obj folders, and a stale package from an
/// earlier run cannot be picked up: every run packs afresh.
/// </summary>
public sealed class PackedRepository : IAsyncLifetime
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(12);

    /// <summary>The folder holding <c>RxNet.sln</c>.</summary>
    public string Root { get; } = FindRoot();

    /// <summary>A temporary folder of this run, deleted at the end.</summary>
    public string Scratch { get; } = Directory.CreateTempSubdirectory("rxnet-packaging-").FullName;

    /// <summary>Where the packages were written (<c>-o</c>).</summary>
    public string Packages => Path.Combine(Scratch, "packages");

    /// <summary>The version every package carries: <c>VersionPrefix</c> of <c>Directory.Build.props</c>.</summary>
    public string Version { get; private set; } = "";

    /// <summary>The pack command's output, for failure messages.</summary>
    public string PackOutput { get; private set; } = "";

    /// <summary>The path of the package file <paramref name="id"/> (<c>.nupkg</c> or, with <paramref name="symbols"/>, <c>.snupkg</c>).</summary>
    public string PackageFile(string id, bool symbols = false) =>
        Path.Combine(Packages, $"{id}.{Version}.{(symbols ? "snupkg" : "nupkg")}");

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        Version = XDocument.Load(Path.Combine(Root, "Directory.Build.props"))
            .Descendants("VersionPrefix").Single().Value.Trim();
        var pack = await DotnetCommand.RunAsync(
            Root,
            PackTimeout,
            environment: null,
            "pack", "RxNet.sln", "-c", "Release", "-o", Packages,
            "--artifacts-path", Path.Combine(Scratch, "artifacts"),
            "--disable-build-servers", "-nologo");
        PackOutput = pack.EnsureSuccess().Output;
    }

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Scratch, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a process that is exiting: the temporary folder is cleaned by the OS.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Task.CompletedTask;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RxNet.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds RxNet.sln.");
    }
}
