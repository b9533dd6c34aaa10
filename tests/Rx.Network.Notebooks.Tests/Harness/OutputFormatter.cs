using System.Collections;
using System.Globalization;

namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>
/// Turns displayed values into <c>text/plain</c>, roughly as .NET Interactive does: invariant
/// culture for numbers and times, sequences listed item by item, anything else by <c>ToString()</c>.
/// </summary>
public static class OutputFormatter
{
    // Short sequences stay on one line; longer ones get a line per item, as a table would.
    private const int OneLineLimit = 100;

    /// <summary>Formats a value.</summary>
    /// <param name="value">The value, possibly null.</param>
    /// <returns>Its text.</returns>
    public static string Format(object? value) => value switch
    {
        null => "<null>",
        string text => text,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => FormatSequence(items),
        _ => value.ToString() ?? "",
    };

    private static string FormatSequence(IEnumerable items)
    {
        var texts = items.Cast<object?>().Select(Format).ToList();
        var oneLine = "[ " + string.Join(", ", texts) + " ]";
        return oneLine.Length <= OneLineLimit && !oneLine.Contains('\n', StringComparison.Ordinal)
            ? oneLine
            : string.Join("\n", texts.Select(text => "- " + text.Replace("\n", "\n  ", StringComparison.Ordinal)));
    }
}
