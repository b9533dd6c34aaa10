using System.Security;

namespace Rx.Network.Packaging.Tests.Fixture;

/// <summary>
/// A folder for a consumer of the packages, cut off from everything that could hide a stale or
/// missing package: its own <c>NuGet.Config</c> (sources cleared; <c>Rx.Network*</c> and
/// <c>rxnet</c> only from the freshly packed folder, by package source mapping; third-party
/// packages from the machine's NuGet cache read as a plain folder feed, or the public feed), its
/// own global packages folder (so a package of the same version restored earlier cannot stand in
/// for the new one), and empty <c>Directory.Build.*</c> files so no MSBuild settings from a folder
/// above apply.
/// </summary>
internal sealed class IsolatedFeed
{
    private const string PublicFeed = "https://api.nuget.org/v3/index.json";

    private IsolatedFeed(string directory, string packagesFolder)
    {
        Directory = directory;
        GlobalPackagesFolder = packagesFolder;
    }

    /// <summary>The consumer's folder, holding <c>NuGet.Config</c>.</summary>
    public string Directory { get; }

    /// <summary>The consumer's own global packages folder.</summary>
    public string GlobalPackagesFolder { get; }

    /// <summary>The <c>NuGet.Config</c> of the consumer.</summary>
    public string ConfigFile => Path.Combine(Directory, "NuGet.Config");

    /// <summary>Environment of every command the consumer runs: the global packages folder is its own.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["NUGET_PACKAGES"] = GlobalPackagesFolder };

    /// <summary>
    /// Makes the folder <paramref name="name"/> under the scratch folder of <paramref name="packed"/>.
    /// With <paramref name="sources"/> false the configuration names no source at all (for
    /// <c>dotnet tool install --add-source</c>, which refuses to run beside source mapping).
    /// </summary>
    public static IsolatedFeed Create(PackedRepository packed, string name, bool sources = true)
    {
        var directory = System.IO.Directory.CreateDirectory(Path.Combine(packed.Scratch, name)).FullName;
        var packagesFolder = Path.Combine(directory, ".nuget-packages");
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");

        var feeds = new List<(string Key, string Value, string[] Patterns)>();
        if (sources)
        {
            feeds.Add(("rxnet-packed", packed.Packages, ["Rx.Network", "Rx.Network.*", "rxnet"]));
            if (MachineCache() is { } cache)
            {
                feeds.Add(("machine-cache", cache, ["*"]));
            }

            feeds.Add(("nuget.org", PublicFeed, ["*"]));
        }

        var config = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Escape(packagesFolder)}" />
              </config>
              <packageSources>
                <clear />
            {string.Concat(feeds.Select(s => $"    <add key=\"{s.Key}\" value=\"{Escape(s.Value)}\" />\n"))}  </packageSources>
              <packageSourceMapping>
                <clear />
            {string.Concat(feeds.Select(s => $"    <packageSource key=\"{s.Key}\">\n{string.Concat(s.Patterns.Select(p => $"      <package pattern=\"{p}\" />\n"))}    </packageSource>\n"))}  </packageSourceMapping>
            </configuration>
            """;
        File.WriteAllText(Path.Combine(directory, "NuGet.Config"), config);
        return new IsolatedFeed(directory, packagesFolder);
    }

    /// <summary>The machine's NuGet cache, when there is one: restoring from it saves downloading what the test run's own restore already fetched.</summary>
    private static string? MachineCache()
    {
        var folder = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return System.IO.Directory.Exists(folder) ? folder : null;
    }

    private static string Escape(string value) => SecurityElement.Escape(value);
}
