using System.Globalization;

namespace Rx.Network.PerfTool;

/// <summary>The command line after the subcommand: <c>--name value</c> pairs and positionals.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> named = new(StringComparer.Ordinal);
    private readonly List<string> positionals = [];

    public Options(IEnumerable<string> args)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                named[arg[2..]] = e.MoveNext() ? e.Current : throw new ArgumentException($"{arg} needs a value.");
            }
            else
            {
                positionals.Add(arg);
            }
        }
    }

    public IReadOnlyList<string> Positionals => positionals;

    public string Text(string name, string fallback) => named.GetValueOrDefault(name, fallback);

    public long Long(string name, long fallback) =>
        named.TryGetValue(name, out var value) ? long.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public int Int(string name, int fallback) => (int)Long(name, fallback);

    public string Positional(int index, string what) =>
        index < positionals.Count ? positionals[index] : throw new ArgumentException($"Missing {what}.");
}
