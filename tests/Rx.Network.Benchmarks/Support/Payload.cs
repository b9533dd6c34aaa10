namespace Rx.Network.Benchmarks.Support;

/// <summary>Sizes shared by the throughput benchmarks and the probe.</summary>
public static class Payload
{
    /// <summary>Bytes moved per throughput operation: 64 MiB.</summary>
    public const int TransferSize = 64 * 1024 * 1024;

    /// <summary>Bytes per write and per read buffer: 64 KiB, as a typical bulk copy uses.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>
    /// One chunk of incompressible-looking data that writers send over and over (its content does
    /// not matter to any layer, but zeros would flatter nothing here either).
    /// </summary>
    public static byte[] CreateChunk()
    {
        var chunk = new byte[ChunkSize];
        new Random(42).NextBytes(chunk);
        return chunk;
    }
}
