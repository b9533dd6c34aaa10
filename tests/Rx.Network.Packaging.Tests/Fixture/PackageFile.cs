using System.IO.Compression;
using System.Xml.Linq;

namespace Rx.Network.Packaging.Tests.Fixture;

/// <summary>A packed <c>.nupkg</c>/<c>.snupkg</c>: its file list and its nuspec.</summary>
internal sealed class PackageFile
{
    private PackageFile(IReadOnlyList<string> entries, XElement metadata)
    {
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The paths of the files in the package.</summary>
    public IReadOnlyList<string> Entries { get; }

    /// <summary>The nuspec's <c>metadata</c> element.</summary>
    public XElement Metadata { get; }

    /// <summary>The text of the nuspec element <paramref name="name"/>, or null.</summary>
    public string? this[string name] => Metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    /// <summary>The element <paramref name="name"/> of the nuspec's metadata, or null.</summary>
    public XElement? Element(string name) => Metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    /// <summary>The dependencies of the package: id → version range, as written.</summary>
    public IReadOnlyDictionary<string, string> Dependencies =>
        Metadata.Descendants().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => (string)e.Attribute("id")!, e => (string)e.Attribute("version")!);

    /// <summary>Opens <paramref name="path"/>.</summary>
    public static PackageFile Open(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not produced; packed: {string.Join(", ", Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName))}");
        using var zip = ZipFile.OpenRead(path);
        var nuspec = zip.Entries.Single(e => !e.FullName.Contains('/') && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        var document = XDocument.Load(stream);
        var metadata = document.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        return new PackageFile(zip.Entries.Select(e => e.FullName).ToList(), metadata);
    }

    /// <summary>The bytes of the entry <paramref name="entry"/> of the package at <paramref name="path"/>.</summary>
    public static byte[] ReadEntry(string path, string entry)
    {
        using var zip = ZipFile.OpenRead(path);
        using var stream = zip.GetEntry(entry)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
