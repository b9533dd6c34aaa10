namespace Rx.Network.Benchmarks.Support;

/// <summary>
/// The payload one invocation of a benchmark moves, so the summary can show MB/s and bytes
/// allocated per KiB of payload next to BenchmarkDotNet's own columns.
/// </summary>
/// <param name="bytes">Payload bytes per operation.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class PayloadBytesAttribute(long bytes) : Attribute
{
    /// <summary>Payload bytes per operation.</summary>
    public long Bytes { get; } = bytes;
}
