using BenchmarkDotNet.Attributes;
using Rx.Network.Addressing;
using Rx.Network.Encoding;
using Rx.Network.Identity;

namespace Rx.Network.Benchmarks.Micro;

/// <summary>
/// Parsing and encoding on the connection-setup path: varints (every length prefix), multiaddrs
/// (every dial and listen), peer IDs (every address with /p2p, every handshake).
/// </summary>
public class EncodingBenchmarks
{
    // One value of each common varint length: 1, 2, 3 and 5 bytes.
    private static readonly ulong[] VarintValues = [1, 300, (1 << 21) + 1, 1UL << 35];

    private readonly byte[] varintBuffer = new byte[64];
    private byte[] encodedVarints = [];
    private string multiaddrText = "";
    private byte[] multiaddrBytes = [];
    private string peerIdText = "";

    [GlobalSetup]
    public void Setup()
    {
        var encoded = new List<byte>();
        foreach (var value in VarintValues)
        {
            encoded.AddRange(Varint.Encode(value));
        }

        encodedVarints = [.. encoded];
        using var key = PrivateKey.FromSeed(new byte[32]);
        var peer = PeerId.FromPublicKey(key.PublicKey);
        peerIdText = peer.ToString();
        multiaddrText = $"/ip4/127.0.0.1/tcp/4001/p2p/{peerIdText}";
        multiaddrBytes = Multiaddr.Parse(multiaddrText).ToBytes();
    }

    /// <summary>Writes four varints (1, 2, 3 and 5 bytes long).</summary>
    [Benchmark(Description = "Varint.Write x4")]
    public int VarintWrite()
    {
        var span = varintBuffer.AsSpan();
        int written = 0;
        foreach (var value in VarintValues)
        {
            written += Varint.Write(span[written..], value);
        }

        return written;
    }

    /// <summary>Reads the same four varints back.</summary>
    [Benchmark(Description = "Varint.TryRead x4")]
    public ulong VarintRead()
    {
        ReadOnlySpan<byte> source = encodedVarints;
        ulong sum = 0;
        while (!source.IsEmpty)
        {
            Varint.TryRead(source, out var value, out int read);
            sum += value;
            source = source[read..];
        }

        return sum;
    }

    [Benchmark(Description = "Multiaddr.Parse /ip4/tcp/p2p")]
    public Multiaddr MultiaddrParse() => Multiaddr.Parse(multiaddrText);

    [Benchmark(Description = "Multiaddr.FromBytes /ip4/tcp/p2p")]
    public Multiaddr MultiaddrFromBytes() => Multiaddr.FromBytes(multiaddrBytes);

    [Benchmark(Description = "PeerId.Parse (Ed25519, base58)")]
    public PeerId PeerIdParse() => PeerId.Parse(peerIdText);
}
