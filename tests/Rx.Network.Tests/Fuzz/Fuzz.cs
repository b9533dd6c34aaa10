namespace Rx.Network.Tests.Fuzz;

/// <summary>
/// Settings shared by the fuzz suite. CI runs each property a few hundred to a few thousand times
/// (the whole suite in seconds); <c>tests/fuzz/run-long.sh</c> sets <c>RXNET_FUZZ_SCALE</c> to
/// multiply every count for a long run (millions of cases).
/// </summary>
internal static class Fuzz
{
    /// <summary>The multiplier from <c>RXNET_FUZZ_SCALE</c> (1 when unset).</summary>
    public static long Scale { get; } =
        long.TryParse(Environment.GetEnvironmentVariable("RXNET_FUZZ_SCALE"), out long scale) && scale > 0 ? scale : 1;

    /// <summary><paramref name="ci"/> cases, scaled for a long run.</summary>
    public static long Iter(long ci) => ci * Scale;

    /// <summary>
    /// Whether <paramref name="e"/> is one of the library's typed outcomes for bad input: a
    /// <see cref="FormatException"/> (<see cref="WireProtocolViolationException"/>,
    /// <see cref="MessageTooLargeException"/>) or an <see cref="IOException"/> (handshake,
    /// negotiation, muxer closed, stream reset). Never an ArgumentException, NullReference,
    /// IndexOutOfRange, Overflow or InvalidOperation from deep inside.
    /// </summary>
    public static bool IsTyped(Exception e) => e is FormatException or IOException;

    /// <summary>Runs <paramref name="parse"/>; only typed exceptions may escape it (they are swallowed).</summary>
    /// <returns>Whether it succeeded.</returns>
    public static bool Accepts(Action parse)
    {
        try
        {
            parse();
            return true;
        }
        catch (Exception e) when (IsTyped(e))
        {
            return false;
        }
    }

    /// <summary>Awaits <paramref name="task"/> with a bound; only a typed exception may fault it.</summary>
    public static async Task<Exception?> OutcomeAsync(Task task, TimeSpan bound)
    {
        try
        {
            await task.WaitAsync(bound);
            return null;
        }
        catch (Exception e) when (IsTyped(e) && e is not TimeoutException)
        {
            return e;
        }
    }

    /// <summary>A generator of edits for <see cref="Mutate"/>: a kind, a position and a byte.</summary>
    public static CsCheck.Gen<(int Kind, int Position, byte Value)> Edit { get; } =
        CsCheck.Gen.Select(CsCheck.Gen.Int[0, 4], CsCheck.Gen.Int[0, int.MaxValue], CsCheck.Gen.Byte);

    /// <summary>
    /// Applies one edit to a valid encoding made inside the test (when it cannot be made by a
    /// generator): cut at, change, insert at, remove at <paramref name="position"/>, or append.
    /// </summary>
    public static byte[] Mutate(byte[] valid, (int Kind, int Position, byte Value) edit)
    {
        var (kind, position, value) = edit;
        if (valid.Length == 0)
        {
            return [value];
        }

        int at = position % valid.Length;
        switch (kind)
        {
            case 0:
                return valid[..at];
            case 1:
                var copy = (byte[])valid.Clone();
                copy[at] ^= value == 0 ? (byte)1 : value;
                return copy;
            case 2:
                return [.. valid[..at], value, .. valid[at..]];
            case 3:
                return [.. valid[..at], .. valid[(at + 1)..]];
            default:
                return [.. valid, value];
        }
    }
}
