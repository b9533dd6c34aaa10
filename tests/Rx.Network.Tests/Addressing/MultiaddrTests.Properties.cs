using CsCheck;
using Rx.Network.Addressing;
using Rx.Network.Encoding;

namespace Rx.Network.Tests.Addressing;

public sealed partial class MultiaddrTests
{
    private static readonly MultiaddrProtocol[] NoValue =
        [.. MultiaddrProtocol.All.Where(p => !p.HasValue)];

    private static readonly Gen<ushort> GenGroup = Gen.Frequency((3, Gen.Const((ushort)0)), (2, Gen.UShort));

    // Names mix ASCII host characters, '%' and ':' (legal in zones), and non-ASCII letters.
    private static readonly Gen<string> GenName = Gen.String[Gen.Char["abcxyz019.-_%:éü日"], 1, 24];

    private static readonly Gen<byte[]> GenPeerId = Gen.OneOf(
        Gen.Byte.Array[32].Select(d => (byte[])[0x12, 0x20, .. d]),
        Gen.Byte.Array[0, 42].Select(d => (byte[])[0x00, (byte)d.Length, .. d]));

    private static readonly Gen<byte[]> GenCertHash = Gen.Select(Gen.UInt[0, 0x3fff], Gen.Byte.Array[0, 64],
        (code, digest) => (byte[])[.. Varint.Encode(code), .. Varint.Encode((ulong)digest.Length), .. digest]);

    /// <summary>A component as (protocol, raw value), for protocols that can appear anywhere.</summary>
    private static readonly Gen<(MultiaddrProtocol Protocol, byte[] Raw)> GenComponent = Gen.OneOf(
        Gen.Byte.Array[4].Select(b => (MultiaddrProtocol.Ip4, b)),
        GenGroup.Array[8].Select(g => (MultiaddrProtocol.Ip6, g.SelectMany(x => (byte[])[(byte)(x >> 8), (byte)x]).ToArray())),
        Gen.Select(Gen.OneOf(MultiaddrProtocol.Tcp, MultiaddrProtocol.Udp, MultiaddrProtocol.Sctp, MultiaddrProtocol.Dccp), Gen.UShort,
            (p, port) => (p, (byte[])[(byte)(port >> 8), (byte)port])),
        Gen.Byte.Select(b => (MultiaddrProtocol.IpCidr, (byte[])[b])),
        Gen.Select(Gen.OneOf(MultiaddrProtocol.Dns, MultiaddrProtocol.Dns4, MultiaddrProtocol.Dns6, MultiaddrProtocol.DnsAddr,
                MultiaddrProtocol.Sni, MultiaddrProtocol.Ip6Zone, MultiaddrProtocol.Memory), GenName,
            (p, name) => (p, System.Text.Encoding.UTF8.GetBytes(name))),
        GenPeerId.Select(b => (MultiaddrProtocol.P2p, b)),
        GenCertHash.Select(b => (MultiaddrProtocol.CertHash, b)),
        Gen.OneOf(NoValue).Select(p => (p, Array.Empty<byte>())));

    private static readonly Gen<byte[]> GenUnixPath =
        Gen.String[Gen.Char["ab/.%2F é"], 1, 20].Select(s => "/" + s.Trim('/') + "x").Select(s => System.Text.Encoding.UTF8.GetBytes(s));

    /// <summary>The binary form of a random valid multiaddr, encoded independently of the library.</summary>
    private static readonly Gen<byte[]> GenValidBytes = Gen.Select(
        GenComponent.Array[0, 8],
        Gen.Frequency((4, Gen.Const((byte[]?)null)), (1, GenUnixPath.Select(b => (byte[]?)b))),
        (components, unix) =>
        {
            var bytes = new List<byte>();
            foreach (var (protocol, raw) in components)
            {
                Append(bytes, protocol, raw);
            }

            if (unix is not null)
            {
                Append(bytes, MultiaddrProtocol.Unix, unix);
            }

            return bytes.ToArray();
        });

    private static readonly Gen<string> GenValidText = GenValidBytes.Select(b => Multiaddr.FromBytes(b).ToString());

    [Fact]
    public void FromBytes_RandomValidAddress_RoundTripsThroughBytesAndText()
    {
        GenValidBytes.Sample(bytes =>
        {
            var address = Multiaddr.FromBytes(bytes);

            Assert.Equal(bytes, address.ToBytes());
            var text = address.ToString();
            var reparsed = Multiaddr.Parse(text);
            Assert.Equal(address, reparsed);
            Assert.Equal(text, reparsed.ToString());
            Assert.Equal(address.GetHashCode(), reparsed.GetHashCode());
            Assert.Equal(address, Multiaddr.FromComponents(address.Components));
            Assert.Equal(address.Components.Count, address.Protocols.Count);
        }, iter: 3000);
    }

    [Fact]
    public void Parse_RandomValidText_IsStable()
    {
        GenValidText.Sample(text =>
        {
            var address = Multiaddr.Parse(text);

            Assert.Equal(text, address.ToString());
            Assert.Equal(address, Multiaddr.FromBytes(address.Bytes.Span));
            Assert.Equal(address, Multiaddr.Parse(text + "/"));
        }, iter: 3000);
    }

