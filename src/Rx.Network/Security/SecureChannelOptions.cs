namespace Rx.Network.Security;

/// <summary>Buffer bounds of one secured connection's pipeline. Every bound is finite by design.</summary>
internal sealed record SecureChannelOptions
{
    /// <summary>The defaults: 16 inbound chunks, 16 outbound chunks, flush every 256 KiB.</summary>
    public static SecureChannelOptions Default { get; } = new();

    /// <summary>
    /// Decrypted chunks (each at most one frame, ≤ 64 KiB) waiting for the muxer. When full, the
    /// receive loop stops reading the socket and TCP's own window pushes back on the remote.
    /// Default 16 (≤ 1 MiB).
    /// </summary>
    public int InputCapacity { get; init; } = 16;

    /// <summary>
    /// Plaintext chunks waiting to be framed and sent; a full queue makes writers wait. Default 16:
    /// with the socket's own 1 MiB send buffer behind it, a deeper queue adds no throughput, only
    /// pooled buffers in flight (at 64, a bulk transfer held more 32 KiB arrays than
    /// <c>ArrayPool&lt;byte&gt;.Shared</c> keeps, so most frames allocated a fresh array; docs/benchmarks.md).
    /// </summary>
    public int OutputCapacity { get; init; } = 16;

    /// <summary>
    /// The most framed bytes the send loop stages before flushing to the socket, so coalescing
    /// never holds more than this. Default 256 KiB.
    /// </summary>
    public int MaxFlushBytes { get; init; } = 256 * 1024;
}
