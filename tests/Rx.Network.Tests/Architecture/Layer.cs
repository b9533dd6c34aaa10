namespace Rx.Network.Tests.Architecture;

/// <summary>One layer of a <see cref="LayerMap"/>: the namespaces it owns and the single types it owns
/// outside them (types of a namespace shared between layers, such as the root one).</summary>
/// <param name="Name">The layer's name, as ADR 0001 writes it.</param>
/// <param name="Namespaces">Namespaces whose types belong here (exact names; a sub-namespace is listed on its own).</param>
/// <param name="Types">Full names of top-level types that belong here whatever their namespace says.</param>
public sealed record Layer(string Name, IReadOnlyList<string> Namespaces, IReadOnlyList<string> Types)
{
    /// <summary>A layer of whole namespaces.</summary>
    public static Layer Of(string name, params string[] namespaces) => new(name, namespaces, []);

    /// <summary>A layer of single types.</summary>
    public static Layer OfTypes(string name, params string[] types) => new(name, [], types);
}
