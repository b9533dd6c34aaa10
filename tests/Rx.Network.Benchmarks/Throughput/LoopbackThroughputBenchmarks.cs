using BenchmarkDotNet.Attributes;
using Rx.Network.Benchmarks.Support;

namespace Rx.Network.Benchmarks.Throughput;

/// <summary>
/// One stream, 64 MiB per operation, one way over loopback TCP: a raw socket copy (the baseline),
/// then the whole stack with plaintext and with Noise under yamux. Connections are set up once;
/// each operation is steady-state traffic.
/// </summary>
public class LoopbackThroughputBenchmarks
{
    private ITransferScenario scenario = null!;

    [GlobalSetup(Target = nameof(RawTcp))]
    public void SetupRawTcp() => scenario = RawTcpScenario.StartAsync().GetAwaiter().GetResult();

    [GlobalSetup(Target = nameof(PlaintextYamux))]
    public void SetupPlaintext() => scenario = NetworkScenario.StartAsync(SecurityProtocol.Plaintext).GetAwaiter().GetResult();

    [GlobalSetup(Target = nameof(NoiseYamux))]
    public void SetupNoise() => scenario = NetworkScenario.StartAsync(SecurityProtocol.Noise).GetAwaiter().GetResult();

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
}
