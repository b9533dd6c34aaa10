using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Rx.Network.Packaging.Tests.Fixture;

namespace Rx.Network.Packaging.Tests;

/// <summary>What the packed files hold: metadata, README, XML docs, symbols, dependencies.</summary>
[Collection(PackagedRepositoryGroup.Name)]
public sealed class PackageContentsTests(PackedRepository packed)
{
    public static TheoryData<string> Libraries => ["Rx.Network", "Rx.Network.Mock", "Rx.Network.Hosting", "Rx.Network.Interactive"];

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Library_HasMetadataReadmeDocsAndSymbols(string id)
    {
        var package = PackageFile.Open(packed.PackageFile(id));

        Assert.Equal(id, package["id"]);
        Assert.Equal(packed.Version, package["version"]);
        Assert.False(string.IsNullOrWhiteSpace(package["description"]));
        Assert.False(string.IsNullOrWhiteSpace(package["authors"]));
        var license = package.Element("license");
        Assert.NotNull(license);
        Assert.Equal("expression", (string?)license.Attribute("type"));
        Assert.Equal("MIT", license.Value);
        var repository = package.Element("repository");
        Assert.NotNull(repository);
        Assert.Equal("git", (string?)repository.Attribute("type"));
        Assert.False(string.IsNullOrEmpty((string?)repository.Attribute("url")));
        Assert.Equal("README.md", package["readme"]);
        Assert.Contains("README.md", package.Entries);
        string readme = System.Text.Encoding.UTF8.GetString(PackageFile.ReadEntry(packed.PackageFile(id), "README.md"));
        Assert.StartsWith($"# {id}", readme, StringComparison.Ordinal);

        Assert.Contains($"lib/net10.0/{id}.dll", package.Entries);
        Assert.Contains($"lib/net10.0/{id}.xml", package.Entries);
        Assert.DoesNotContain(package.Entries, e => e.EndsWith(".pdb", StringComparison.Ordinal));

        var symbols = PackageFile.Open(packed.PackageFile(id, symbols: true));
        Assert.Contains($"lib/net10.0/{id}.pdb", symbols.Entries);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Library_IsBuiltDeterministicallyWithSymbolsBeside(string id)
    {
        using var image = new MemoryStream(PackageFile.ReadEntry(packed.PackageFile(id), $"lib/net10.0/{id}.dll"));
        using var pe = new PEReader(image);
        var debug = pe.ReadDebugDirectory();

        Assert.Contains(debug, entry => entry.Type == DebugDirectoryEntryType.Reproducible);
        Assert.Contains(debug, entry => entry.Type == DebugDirectoryEntryType.CodeView);
        Assert.DoesNotContain(debug, entry => entry.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
    }

    [Fact]
    public void RxNetwork_DependsOnSystemReactive601AsItsFloor()
    {
        var package = PackageFile.Open(packed.PackageFile("Rx.Network"));

        // A floor, not a pin: .NET Interactive ships System.Reactive 6.0.0.0, so the library is
        // built on 6.0.1 (assembly 6.0.0.0) and applications may take anything newer.
        Assert.Equal("6.0.1", package.Dependencies["System.Reactive"]);
        Assert.All(package.Dependencies.Values, range => Assert.DoesNotContain("[", range, StringComparison.Ordinal));

        using var image = new MemoryStream(PackageFile.ReadEntry(packed.PackageFile("Rx.Network"), "lib/net10.0/Rx.Network.dll"));
        using var pe = new PEReader(image);
        var reader = pe.GetMetadataReader();
        var reactive = reader.AssemblyReferences.Select(reader.GetAssemblyReference)
            .Single(reference => reader.GetString(reference.Name) == "System.Reactive");
        Assert.Equal(new Version(6, 0, 0, 0), reactive.Version);
    }

    [Fact]
    public void CompanionPackages_DependOnRxNetworkOfTheSameVersion()
    {
        foreach (var id in new[] { "Rx.Network.Mock", "Rx.Network.Hosting", "Rx.Network.Interactive" })
        {
            var package = PackageFile.Open(packed.PackageFile(id));
            Assert.Equal(packed.Version, package.Dependencies["Rx.Network"]);
            Assert.All(package.Dependencies.Values, range => Assert.DoesNotContain("[", range, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Hosting_DependsOnTheHostingAbstractionsNotOnAspNetCore()
    {
        var package = PackageFile.Open(packed.PackageFile("Rx.Network.Hosting"));

        Assert.Equal("10.0.0", package.Dependencies["Microsoft.Extensions.Hosting.Abstractions"]);
        Assert.DoesNotContain(package.Metadata.Descendants(), e => e.Name.LocalName == "frameworkReference");
        Assert.DoesNotContain(package.Dependencies.Keys, id => id.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Fact]
    public void InteractivePackage_CarriesItsExtensionScript_AndLeavesTheKernelToTheKernel()
    {
        var package = PackageFile.Open(packed.PackageFile("Rx.Network.Interactive"));

        // .NET Interactive runs this script when a notebook references the package.
        Assert.Contains("interactive-extensions/dotnet/extension.dib", package.Entries);
        string script = System.Text.Encoding.UTF8.GetString(PackageFile.ReadEntry(packed.PackageFile("Rx.Network.Interactive"), "interactive-extensions/dotnet/extension.dib"));
        Assert.Contains("Rx.Network.Interactive.NetworkFormatters.Register();", script, StringComparison.Ordinal);
        // The kernel brings Microsoft.DotNet.Interactive.*; a dependency on them would drag a preview kernel into applications.
        Assert.DoesNotContain(package.Dependencies.Keys, id => id.StartsWith("Microsoft.DotNet.Interactive", StringComparison.Ordinal));
    }

    [Fact]
    public void Tool_IsTheRxnetCommand_WithAPackagePerRuntime()
    {
        var package = PackageFile.Open(packed.PackageFile("rxnet"));

        Assert.Equal("rxnet", package["id"]);
        Assert.Equal(packed.Version, package["version"]);
        Assert.Equal("DotnetTool", (string?)package.Metadata.Descendants().Single(e => e.Name.LocalName == "packageType").Attribute("name"));
        Assert.Equal("README.md", package["readme"]);
        // The rxnet package only points at its runtime-specific packages; `dotnet tool install`
        // takes the one for the machine's runtime identifier, or the portable one.
        var settings = ToolSettings("rxnet", "tools/any/any/DotnetToolSettings.xml");
        Assert.Equal("rxnet", (string?)settings.Descendants("Command").Single().Attribute("Name"));
        var runtimes = settings.Descendants("RuntimeIdentifierPackage")
            .ToDictionary(e => (string)e.Attribute("RuntimeIdentifier")!, e => (string)e.Attribute("Id")!);
        Assert.Equal(new Dictionary<string, string> { ["linux-x64"] = "rxnet.linux-x64", ["any"] = "rxnet.any" }, runtimes);
    }

    [Fact]
    public void Tool_ForLinuxX64_IsSelfContainedTrimmedAndOneCompositeImage_ThePortableOneIsIl()
    {
        // linux-x64 (issue #18: a new process leaves little to the JIT): self-contained, started by
        // its apphost, the .NET libraries trimmed to what the CLI uses, and the CLI, its libraries
        // and those .NET libraries precompiled together into one composite ReadyToRun image, so that
        // the framework's generic code over the library's types is precompiled too.
        const string dir = "tools/any/linux-x64/";
        var native = ToolSettings("rxnet.linux-x64", dir + "DotnetToolSettings.xml").Descendants("Command").Single();
        Assert.Equal("rxnet", (string?)native.Attribute("EntryPoint"));
        Assert.Equal("executable", (string?)native.Attribute("Runner"));
        var entries = PackageFile.Open(packed.PackageFile("rxnet.linux-x64")).Entries;
        Assert.Contains(dir + "rxnet", entries);
        Assert.Contains(dir + "libcoreclr.so", entries);
        Assert.Contains(dir + "rxnet.r2r.dll", entries);
        foreach (var assembly in new[] { "rxnet.dll", "Rx.Network.dll", "Rx.Network.Mock.dll", "System.Reactive.dll", "NSec.Cryptography.dll", "System.Private.CoreLib.dll", "System.Threading.Tasks.Dataflow.dll", "System.Net.Sockets.dll" })
        {
            var flags = ReadyToRunFlags("rxnet.linux-x64", dir + assembly);
            Assert.True(flags is { } f && (f & ComponentOfCompositeImage) != 0, $"{assembly} of rxnet.linux-x64 is not a component of the composite image (ReadyToRun flags {flags})");
        }

        // Trimmed: .NET libraries the CLI never calls are left out.
        Assert.DoesNotContain(dir + "System.Private.Xml.dll", entries);
        Assert.DoesNotContain(dir + "System.Data.Common.dll", entries);
        // Nor do the libraries' XML documentation files ship with the command.
        Assert.DoesNotContain(dir + "Rx.Network.xml", entries);

        var runtimeConfig = System.Text.Encoding.UTF8.GetString(PackageFile.ReadEntry(packed.PackageFile("rxnet.linux-x64"), dir + "rxnet.runtimeconfig.json"));
        Assert.Contains("\"includedFrameworks\"", runtimeConfig, StringComparison.Ordinal);

        // Anywhere else: the portable IL build, run by `dotnet`.
        var portable = ToolSettings("rxnet.any", "tools/net10.0/any/DotnetToolSettings.xml").Descendants("Command").Single();
        Assert.Equal("rxnet.dll", (string?)portable.Attribute("EntryPoint"));
        Assert.Equal("dotnet", (string?)portable.Attribute("Runner"));
        Assert.Null(ReadyToRunFlags("rxnet.any", "tools/net10.0/any/Rx.Network.dll"));
    }

    [Fact]
    public void Pack_ProducesOnlyTheLibrariesAndTheTool()
    {
        var produced = Directory.GetFiles(packed.Packages, "*.nupkg").Select(path => Path.GetFileName(path)!).Order(StringComparer.Ordinal).ToList();

        // Tests, examples and benchmarks are not packable; every src/ library is.
        var libraries = Directory.GetDirectories(Path.Combine(packed.Root, "src")).Select(Path.GetFileName)
            .Where(name => File.Exists(Path.Combine(packed.Root, "src", name!, $"{name}.csproj")));
        var expected = libraries.Concat(["rxnet", "rxnet.any", "rxnet.linux-x64"]).Select(id => $"{id}.{packed.Version}.nupkg").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, produced);
    }

    private System.Xml.Linq.XDocument ToolSettings(string id, string entry)
    {
        using var settings = new MemoryStream(PackageFile.ReadEntry(packed.PackageFile(id), entry));
        return System.Xml.Linq.XDocument.Load(settings);
    }

    /// <summary>READYTORUN_FLAG_COMPONENT: the assembly's native code lives in a composite image beside it.</summary>
    private const uint ComponentOfCompositeImage = 0x20;

    /// <summary>
    /// The flags of the assembly's ReadyToRun header, or null for an IL-only assembly (a ReadyToRun
    /// image has a managed native header: the signature "RTR", the format's version, the flags).
    /// </summary>
    private uint? ReadyToRunFlags(string id, string entry)
    {
        using var image = new MemoryStream(PackageFile.ReadEntry(packed.PackageFile(id), entry));
        using var pe = new PEReader(image);
        var header = pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory;
        if (header.Size == 0)
        {
            return null;
        }

        var reader = pe.GetSectionData(header.RelativeVirtualAddress).GetReader();
        Assert.Equal(0x00525452u, reader.ReadUInt32());
        reader.ReadUInt16();
        reader.ReadUInt16();
        return reader.ReadUInt32();
    }
}
