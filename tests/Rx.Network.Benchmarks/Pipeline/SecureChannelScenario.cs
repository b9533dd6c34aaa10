using System.Threading.Tasks.Dataflow;
using Rx.Network.Benchmarks.Support;
using Rx.Network.Encoding;
using Rx.Network.Security;

namespace Rx.Network.Benchmarks.Pipeline;

/// <summary>
/// A secure channel pair over in-memory pipes, without a muxer: 64 KiB pooled chunks posted to
/// one end's output, drained from the other end's input as the yamux read loop does.
/// </summary>
internal sealed class SecureChannelScenario(ISecureChannel sender, ISecureChannel receiver) : ITransferScenario
{
    private readonly byte[] chunk = Payload.CreateChunk();

    public Task TransferAsync(long bytes) => Task.WhenAll(WriteAsync(bytes), ReadAsync(bytes));

    public async ValueTask DisposeAsync()
    {
        sender.Output.Complete();
        receiver.Output.Complete();
        await Task.WhenAll(sender.Completion, receiver.Completion).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    private async Task WriteAsync(long bytes)
    {
        for (long sent = 0; sent < bytes; sent += chunk.Length)
        {
            var buffer = PooledBuffer.CopyOf(chunk);
            if (!await sender.Output.SendAsync(buffer).ConfigureAwait(false))
            {
                buffer.Return();
                throw new IOException("The channel closed.");
            }
        }
    }

    private async Task ReadAsync(long bytes)
    {
        var input = (IReceivableSourceBlock<PooledBuffer>)receiver.Input;
        long received = 0;
        while (received < bytes)
        {
            if (!await input.OutputAvailableAsync().ConfigureAwait(false))
            {
                throw new IOException("The channel closed.");
            }

            while (received < bytes && input.TryReceive(out var plaintext))
            {
                received += plaintext.Length;
                plaintext.Return();
            }
        }
    }
}
