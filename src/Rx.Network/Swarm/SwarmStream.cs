using System.IO.Pipelines;
using System.Reactive.Linq;
using System.Runtime.CompilerServices;
using Rx.Network.Muxing;
using Rx.Network.Resources;
using Rx.Network.Transports;

namespace Rx.Network.Swarm;

/// <summary>
/// The <see cref="IStream"/> of a swarm connection: a muxed stream with its negotiated protocol.
/// It is a muxed stream itself, so that the <see cref="AsStream"/> and <see cref="AsPipe"/>
/// adapters read and write through it and its bytes are counted in the metrics like direct calls.
/// </summary>
internal sealed class SwarmStream : IStream, IMuxedStream, IResourceScoped
{
    private readonly IMuxedStream inner;
    private readonly SwarmConnection connection;
    private StreamPipe? pipe;

    public SwarmStream(IMuxedStream inner, SwarmConnection connection, string protocol)
    {
        this.inner = inner;
        this.connection = connection;
        Protocol = protocol;
        Id = $"{connection.Id}/{inner.StreamId}";
        Incoming = IncomingBytes.Of(this);
    }

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public string Protocol { get; }

    /// <inheritdoc/>
    public IConnection Connection => connection;

    /// <inheritdoc/>
    public Direction Direction => inner.IsOutbound ? Direction.Outbound : Direction.Inbound;

    /// <inheritdoc/>
    public Task Completion => inner.Completion;

    /// <inheritdoc/>
    public IObservable<ReadOnlyMemory<byte>> Incoming { get; }

    internal IMuxedStream Inner => inner;

    /// <inheritdoc/>
    uint IMuxedStream.StreamId => inner.StreamId;

    /// <inheritdoc/>
    bool IMuxedStream.IsOutbound => inner.IsOutbound;

    /// <inheritdoc/>
    public StreamScope? Resources => inner.Resources;

    /// <inheritdoc/>
    public void Reset(uint code) => inner.Reset(code);

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        connection.Metrics.BytesIn(read);
        return read;
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        connection.Metrics.BytesOut(buffer.Length);
    }

    /// <inheritdoc/>
    public ValueTask CloseWriteAsync(CancellationToken cancellationToken = default) => inner.CloseWriteAsync(cancellationToken);

    /// <inheritdoc/>
    public void Reset() => inner.Reset();

    /// <inheritdoc/>
    public Stream AsStream() => new DuplexStream(this, DisposeAsync, connection.Tasks);

    /// <inheritdoc/>
    public IDuplexPipe AsPipe()
    {
        // The pipe ends the stream itself once its pumps are done (see DisposeAsync).
        var created = new StreamPipe(this, inner.DisposeAsync);
        Volatile.Write(ref pipe, created);
        return created;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        // With a pipe as the stream's view, bytes written to it may still be on their way to the
        // stream: the pipe finishes them, sends the FIN and then disposes the stream.
        if (Volatile.Read(ref pipe) is { } active)
        {
            active.Close();
            return ValueTask.CompletedTask;
        }

        return inner.DisposeAsync();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Id} {Protocol} ({Direction})";
}
