namespace Rx.Network.Security;

/// <summary>Buffer bounds of one secured connection's pipeline. Every bound is finite by design.</summary>
internal sealed record SecureChannelOptions
{
    /// <summary>The defaults: 16 inbound chunks, 4 outbound chunks, flush every 1 MiB.</summary>
    public static SecureChannelOptions Default { get; } = new();

    /// <summary>
    /// Decrypted chunks (each at most one frame, ≤ 64 KiB) waiting for the muxer. When full, the
    /// receive loop stops reading the socket and TCP's own window pushes back on the remote.
    /// Default 16 (≤ 1 MiB).
    /// </summary>
    public int InputCapacity { get; init; } = 16;

    /// <summary>
    /// Plaintext chunks waiting to be framed and sent; a full queue makes writers wait. Default 4
    /// (≤ 256 KiB of bulk frames): with the socket's own 1 MiB send buffer behind it, a deeper
    /// queue adds no throughput, only pooled buffers in flight (at 64, a bulk transfer held more
    /// 32 KiB arrays than <c>ArrayPool&lt;byte&gt;.Shared</c> keeps, so most frames allocated a fresh
    /// array) and latency: every chunk queued here is ahead of a frame the muxer's writer puts first
    /// (a ping beside a bulk upload waited a median 1.6–1.9 ms at 16, 0.8–1.0 ms at 4, with the same
    /// throughput; docs/benchmarks.md "Session 11, head-of-line").
    /// </summary>
    public int OutputCapacity { get; init; } = 4;

    /// <summary>
    /// The most framed bytes the seal stage stages before flushing to the socket, so coalescing
    /// never holds more than this. The stage also flushes whenever its queue runs empty, so this
    /// only sizes the socket sends of a bulk transfer. Default 1 MiB, the TCP send buffer's
    /// default bound: measured against 256 KiB, 5-6 % less CPU per byte and more throughput,
    /// from fewer and larger gathering sends (docs/benchmarks.md).
    /// </summary>
    public int MaxFlushBytes { get; init; } = 1024 * 1024;
}
