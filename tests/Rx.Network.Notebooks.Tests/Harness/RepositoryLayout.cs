using System.Xml.Linq;

namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>
/// Where things are in the repository clone the tests run from: its root (the folder holding
/// <c>RxNet.sln</c>), the notebooks, the local package folder their <c>NuGet.Config</c> names, and
/// the version every package of the repository carries.
/// </summary>
public sealed class RepositoryLayout
{
    private RepositoryLayout(string root, string version)
    {
        Root = root;
        Version = version;
    }

    /// <summary>The repository clone the test assembly was built from.</summary>
    public static RepositoryLayout Current { get; } = Find(AppContext.BaseDirectory);

    /// <summary>The packages the notebooks reference, each a project under <c>src/</c>.</summary>
    public static IReadOnlyList<string> NotebookPackages { get; } = ["Rx.Network", "Rx.Network.Mock", "Rx.Network.Interactive"];

    /// <summary>The folder holding <c>RxNet.sln</c>.</summary>
    public string Root { get; }

    /// <summary>The version of the repository's packages: <c>VersionPrefix</c> in <c>Directory.Build.props</c>.</summary>
    public string Version { get; }

    /// <summary>The folder holding the notebooks.</summary>
    public string NotebooksDirectory => Path.Combine(Root, "notebooks");

    /// <summary>Where <c>dotnet pack RxNet.sln -c Release -o artifacts/packages</c> writes the packages.</summary>
    public string PackagesDirectory => Path.Combine(Root, "artifacts", "packages");

    /// <summary>Ignored build output of the tests: the Jupyter kernel tool is installed under it.</summary>
    public string ArtifactsDirectory => Path.Combine(Root, "artifacts");

    /// <summary>The notebooks in <see cref="NotebooksDirectory"/>, by file name.</summary>
    /// <returns>The full paths, in file-name order.</returns>
    public IReadOnlyList<string> NotebookPaths() =>
        Directory.GetFiles(NotebooksDirectory, "*.ipynb").Order(StringComparer.Ordinal).ToArray();

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
                var version = XDocument.Load(Path.Combine(dir.FullName, "Directory.Build.props"))
                    .Descendants("VersionPrefix").Single().Value.Trim();
                return new RepositoryLayout(dir.FullName, version);
            }
        }

        throw new DirectoryNotFoundException($"No folder above {start} holds RxNet.sln.");
    }
}
