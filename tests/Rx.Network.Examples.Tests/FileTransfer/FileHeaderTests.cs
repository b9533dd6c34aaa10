using System.Security.Cryptography;
using CsCheck;
using Rx.Network.Examples.FileTransfer;
using Rx.Network.Examples.Tests.Fixture;

namespace Rx.Network.Examples.Tests.FileTransfer;

public sealed class FileHeaderTests
{
    private static readonly Gen<string> Names = Gen.Char["abcXYZ019 ._-/\\éß€中"].Array[1, 80].Select(chars => new string(chars));

    private static readonly Gen<FileHeader> Headers =
        Names.Select(Gen.Long[0, long.MaxValue], Gen.Byte.Array[FileHeader.Sha256Length])
            .Select((name, size, sha) => new FileHeader(name, size, sha));

    [Fact]
    public void Decode_OfEncode_RoundTrips()
    {
        Headers.Sample(header =>
        {
            var decoded = FileHeader.Decode(header.Encode());

            Assert.Equal(header.Name, decoded.Name);
            Assert.Equal(header.Size, decoded.Size);
            Assert.Equal(header.Sha256.ToArray(), decoded.Sha256.ToArray());
            Assert.InRange(header.Encode().Length, 0, FileHeader.MaxEncodedLength);
        });
    }

    [Fact]
    public void Decode_TruncatedOrMutatedHeader_ThrowsOnlyProtocolViolation()
    {
        Headers.Select(Gen.Int[0, 400], Gen.Byte).Sample((header, position, value) =>
        {
            var bytes = header.Encode();
            var truncated = bytes[..Math.Min(position, bytes.Length - 1)];
            var mutated = (byte[])bytes.Clone();
            mutated[position % mutated.Length] ^= (byte)(value | 1);

            Assert.Throws<WireProtocolViolationException>(() => FileHeader.Decode(truncated));
            AcceptOrProtocolViolation(mutated);
        });
    }

    [Fact]
    public void Decode_RandomBytes_ThrowsOnlyProtocolViolation()
    {
        Gen.Byte.Array[0, 80].Sample(AcceptOrProtocolViolation);
    }

    [Theory]
    [InlineData(new byte[] { 0 })]
    [InlineData(new byte[] { 0x80, 0x02 })]
    [InlineData(new byte[] { 1, 0xFF, 0 })]
    public void Decode_BadName_ThrowsProtocolViolation(byte[] prefix)
    {
        byte[] bytes = [.. prefix, .. new byte[FileHeader.Sha256Length]];

        Assert.Throws<WireProtocolViolationException>(() => FileHeader.Decode(bytes));
    }

    [Fact]
    public void Decode_TrailingBytes_ThrowsProtocolViolation()
    {
        byte[] bytes = [.. new FileHeader("a", 1, new byte[32]).Encode(), 0];

        Assert.Throws<WireProtocolViolationException>(() => FileHeader.Decode(bytes));
    }

    [Fact]
    public async Task FromFileAsync_HashesTheContent_AndKeepsOnlyTheFileName()
    {
        using var directory = new TemporaryDirectory();
        Directory.CreateDirectory(directory["nested"]);
        var content = RandomNumberGenerator.GetBytes(100_000);
        var path = Path.Combine(directory["nested"], "data.bin");
        await File.WriteAllBytesAsync(path, content);

        var header = await FileHeader.FromFileAsync(path);

        Assert.Equal("data.bin", header.Name);
        Assert.Equal(content.Length, header.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), header.Sha256Hex);
        Assert.Contains(header.Sha256Hex, header.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_AndFromFileAsync_CheckArguments()
    {
        var sha = new byte[FileHeader.Sha256Length];
        Assert.Throws<ArgumentNullException>(() => new FileHeader(null!, 0, sha));
        Assert.Throws<ArgumentException>(() => new FileHeader("", 0, sha));
        Assert.Throws<ArgumentException>(() => new FileHeader(new string('é', 128), 0, sha));
        Assert.Throws<ArgumentException>(() => new FileHeader("lone \uDC00", 0, sha));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FileHeader("a", -1, sha));
        Assert.Throws<ArgumentException>(() => new FileHeader("a", 0, new byte[31]));
        Assert.Equal(255, new FileHeader(new string('a', FileHeader.MaxNameBytes), 0, sha).Name.Length);
        await Assert.ThrowsAsync<ArgumentNullException>(() => FileHeader.FromFileAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => FileHeader.FromFileAsync(""));
    }

    private static void AcceptOrProtocolViolation(byte[] bytes)
    {
        try
        {
            var header = FileHeader.Decode(bytes);
            Assert.InRange(header.Size, 0, long.MaxValue);
        }
        catch (WireProtocolViolationException)
        {
            // Expected for most malformed input; any other exception type fails the test.
        }
    }
}
