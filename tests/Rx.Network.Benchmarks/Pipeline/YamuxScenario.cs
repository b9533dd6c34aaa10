using Rx.Network.Benchmarks.Support;
using Rx.Network.Muxing;
using Rx.Network.Transports;

namespace Rx.Network.Benchmarks.Pipeline;

/// <summary>
/// Two yamux sessions over a given channel pair and one stream between them: 64 KiB writes on one
/// end, 64 KiB reads on the other. Over <see cref="InMemoryDuplexChannel"/> this is yamux alone;
/// over secure channels on in-memory pipes it is the whole connection stack without sockets.
/// </summary>
internal sealed class YamuxScenario : ITransferScenario
{
    private readonly YamuxSession dialer;
    private readonly YamuxSession listener;
    private readonly YamuxStream outbound;
    private readonly YamuxStream inbound;
    private readonly byte[] chunk = Payload.CreateChunk();
    private readonly byte[] readBuffer = new byte[Payload.ChunkSize];

    private YamuxScenario(YamuxSession dialer, YamuxSession listener, YamuxStream outbound, YamuxStream inbound)
    {
        this.dialer = dialer;
        this.listener = listener;
        this.outbound = outbound;
        this.inbound = inbound;
    }

    public static async Task<YamuxScenario> StartAsync(IDuplexChannel a, IDuplexChannel b, YamuxOptions? options = null)
    {
        var dialer = new YamuxSession(a, isInitiator: true, options);
        var listener = new YamuxSession(b, isInitiator: false, options);
        var outbound = await dialer.OpenStreamAsync().ConfigureAwait(false);
        var inbound = await listener.AcceptAsync().ConfigureAwait(false);
        return new YamuxScenario(dialer, listener, outbound, inbound);
    }

    public Task TransferAsync(long bytes) => Task.WhenAll(WriteAsync(bytes), ReadAsync(bytes));

    public async ValueTask DisposeAsync()
    {
        await outbound.DisposeAsync().ConfigureAwait(false);
        await inbound.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(dialer.CloseAsync(), listener.CloseAsync()).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    private async Task WriteAsync(long bytes)
    {
        for (long sent = 0; sent < bytes; sent += chunk.Length)
        {
            await outbound.WriteAsync(chunk).ConfigureAwait(false);
        }
    }

    private async Task ReadAsync(long bytes)
    {
        long received = 0;
        while (received < bytes)
        {
            int read = await inbound.ReadAsync(readBuffer).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("The stream ended early.");
            }

            received += read;
        }
    }
}
