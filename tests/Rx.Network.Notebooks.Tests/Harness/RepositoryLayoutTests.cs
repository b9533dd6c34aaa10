namespace Rx.Network.Notebooks.Tests.Harness;

public sealed class RepositoryLayoutTests
{
    [Fact]
    public void Find_ChecksArguments() => Assert.Throws<ArgumentException>(() => RepositoryLayout.Find(""));

    [Fact]
    public void Find_OutsideAClone_Throws() =>
        Assert.Throws<DirectoryNotFoundException>(() => RepositoryLayout.Find(Path.GetPathRoot(Path.GetTempPath())!));

    [Fact]
    public void Current_IsTheCloneHoldingTheSolution()
    {
        var layout = RepositoryLayout.Current;

        Assert.True(File.Exists(Path.Combine(layout.Root, "RxNet.sln")));
        Assert.Equal(Path.Combine(layout.Root, "notebooks"), layout.NotebooksDirectory);
        Assert.Equal(layout.Root, RepositoryLayout.Find(Path.Combine(layout.Root, "src", "Rx.Network")).Root);
    }

    [Fact]
    public void PackageVersions_AreThePins()
    {
        var versions = RepositoryLayout.Current.PackageVersions;

        Assert.Equal("7.0.0", versions["System.Reactive"]);
        Assert.Equal("7.0.0", versions["system.reactive"]);
        Assert.DoesNotContain(versions.Values, version => version.Contains('[', StringComparison.Ordinal));
    }

    [Fact]
    public void BuiltAssemblyPath_IsTheDebugOutput() =>
        Assert.Equal(
            Path.Combine(RepositoryLayout.Current.Root, "src", "Rx.Network", "bin", "Debug", "net10.0", "Rx.Network.dll"),
            RepositoryLayout.Current.BuiltAssemblyPath("Rx.Network"));

    [Fact]
    public void NotebookPaths_AreIpynbFilesInOrder()
    {
        var paths = RepositoryLayout.Current.NotebookPaths();

        Assert.All(paths, path => Assert.EndsWith(".ipynb", path, StringComparison.Ordinal));
        Assert.Equal(paths.Order(StringComparer.Ordinal), paths);
    }
}
