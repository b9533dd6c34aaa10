using CsCheck;

namespace Rx.Network.Tests.Identity;

/// <summary>Generators of hostile input derived from valid encodings: truncated, mutated, extended.</summary>
internal static class Mutations
{
    /// <summary>Bytes near <paramref name="valid"/>: a prefix, a few bytes changed, a byte inserted or removed, or junk appended.</summary>
    internal static Gen<byte[]> Of(byte[] valid) =>
        // Changing or removing a byte needs one: an empty encoding only grows.
        Gen.Int[0, 4].Select(kind => valid.Length == 0 && kind is 1 or 3 ? 4 : kind).SelectMany(kind => kind switch
        {
            0 => Gen.Int[0, valid.Length].Select(n => valid[..n]),
            1 => Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte).Array[1, 4].Select(changes =>
            {
                var copy = (byte[])valid.Clone();
                foreach (var (index, value) in changes)
                {
                    copy[index] = value;
                }

                return copy;
            }),
            2 => Gen.Select(Gen.Int[0, valid.Length], Gen.Byte).Select((index, value) =>
                (byte[])[.. valid[..index], value, .. valid[index..]]),
            3 => Gen.Int[0, valid.Length - 1].Select(index => (byte[])[.. valid[..index], .. valid[(index + 1)..]]),
            _ => Gen.Byte.Array[1, 16].Select(junk => (byte[])[.. valid, .. junk]),
        });

    /// <summary>Strings near <paramref name="valid"/>: a prefix, characters changed, inserted or removed.</summary>
    internal static Gen<string> Of(string valid) =>
        Gen.Int[0, 3].Select(kind => valid.Length == 0 && kind is 1 or 3 ? 2 : kind).SelectMany(kind => kind switch
        {
            0 => Gen.Int[0, valid.Length].Select(n => valid[..n]),
            1 => Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Char).Select((index, c) => string.Concat(valid.AsSpan(0, index), [c], valid.AsSpan(index + 1))),
            2 => Gen.Select(Gen.Int[0, valid.Length], Gen.Char).Select((index, c) => valid.Insert(index, c.ToString())),
            _ => Gen.Int[0, valid.Length - 1].Select(index => valid.Remove(index, 1)),
        });

    /// <summary>Runs <paramref name="parse"/> and lets only <see cref="FormatException"/> (and subclasses) escape silently.</summary>
    /// <returns>Whether parsing succeeded.</returns>
    internal static bool ParsesOrRejects(Action parse)
    {
        try
        {
            parse();
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
