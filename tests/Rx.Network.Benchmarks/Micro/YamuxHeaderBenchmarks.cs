using BenchmarkDotNet.Attributes;
using Rx.Network.Muxing;

namespace Rx.Network.Benchmarks.Micro;

/// <summary>The 12-byte yamux header, written and parsed once per frame in each direction.</summary>
public class YamuxHeaderBenchmarks
{
    private readonly byte[] buffer = new byte[YamuxHeader.Size];
    private readonly YamuxHeader header = YamuxHeader.Data(3, 16 * 1024);

    [GlobalSetup]
    public void Setup() => header.WriteTo(buffer);

    [Benchmark(Description = "YamuxHeader.WriteTo")]
    public byte WriteTo()
    {
        header.WriteTo(buffer);
        return buffer[11];
    }

    [Benchmark(Description = "YamuxHeader.TryRead")]
    public uint TryRead()
    {
        YamuxHeader.TryRead(buffer, out var parsed);
        return parsed.Length;
    }
}
