using System.Reactive.Linq;
using System.Runtime.CompilerServices;
using Rx.Network.Muxing;

namespace Rx.Network.Swarm;

/// <summary>The <see cref="IStream"/> of a swarm connection: a muxed stream with its negotiated protocol.</summary>
internal sealed class SwarmStream : IStream
{
    /// <summary>Size of the buffer behind each <see cref="Incoming"/> read.</summary>
    private const int IncomingChunk = 16 * 1024;

    private readonly IMuxedStream inner;
    private readonly SwarmConnection connection;
    private int incomingSubscribed;

    public SwarmStream(IMuxedStream inner, SwarmConnection connection, string protocol)
    {
        this.inner = inner;
        this.connection = connection;
        Protocol = protocol;
        Id = $"{connection.Id}/{inner.StreamId}";
        Incoming = Observable.Create<ReadOnlyMemory<byte>>(ReadIncomingAsync);
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
    public Stream AsStream() => new MuxedStreamAdapter(inner, DisposeAsync);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => inner.DisposeAsync();

    /// <inheritdoc/>
    public override string ToString() => $"{Id} {Protocol} ({Direction})";

    private async Task ReadIncomingAsync(IObserver<ReadOnlyMemory<byte>> observer, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref incomingSubscribed, 1) == 1)
        {
            observer.OnError(new InvalidOperationException("Incoming allows one subscriber at a time."));
            return;
        }

        try
        {
            var buffer = new byte[IncomingChunk];
            while (true)
            {
                int read = await ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    observer.OnCompleted();
                    return;
                }

                observer.OnNext(buffer.AsSpan(0, read).ToArray());
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The subscriber left; the stream stays open.
        }
        catch (Exception e)
        {
            observer.OnError(e);
        }
        finally
        {
            Volatile.Write(ref incomingSubscribed, 0);
        }
    }
}
