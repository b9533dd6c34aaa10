using Rx.Network.Identity;

namespace Rx.Network.Security.Noise;

/// <summary>
/// A node's Noise static X25519 key, made once, with the handshake payload that binds it to the
/// node's identity (the identity key's signature over <c>noise-libp2p-static-key:</c> + the static
/// public key), signed once per muxer list rather than once per handshake.
/// </summary>
/// <remarks>
/// <para>Why one key per node is safe: the libp2p noise spec ("Static Key Authentication") only
/// asks that the static key be signed by the identity key in the handshake payload; it does not
/// ask for a fresh one per connection, and go-libp2p and js-libp2p both generate theirs once, at
/// construction. Forward secrecy of each session comes from the ephemeral keys (the <c>ee</c>
/// DH), which stay fresh per handshake; the static key only authenticates. What reuse changes is
/// exposure: the key lives (in a pinned array, <see cref="X25519KeyPair"/>) as long as the node, and a copy leaked from
/// the process, together with the signed payload every peer sees, would let its holder pass as this
/// node until the key changes (a restart), where a per-handshake key was worthless after its
/// handshake. Whoever can read this process's memory can read the identity key as well, so the
/// trade is the one go-libp2p and js-libp2p make. Measured saving (docs/benchmarks.md): one X25519 key generation
/// and one Ed25519 signature per side and handshake.</para>
/// <para>Thread safety: the key is only read, by any number of handshakes at once; the payload cache
/// is one immutable entry swapped atomically, so concurrent handshakes at worst sign twice.</para>
/// <para>Lifetime: the key lives as long as the node's security protocol, i.e. the network; it is
/// not disposed at shutdown because a handshake still in flight may be using it; the collector
/// frees its array with the network.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Lives as long as the network; in-flight handshakes may still use it at shutdown.")]
internal sealed class NoiseStaticKey
{
    private readonly PrivateKey identity;
    private PayloadEntry? cached;

    /// <summary>Creates a fresh static key for <paramref name="identity"/>.</summary>
    /// <param name="identity">The identity key that signs the static key; the caller keeps ownership.</param>
    /// <exception cref="ArgumentNullException"><paramref name="identity"/> is null.</exception>
    public NoiseStaticKey(PrivateKey identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        this.identity = identity;
        Key = X25519KeyPair.Create();
        PublicKey = Key.PublicKey.ToArray();
    }

    /// <summary>The X25519 key, owned by this object.</summary>
    public X25519KeyPair Key { get; }

    /// <summary>The raw 32-byte public half of <see cref="Key"/>.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The identity key that signs <see cref="Key"/>.</summary>
    public PrivateKey Identity => identity;

    /// <summary>Our signed handshake payload offering <paramref name="muxers"/>; built once per distinct list.</summary>
    /// <param name="muxers">The muxers to offer (already validated by the caller).</param>
    /// <returns>The payload bytes; shared, never to be modified.</returns>
    /// <exception cref="ArgumentException">The muxer list does not fit in a handshake message.</exception>
    public byte[] GetPayload(IReadOnlyList<string> muxers)
    {
        var entry = Volatile.Read(ref cached);
        if (entry is not null && SameMuxers(entry.Muxers, muxers))
        {
            return entry.Payload;
        }

        var payload = NoiseHandshake.BuildPayload(identity, PublicKey, muxers);
        Volatile.Write(ref cached, new PayloadEntry([.. muxers], payload));
        return payload;
    }

    private static bool SameMuxers(string[] cached, IReadOnlyList<string> muxers)
    {
        if (cached.Length != muxers.Count)
        {
            return false;
        }

        for (int i = 0; i < cached.Length; i++)
        {
            if (!string.Equals(cached[i], muxers[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private sealed record PayloadEntry(string[] Muxers, byte[] Payload);
}
