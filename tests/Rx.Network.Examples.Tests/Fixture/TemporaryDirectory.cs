namespace Rx.Network.Examples.Tests.Fixture;

/// <summary>A fresh directory under the system temp folder, deleted with its contents on dispose.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory() => Path = Directory.CreateTempSubdirectory("rxnet-examples-").FullName;

    public string Path { get; }

    /// <summary>A path inside the directory.</summary>
    public string this[string name] => System.IO.Path.Combine(Path, name);

    /// <summary>The names of the entries (files and folders, hidden ones included), sorted.</summary>
    public string[] Entries(string? subdirectory = null) =>
        [.. Directory.EnumerateFileSystemEntries(subdirectory is null ? Path : this[subdirectory]).Select(entry => System.IO.Path.GetFileName(entry)).Order()];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file; the OS cleans its temp folder eventually.
        }
    }
}
