namespace Rx.Network.Packaging.Tests.Fixture;

/// <summary>One pack of the repository, shared by every test of the packages.</summary>
[CollectionDefinition(Name)]
public sealed class PackagedRepositoryGroup : ICollectionFixture<PackedRepository>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Packed repository";
}
