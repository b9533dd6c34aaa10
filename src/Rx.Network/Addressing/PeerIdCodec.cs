using Rx.Network.Errors;
using Rx.Network.Identity;

namespace Rx.Network.Addressing;

/// <summary>
/// <c>/p2p</c> (alias <c>/ipfs</c>): the peer ID's multihash, written in base58btc.
/// </summary>
/// <remarks>
/// Text input may also be a CIDv1 with the <c>libp2p-key</c> codec (as both references accept);
/// it is normalised to base58btc, the form go-multiaddr and js-multiaddr print from bytes.
/// Only identity and sha2-256 multihashes are peer IDs (go-multiaddr's <c>p2pVal</c>).
/// </remarks>
internal sealed class PeerIdCodec : ValueCodec
{
    internal static readonly PeerIdCodec Instance = new();

    public override byte[] Parse(string text)
    {
        // Every peer ID text form is printable ASCII. Filtering first also keeps non-ASCII away from
        // SimpleBase's base58 decoder, which throws IndexOutOfRangeException on it.
        if (!MultibaseText.IsPrintableAscii(text))
        {
            throw Error.Format($"'{AddressText.Shorten(text)}' is not a peer ID: it is not printable ASCII.");
        }

        try
        {
            return PeerId.Parse(text).ToBytes();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException
                                      or OverflowException or NotSupportedException)
        {
            // Defence in depth: whatever the decoders below PeerId.Parse let through is still bad input.
            throw Error.Format($"'{AddressText.Shorten(text)}' is not a peer ID.", e);
        }
    }

    public override string Format(ReadOnlySpan<byte> value) => PeerId.FromBytes(value).ToString();
}
