using Microsoft.CodeAnalysis;

namespace Rx.Network.Notebooks.Tests.Harness;

public sealed class NotebookReferenceResolverTests
{
    private static readonly RepositoryLayout Layout = RepositoryLayout.Current;

    private static readonly string NotebookPath = Path.Combine(Layout.NotebooksDirectory, "any.ipynb");

    private static NotebookReferenceResolver Resolver() =>
        new(Layout, [typeof(INetwork).Assembly, typeof(System.Reactive.Linq.Observable).Assembly]);

    [Fact]
    public void Constructor_ChecksArguments()
    {
        Assert.Throws<ArgumentNullException>(() => new NotebookReferenceResolver(null!, []));
        Assert.Throws<ArgumentNullException>(() => new NotebookReferenceResolver(Layout, null!));
        Assert.Throws<ArgumentNullException>(() => Resolver().ResolveReference(null!, null, MetadataReferenceProperties.Assembly));
    }

    [Fact]
    public void ResolveReference_NuGetPinnedVersion_GivesTheLoadedAssembly()
    {
        var resolved = Resolver().ResolveReference("nuget: System.Reactive, 7.0.0", NotebookPath, MetadataReferenceProperties.Assembly);

        Assert.Equal(typeof(System.Reactive.Linq.Observable).Assembly.Location, Assert.Single(resolved).FilePath);
    }

    [Fact]
    public void ResolveReference_BuildOutputPath_GivesTheLoadedAssembly()
    {
        var resolved = Resolver().ResolveReference("../src/Rx.Network/bin/Debug/net10.0/Rx.Network.dll", NotebookPath, MetadataReferenceProperties.Assembly);

        Assert.Equal(typeof(INetwork).Assembly.Location, Assert.Single(resolved).FilePath);
    }

    [Fact]
    public void ResolveReference_WithoutBasePath_IsRelativeToTheNotebooks()
    {
        var resolved = Resolver().ResolveReference("../src/Rx.Network/bin/Debug/net10.0/Rx.Network.dll", null, MetadataReferenceProperties.Assembly);

        Assert.Single(resolved);
    }

    [Theory]
    [InlineData("nuget: System.Reactive, 6.0.1", "pins version 7.0.0")]
    [InlineData("nuget:", "nuget: Id, Version")]
    [InlineData("nuget: NSec.Cryptography, 26.4.0", "does not reference")]
    [InlineData("Rx.Network.dll", "a clone's build puts Rx.Network at")]
    [InlineData("../src/Rx.Network.Mock/bin/Debug/net10.0/Rx.Network.Mock.dll", "Rx.Network.Mock is not an assembly")]
    public void ResolveReference_Refused_IsEmptyAndExplained(string reference, string reason)
    {
        var resolver = Resolver();

        var resolved = resolver.ResolveReference(reference, NotebookPath, MetadataReferenceProperties.Assembly);

        Assert.Empty(resolved);
        Assert.Contains(reason, Assert.Single(resolver.TakeRefusals()), StringComparison.Ordinal);
        Assert.Empty(resolver.TakeRefusals());
    }

    [Fact]
    public void Equals_IsIdentity()
    {
        var resolver = Resolver();

        Assert.True(resolver.Equals(resolver));
        Assert.False(resolver.Equals(Resolver()));
        Assert.Equal(resolver.GetHashCode(), resolver.GetHashCode());
    }
}
