using System.Xml.Linq;

namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>
/// Where things are in the repository clone the tests run from: its root (the folder holding
/// <c>RxNet.sln</c>), the notebooks, and the package versions pinned in
/// <c>Directory.Packages.props</c> (which a notebook's <c>#r "nuget: …"</c> lines must match).
/// </summary>
public sealed class RepositoryLayout
{
    private RepositoryLayout(string root, IReadOnlyDictionary<string, string> packageVersions)
    {
        Root = root;
        PackageVersions = packageVersions;
    }

    /// <summary>The repository clone the test assembly was built from.</summary>
    public static RepositoryLayout Current { get; } = Find(AppContext.BaseDirectory);

    /// <summary>The folder holding <c>RxNet.sln</c>.</summary>
    public string Root { get; }

    /// <summary>The folder holding the notebooks.</summary>
    public string NotebooksDirectory => Path.Combine(Root, "notebooks");

    /// <summary>Package id to pinned version, from <c>Directory.Packages.props</c> (ids compared ignoring case).</summary>
    public IReadOnlyDictionary<string, string> PackageVersions { get; }

    /// <summary>The notebooks in <see cref="NotebooksDirectory"/>, by file name.</summary>
    /// <returns>The full paths, in file-name order.</returns>
    public IReadOnlyList<string> NotebookPaths() =>
        Directory.GetFiles(NotebooksDirectory, "*.ipynb").Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Where <c>dotnet build RxNet.sln</c> puts a project's assembly: the path a notebook's
    /// <c>#r</c> line names, relative to the notebook, for a user of a clone.
    /// </summary>
    /// <param name="assemblyName">The project and assembly name, e.g. <c>Rx.Network</c>.</param>
    /// <returns>The full path.</returns>
    public string BuiltAssemblyPath(string assemblyName) =>
        Path.Combine(Root, "src", assemblyName, "bin", "Debug", "net10.0", assemblyName + ".dll");

    /// <summary>Walks up from <paramref name="start"/> to the folder holding <c>RxNet.sln</c>.</summary>
    /// <param name="start">A folder inside the clone.</param>
    /// <returns>The layout.</returns>
    /// <exception cref="DirectoryNotFoundException">No parent folder holds <c>RxNet.sln</c>.</exception>
    public static RepositoryLayout Find(string start)
    {
        ArgumentException.ThrowIfNullOrEmpty(start);
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RxNet.sln")))
            {
                return new RepositoryLayout(dir.FullName, ReadPackageVersions(Path.Combine(dir.FullName, "Directory.Packages.props")));
            }
        }

        throw new DirectoryNotFoundException($"No folder above {start} holds RxNet.sln.");
    }

    private static Dictionary<string, string> ReadPackageVersions(string path)
    {
        var versions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var element in XDocument.Load(path).Descendants("PackageVersion"))
        {
            var id = (string?)element.Attribute("Include");
            var version = (string?)element.Attribute("Version");
            if (id is not null && version is not null)
            {
                // Exact pins are written [x.y.z]; a notebook names the plain version.
                versions[id] = version.Trim('[', ']');
            }
        }

        return versions;
    }
}
