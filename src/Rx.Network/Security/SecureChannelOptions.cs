namespace Rx.Network.Security;

/// <summary>Buffer bounds of one secured connection's pipeline. Every bound is finite by design.</summary>
internal sealed record SecureChannelOptions
{
    /// <summary>The defaults: 16 inbound chunks, 16 outbound chunks, flush every 1 MiB.</summary>
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
    /// The most framed bytes the seal stage stages before flushing to the socket, so coalescing
    /// never holds more than this. The stage also flushes whenever its queue runs empty, so this
    /// only sizes the socket sends of a bulk transfer. Default 1 MiB, the TCP send buffer's
    /// default bound: measured against 256 KiB, 5-6 % less CPU per byte and more throughput,
    /// from fewer and larger gathering sends (docs/benchmarks.md).
    /// </summary>
    public int MaxFlushBytes { get; init; } = 1024 * 1024;
}
