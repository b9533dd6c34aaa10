using System.Text;

namespace Rx.Network.Mock.Testing;

/// <summary>
/// Sequence assertions for recorded notifications and subscriptions, independent of any test
/// framework: a failure throws <see cref="ReactiveAssertException"/> listing both sequences.
/// </summary>
public static class ReactiveAssert
{
    /// <summary>
    /// Asserts that two sequences have equal elements in the same order. Elements are compared as
    /// <c>expected.Equals(actual)</c>, so predicate notifications (see <see cref="ReactiveTest"/>) match by predicate.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="expected">The expected elements.</param>
    /// <param name="actual">The actual elements.</param>
    /// <exception cref="ArgumentNullException"><paramref name="expected"/> or <paramref name="actual"/> is null.</exception>
    /// <exception cref="ReactiveAssertException">The sequences differ.</exception>
    public static void AreElementsEqual<T>(IEnumerable<T> expected, IEnumerable<T> actual) =>
        AreElementsEqual(expected, actual, message: null);

    /// <summary>Asserts that two sequences have equal elements in the same order, with a message to show on failure.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="expected">The expected elements.</param>
    /// <param name="actual">The actual elements.</param>
    /// <param name="message">Put at the head of the failure message; may be null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="expected"/> or <paramref name="actual"/> is null.</exception>
    /// <exception cref="ReactiveAssertException">The sequences differ.</exception>
    public static void AreElementsEqual<T>(IEnumerable<T> expected, IEnumerable<T> actual, string? message)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);

        // Materialise once: the failure message lists both sequences in full.
        var e = expected.ToList();
        var a = actual.ToList();

        var common = Math.Min(e.Count, a.Count);
        for (var i = 0; i < common; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(e[i], a[i]))
            {
                throw Failure(message, e, a, $"First difference at index {i}: expected {e[i]}, actual {a[i]}.");
            }
        }

        if (e.Count != a.Count)
        {
            var detail = e.Count > a.Count
                ? $"Actual has {a.Count} element(s), expected {e.Count}; first missing: {e[common]}."
                : $"Actual has {a.Count} element(s), expected {e.Count}; first extra: {a[common]}.";
            throw Failure(message, e, a, detail);
        }
    }

    /// <summary>
    /// Asserts that <paramref name="actual"/> has the elements of <paramref name="expected"/> in
    /// order, for example <c>res.Messages.AssertEqual(expectedMessages)</c>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="actual">The actual elements.</param>
    /// <param name="expected">The expected elements.</param>
    /// <exception cref="ArgumentNullException"><paramref name="expected"/> or <paramref name="actual"/> is null.</exception>
    /// <exception cref="ReactiveAssertException">The sequences differ.</exception>
    public static void AssertEqual<T>(this IEnumerable<T> actual, IEnumerable<T> expected) =>
        AreElementsEqual(expected, actual);

    /// <summary>
    /// Asserts that <paramref name="actual"/> has exactly the given elements in order, for example
    /// <c>res.Messages.AssertEqual(OnNext(210, 1), OnCompleted&lt;int&gt;(250))</c> or
    /// <c>xs.Subscriptions.AssertEqual(Subscribe(200, 250))</c>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="actual">The actual elements.</param>
    /// <param name="expected">The expected elements.</param>
    /// <exception cref="ArgumentNullException"><paramref name="expected"/> or <paramref name="actual"/> is null.</exception>
    /// <exception cref="ReactiveAssertException">The sequences differ.</exception>
    public static void AssertEqual<T>(this IEnumerable<T> actual, params T[] expected) =>
        AreElementsEqual(expected, actual);

    private static ReactiveAssertException Failure<T>(string? message, List<T> expected, List<T> actual, string detail)
    {
        var text = new StringBuilder();
        if (!string.IsNullOrEmpty(message))
        {
            text.AppendLine(message);
        }

        text.AppendLine("The sequences differ.")
            .Append("Expected: ").AppendLine(Format(expected))
            .Append("Actual:   ").AppendLine(Format(actual))
            .Append(detail);
        return new ReactiveAssertException(text.ToString());
    }

    private static string Format<T>(List<T> items) => "[" + string.Join(", ", items) + "]";
}
