using BenchmarkDotNet.Attributes;
using Rx.Network.Benchmarks.Support;
using Rx.Network.Muxing;

namespace Rx.Network.Benchmarks.Throughput;

/// <summary>
/// One stream, 64 MiB per operation, one way over loopback TCP: a raw socket copy (the baseline),
/// then the whole stack with plaintext and with Noise under yamux. Connections are set up once;
/// each operation is steady-state traffic.
/// </summary>
public class LoopbackThroughputBenchmarks
{
    /// <summary>
    /// A yamux frame size that fills one Noise message: 65506 payload + 12 header = 65518 bytes of
    /// Noise plaintext (at most 65519), 65536 bytes on the wire, one 64 KiB pipe segment.
    /// </summary>
    public const int NoiseSizedFrame = 65506;

    private ITransferScenario scenario = null!;

    [GlobalSetup(Target = nameof(RawTcp))]
    public void SetupRawTcp() => scenario = RawTcpScenario.StartAsync().GetAwaiter().GetResult();

    [GlobalSetup(Target = nameof(PlaintextYamux))]
    public void SetupPlaintext() => scenario = NetworkScenario.StartAsync(SecurityProtocol.Plaintext).GetAwaiter().GetResult();

    [GlobalSetup(Target = nameof(NoiseYamux))]
    public void SetupNoise() => scenario = NetworkScenario.StartAsync(SecurityProtocol.Noise).GetAwaiter().GetResult();

    [GlobalSetup(Target = nameof(NoiseYamuxLargeFrames))]
    public void SetupNoiseLargeFrames() => scenario = NetworkScenario
        .StartAsync(SecurityProtocol.Noise, new YamuxOptions { MaxFrameSize = NoiseSizedFrame })
        .GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => scenario.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "raw TCP socket copy")]
    [PayloadBytes(Payload.TransferSize)]
    public Task RawTcp() => scenario.TransferAsync(Payload.TransferSize);

    [Benchmark(Description = "plaintext + yamux")]
    [PayloadBytes(Payload.TransferSize)]
    public Task PlaintextYamux() => scenario.TransferAsync(Payload.TransferSize);

    [Benchmark(Description = "Noise + yamux")]
    [PayloadBytes(Payload.TransferSize)]
    public Task NoiseYamux() => scenario.TransferAsync(Payload.TransferSize);

    /// <summary>The same with yamux frames as large as a Noise message (the default is 16 KiB).</summary>
    [Benchmark(Description = "Noise + yamux, MaxFrameSize 65506")]
    [PayloadBytes(Payload.TransferSize)]
    public Task NoiseYamuxLargeFrames() => scenario.TransferAsync(Payload.TransferSize);
}
