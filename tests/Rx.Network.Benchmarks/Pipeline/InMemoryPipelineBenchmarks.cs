using BenchmarkDotNet.Attributes;
using Rx.Network.Benchmarks.Support;
using Rx.Network.Transports;

namespace Rx.Network.Benchmarks.Pipeline;

/// <summary>
/// The connection layers without sockets, 64 MiB one way per operation: a bare pipe copy (the
/// baseline), the secure channel alone (pass-through and Noise), yamux alone over in-memory
/// Dataflow channels, and yamux over each secure channel. Set against the loopback benchmarks,
/// this separates the pipeline's cost from the kernel's.
/// </summary>
public class InMemoryPipelineBenchmarks
{
    private ITransferScenario scenario = null!;

    [GlobalSetup(Target = nameof(PipeCopy))]
    public void SetupPipe() => scenario = new PipeCopyScenario();

    [GlobalSetup(Target = nameof(SecureChannelPlaintext))]
    public void SetupPlaintextChannel()
    {
        var (a, b) = ChannelPairs.Plaintext();
        scenario = new SecureChannelScenario(a, b);
    }

    [GlobalSetup(Target = nameof(SecureChannelNoise))]
    public void SetupNoiseChannel()
    {
        var (a, b) = ChannelPairs.NoiseAsync().GetAwaiter().GetResult();
        scenario = new SecureChannelScenario(a, b);
    }

    [GlobalSetup(Target = nameof(YamuxInMemory))]
    public void SetupYamux()
    {
        var (a, b) = InMemoryDuplexChannel.CreatePair();
        scenario = YamuxScenario.StartAsync(a, b).GetAwaiter().GetResult();
    }

    [GlobalSetup(Target = nameof(PlaintextYamuxInMemory))]
    public void SetupPlaintextYamux()
    {
        var (a, b) = ChannelPairs.Plaintext();
        scenario = YamuxScenario.StartAsync(a, b).GetAwaiter().GetResult();
    }

    [GlobalSetup(Target = nameof(NoiseYamuxInMemory))]
    public void SetupNoiseYamux()
    {
        var (a, b) = ChannelPairs.NoiseAsync().GetAwaiter().GetResult();
        scenario = YamuxScenario.StartAsync(a, b).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => scenario.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "Pipe copy (1 MiB bound)")]
    [PayloadBytes(Payload.TransferSize)]
    public Task PipeCopy() => scenario.TransferAsync(Payload.TransferSize);

    [Benchmark(Description = "SecureChannel, pass-through")]
    [PayloadBytes(Payload.TransferSize)]
    public Task SecureChannelPlaintext() => scenario.TransferAsync(Payload.TransferSize);

    [Benchmark(Description = "SecureChannel, Noise")]
    [PayloadBytes(Payload.TransferSize)]
    public Task SecureChannelNoise() => scenario.TransferAsync(Payload.TransferSize);

    [Benchmark(Description = "yamux, in-memory channel")]
    [PayloadBytes(Payload.TransferSize)]
    public Task YamuxInMemory() => scenario.TransferAsync(Payload.TransferSize);

    [Benchmark(Description = "yamux over pass-through SecureChannel")]
    [PayloadBytes(Payload.TransferSize)]
    public Task PlaintextYamuxInMemory() => scenario.TransferAsync(Payload.TransferSize);

    [Benchmark(Description = "yamux over Noise SecureChannel")]
    [PayloadBytes(Payload.TransferSize)]
    public Task NoiseYamuxInMemory() => scenario.TransferAsync(Payload.TransferSize);
}
