using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>
/// Resolves a notebook's <c>#r</c> lines to assemblies this test process already has loaded, so
/// the notebook code runs against the very types the harness inspects (one copy of each assembly):
/// <list type="bullet">
/// <item><c>#r "nuget: Id, Version"</c> names the assembly of that package; the version must be the
/// one pinned in <c>Directory.Packages.props</c>, so the notebook tells a user what the build uses.</item>
/// <item><c>#r "../src/Name/bin/Debug/net10.0/Name.dll"</c> names a project's build output; the path,
/// taken relative to the notebook, must be where <c>dotnet build RxNet.sln</c> puts it.</item>
/// </list>
/// Anything else is refused; the refusal reasons are kept for the compilation error message.
/// </summary>
public sealed class NotebookReferenceResolver : MetadataReferenceResolver
{
    private const string NuGetPrefix = "nuget:";

    private readonly RepositoryLayout layout;
    private readonly Dictionary<string, Assembly> assemblies;
    private readonly ConcurrentQueue<string> refusals = new();

    /// <summary>Creates a resolver over <paramref name="available"/>.</summary>
    /// <param name="layout">The repository (package pins, build output paths).</param>
    /// <param name="available">The assemblies <c>#r</c> may name, by simple name (= package id = project name).</param>
    public NotebookReferenceResolver(RepositoryLayout layout, IEnumerable<Assembly> available)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(available);
        this.layout = layout;
        assemblies = available.ToDictionary(a => a.GetName().Name!, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Why references were refused since the last call, oldest first; clears the list.</summary>
    /// <returns>The reasons.</returns>
    public IReadOnlyList<string> TakeRefusals()
    {
        var taken = new List<string>();
        while (refusals.TryDequeue(out var reason))
        {
            taken.Add(reason);
        }

        return taken;
    }

    /// <inheritdoc/>
    public override ImmutableArray<PortableExecutableReference> ResolveReference(
        string reference, string? baseFilePath, MetadataReferenceProperties properties)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var assembly = reference.StartsWith(NuGetPrefix, StringComparison.OrdinalIgnoreCase)
            ? ResolvePackage(reference[NuGetPrefix.Length..])
            : ResolvePath(reference, baseFilePath);
        return assembly is null
            ? []
            : [MetadataReference.CreateFromFile(assembly.Location, properties)];
    }

    /// <inheritdoc/>
    public override bool Equals(object? other) => ReferenceEquals(this, other);

    /// <inheritdoc/>
    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    private Assembly? ResolvePackage(string package)
    {
        // .NET Interactive's form: "nuget: Id, Version" (the version may be left out there; not here).
        var parts = package.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return Refuse($"#r \"nuget:{package}\": write #r \"nuget: Id, Version\" with the version pinned in Directory.Packages.props.");
        }

        var (id, version) = (parts[0], parts[1]);
        if (!layout.PackageVersions.TryGetValue(id, out var pinned))
        {
            return Refuse($"#r \"nuget: {id}\": the package is not in Directory.Packages.props.");
        }

        if (!string.Equals(version, pinned, StringComparison.OrdinalIgnoreCase))
        {
            return Refuse($"#r \"nuget: {id}, {version}\": Directory.Packages.props pins version {pinned}.");
        }

        return assemblies.TryGetValue(id, out var assembly)
            ? assembly
            : Refuse($"#r \"nuget: {id}\": the notebook test project does not reference this package.");
    }

    private Assembly? ResolvePath(string reference, string? baseFilePath)
    {
        var baseDirectory = baseFilePath is null ? layout.NotebooksDirectory : Path.GetDirectoryName(baseFilePath)!;
        var full = Path.GetFullPath(reference, baseDirectory);
        var name = Path.GetFileNameWithoutExtension(full);
        if (!assemblies.TryGetValue(name, out var assembly))
        {
            return Refuse($"#r \"{reference}\": {name} is not an assembly of this repository the notebook test project references.");
        }

        var expected = layout.BuiltAssemblyPath(assembly.GetName().Name!);
        return string.Equals(full, expected, StringComparison.Ordinal)
            ? assembly
            : Refuse($"#r \"{reference}\": a clone's build puts {name} at {Path.GetRelativePath(baseDirectory, expected)}.");
    }

    private Assembly? Refuse(string reason)
    {
        refusals.Enqueue(reason);
        return null;
    }
}