    [Fact]
    public void Decapsulate_RandomSplit_UndoesEncapsulate()
    {
        Gen.Select(GenValidBytes, GenComponent.Array[1, 3]).Sample((bytes, tail) =>
        {
            var left = Multiaddr.FromBytes(bytes);
            if (left.Components.Count > 0 && left.Components[^1].Protocol.IsPath)
            {
                return;
            }

            var right = new List<byte>();
            foreach (var (protocol, raw) in tail)
            {
                Append(right, protocol, raw);
            }

            var rightAddress = Multiaddr.FromBytes(right.ToArray());
            var combined = left.Encapsulate(rightAddress);

            Assert.Equal([.. bytes, .. right], combined.ToBytes());
            Assert.Equal(left, combined.Decapsulate(rightAddress));
        }, iter: 1000);
    }

    [Fact]
    public void FromBytes_RandomBytes_OnlyThrowsFormatException()
    {
        Gen.Byte.Array[0, 80].Sample(bytes => CheckBytes(bytes), iter: 20000);
    }

    [Fact]
    public void FromBytes_TruncatedValidAddress_OnlyThrowsFormatException()
    {
        Gen.Select(GenValidBytes, Gen.Int[0, 1000]).Sample((bytes, cut) =>
        {
            CheckBytes(bytes.AsSpan(0, bytes.Length == 0 ? 0 : cut % bytes.Length).ToArray());
        }, iter: 5000);
    }

    [Fact]
    public void FromBytes_MutatedValidAddress_OnlyThrowsFormatException()
    {
        Gen.Select(GenValidBytes.Where(b => b.Length > 0), Gen.Int[0, 1000], Gen.Byte, Gen.Int[0, 3]).Sample((bytes, at, value, kind) =>
        {
            int i = at % bytes.Length;
            byte[] mutated = kind switch
            {
                0 => [.. bytes[..i], value, .. bytes[(i + 1)..]],
                1 => [.. bytes[..i], value, .. bytes[i..]],
                2 => [.. bytes[..i], .. bytes[(i + 1)..]],
                _ => [.. bytes[..i], (byte)(bytes[i] ^ (1 << (value % 8))), .. bytes[(i + 1)..]],
            };

            CheckBytes(mutated);
        }, iter: 10000);
    }

    [Fact]
    public void Parse_RandomText_OnlyThrowsFormatException()
    {
        var gen = Gen.OneOf(
            Gen.String[0, 60],
            Gen.String[Gen.Char["/ip46tcudnsp2:.%0123456789abcdefx-"], 0, 60],
            Gen.Select(Gen.OneOf([.. MultiaddrProtocol.All.SelectMany(p => p.Aliases.Prepend(p.Name))]),
                Gen.String[Gen.Char["/:.%0123456789abcdefABCDEFQmz-"], 0, 50], (name, value) => "/" + name + "/" + value));
        gen.Sample(text => CheckText(text), iter: 20000);
    }

    [Fact]
    public void Parse_MutatedValidText_OnlyThrowsFormatException()
    {
        Gen.Select(GenValidText.Where(t => t.Length > 1), Gen.Int[0, 1000], Gen.Char["/:.%0aZ9-\ud800 "], Gen.Int[0, 2]).Sample((text, at, c, kind) =>
        {
            int i = at % text.Length;
            string mutated = kind switch
            {
                0 => string.Concat(text.AsSpan(0, i), c.ToString(), text.AsSpan(i + 1)),
                1 => text.Insert(i, c.ToString()),
                _ => text.Remove(i, 1),
            };

            CheckText(mutated);
        }, iter: 10000);
    }

    private static void CheckBytes(byte[] bytes)
    {
        Multiaddr address;
        try
        {
            address = Multiaddr.FromBytes(bytes);
        }
        catch (Exception e)
        {
            Assert.IsType<WireProtocolViolationException>(e);
            Assert.False(Multiaddr.TryFromBytes(bytes, out _));
            return;
        }

        // Whatever is accepted survives both round trips unchanged.
        Assert.Equal(bytes, address.ToBytes());
        Assert.Equal(address, Multiaddr.Parse(address.ToString()));
    }

    private static void CheckText(string text)
    {
        Multiaddr address;
        try
        {
            address = Multiaddr.Parse(text);
        }
        catch (Exception e)
        {
            Assert.IsAssignableFrom<FormatException>(e);
            Assert.False(Multiaddr.TryParse(text, out _));
            return;
        }

        Assert.Equal(address, Multiaddr.FromBytes(address.Bytes.Span));
        Assert.Equal(address.ToString(), Multiaddr.Parse(address.ToString()).ToString());
    }

    private static void Append(List<byte> bytes, MultiaddrProtocol protocol, byte[] raw)
    {
        bytes.AddRange(Varint.Encode((ulong)protocol.Code));
        if (protocol.IsVariableSize)
        {
            bytes.AddRange(Varint.Encode((ulong)raw.Length));
        }

        bytes.AddRange(raw);
    }
}
