namespace Rx.Network.Identity;

/// <summary>
/// The algorithm-specific half of a <see cref="PublicKey"/>: a decoded, validated key that checks
/// signatures. Implementations never throw from <see cref="Verify"/>: a signature that is malformed,
/// of the wrong length or simply wrong is <see langword="false"/>.
/// </summary>
internal abstract class KeyVerifier
{
    /// <summary>The canonical encoding of the key, as it goes in the protobuf <c>Data</c> field.</summary>
    internal abstract byte[] Data { get; }

    internal abstract bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);
}
