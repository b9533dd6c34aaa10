namespace Rx.Network.Tests.Architecture;

/// <summary>
/// Layers, lowest first, and which types belong to each: a type named in a layer's
/// <see cref="Layer.Types"/> belongs there; any other type belongs to the layer that lists its
/// namespace. A type of neither (the framework, packages, compiler-generated helpers) has no layer.
/// </summary>
public sealed class LayerMap
{
    private readonly Dictionary<string, int> byType = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> byNamespace = new(StringComparer.Ordinal);

    /// <summary>Creates the map.</summary>
    /// <param name="layers">The layers, lowest first.</param>
    /// <exception cref="ArgumentException">A type or namespace is claimed by two layers, or two layers share a name.</exception>
    public LayerMap(IEnumerable<Layer> layers)
    {
        Layers = [.. layers];
        for (int rank = 0; rank < Layers.Count; rank++)
        {
            if (Layers.Take(rank).Any(l => l.Name == Layers[rank].Name))
            {
                throw new ArgumentException($"Two layers are named {Layers[rank].Name}.", nameof(layers));
            }

            foreach (string type in Layers[rank].Types)
            {
                if (!byType.TryAdd(type, rank))
                {
                    throw new ArgumentException($"{type} is in two layers.", nameof(layers));
                }
            }

            foreach (string ns in Layers[rank].Namespaces)
            {
                if (!byNamespace.TryAdd(ns, rank))
                {
                    throw new ArgumentException($"{ns} is in two layers.", nameof(layers));
                }
            }
        }
    }

    /// <summary>The layers, lowest first.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>The rank (0 = lowest) of the layer <paramref name="fullTypeName"/> belongs to, or null if none.</summary>
    /// <param name="fullTypeName">A full type name; a nested type (<c>Outer+Inner</c>) belongs where its outermost type does.</param>
    public int? RankOf(string fullTypeName)
    {
        int plus = fullTypeName.IndexOf('+', StringComparison.Ordinal);
        string outer = plus < 0 ? fullTypeName : fullTypeName[..plus];
        if (byType.TryGetValue(outer, out int rank))
        {
            return rank;
        }

        return byNamespace.TryGetValue(CodeReference.NamespaceOf(outer), out rank) ? rank : null;
    }

    /// <summary>
    /// What cycles are looked for between inside a layer: a type's namespace, except that a type the
    /// map places by name counts as part of its layer's first namespace (or of the layer itself, for
    /// a layer of single types), where the layer rule puts it.
    /// </summary>
    /// <param name="fullTypeName">A full type name.</param>
    public string UnitOf(string fullTypeName)
    {
        int plus = fullTypeName.IndexOf('+', StringComparison.Ordinal);
        string outer = plus < 0 ? fullTypeName : fullTypeName[..plus];
        if (byType.TryGetValue(outer, out int rank))
        {
            return Layers[rank].Namespaces is [var first, ..] ? first : $"layer {Layers[rank].Name}";
        }

        return CodeReference.NamespaceOf(outer);
    }

    /// <summary>The name of the layer <paramref name="fullTypeName"/> belongs to, or null if none.</summary>
    /// <param name="fullTypeName">A full type name.</param>
    public string? LayerOf(string fullTypeName) => RankOf(fullTypeName) is int rank ? Layers[rank].Name : null;
}
