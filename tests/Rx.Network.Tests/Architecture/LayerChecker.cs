namespace Rx.Network.Tests.Architecture;

/// <summary>
/// Checks references against a <see cref="LayerMap"/>: a type never references a type of a higher
/// layer, and the namespaces inside one layer (and the types it places by name) reference each other without a cycle. Because the
/// layers form one order, every cycle between layers contains an upward reference, so the first
/// rule catches those.
/// </summary>
public static class LayerChecker
{
    /// <summary>Every reference that breaks the layer rule, ordered by the referring type and member.</summary>
    /// <param name="map">The layers.</param>
    /// <param name="references">The references compiled code makes.</param>
    public static IReadOnlyList<LayerViolation> Check(LayerMap map, IEnumerable<CodeReference> references)
    {
        var all = references as IReadOnlyCollection<CodeReference> ?? [.. references];
        var violations = new List<LayerViolation>();
        var inside = new List<CodeReference>();
        foreach (var reference in all)
        {
            if (map.RankOf(reference.FromType) is not int from || map.RankOf(reference.ToType) is not int to)
            {
                continue;
            }

            if (to > from)
            {
                violations.Add(new LayerViolation(
                    reference,
                    $"layer {map.Layers[from].Name} references the higher layer {map.Layers[to].Name}"));
            }
            else if (to == from && map.UnitOf(reference.FromType) != map.UnitOf(reference.ToType))
            {
                inside.Add(reference);
            }
        }

        violations.AddRange(Cycles(map, inside));
        return [.. violations.OrderBy(v => v.Reference.FromType, StringComparer.Ordinal)
            .ThenBy(v => v.Reference.FromMember, StringComparer.Ordinal)
            .ThenBy(v => v.Reference.ToType, StringComparer.Ordinal)];
    }

    /// <summary>Types of <paramref name="rootNamespace"/> (or below it) that make references but belong to no layer.</summary>
    /// <param name="map">The layers.</param>
    /// <param name="references">The references compiled code makes.</param>
    /// <param name="rootNamespace">The namespace every type of the checked code should be mapped under.</param>
    public static IReadOnlyList<string> Unmapped(LayerMap map, IEnumerable<CodeReference> references, string rootNamespace) =>
        [.. references.Select(r => r.FromType)
            .Where(t => t.StartsWith(rootNamespace + ".", StringComparison.Ordinal) && map.RankOf(t) is null)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    /// <summary>
    /// One violation per edge between units of a layer (<see cref="LayerMap.UnitOf"/>) that lies on a
    /// cycle, naming one reference that makes it.
    /// </summary>
    private static IEnumerable<LayerViolation> Cycles(LayerMap map, List<CodeReference> references)
    {
        var edges = references
            .GroupBy(r => (From: map.UnitOf(r.FromType), To: map.UnitOf(r.ToType)))
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.ToString(), StringComparer.Ordinal).First());
        var next = edges.Keys.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        foreach (var ((from, to), reference) in edges)
        {
            // The shortest way back from `to` to `from`, if any: with this edge, a cycle.
            var back = PathBetween(next, to, from);
            if (back is not null)
            {
                yield return new LayerViolation(reference, $"closes the cycle {from} -> {string.Join(" -> ", back)}");
            }
        }
    }

    private static List<string>? PathBetween(Dictionary<string, List<string>> next, string start, string goal)
    {
        var cameFrom = new Dictionary<string, string?> { [start] = null };
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            string at = queue.Dequeue();
            if (at == goal)
            {
                var path = new List<string>();
                for (string? step = at; step is not null; step = cameFrom[step])
                {
                    path.Insert(0, step);
                }

                return path;
            }

            foreach (string n in next.GetValueOrDefault(at) ?? [])
            {
                if (cameFrom.TryAdd(n, at))
                {
                    queue.Enqueue(n);
                }
            }
        }

        return null;
    }
}
