using System.Buffers;
using System.IO.Pipelines;
using Rx.Network.Muxing;
using Rx.Network.Resources;
using Rx.Network.Swarm;
using Rx.Network.Transports;

namespace Rx.Network.Mock.Peers;

/// <summary>
/// One end of a mock stream: bytes cross the link in chunks of at most
/// <see cref="MockNetworkOptions.ChunkSize"/>, within a receive window of
/// <see cref="MockNetworkOptions.StreamWindow"/> that the reader returns as it consumes (the
/// credit travels back over the link, as a yamux window update would).
/// </summary>
/// <remarks>
/// Semantics follow <see cref="IStream"/> and the yamux streams of the real stack: half-close,
/// reset from either side, end-to-end flow control, dispose = close for writing and stop reading.
/// Every waiter completes through the mock network's continuation options, so in virtual time an
/// awaiting reader resumes inline, at the instant its bytes arrive.
/// </remarks>
internal sealed partial class MockStream : IStream, IMuxedStream, IResourceScoped
{
    private readonly MockConnection connection;
    // Made on first use, as the writers' queue: most streams of a flood are never awaited whole
    // and never see two writers.
    private TaskCompletionSource? completion;
    // Locked on (private, never handed out) rather than a Lock of its own: a flood opens
    // millions of streams, and a Lock is 40 bytes and an object more each.
    private readonly Queue<Chunk> received = new();
    private Queue<TaskCompletionSource>? writers;
    private TaskCompletionSource? readSignal;
    private TaskCompletionSource? creditSignal;
    private long sendCredit;
    private long unreturnedCredit;
    private bool remoteFin;
    private bool localFin;
    private bool readClosed;
    private bool writing;
    private bool finished;
    private Exception? failure;
    private StreamPipe? pipe;
    private string? name;
    private IObservable<ReadOnlyMemory<byte>>? incomingBytes;

    /// <summary>The stream's reservations in its peer's resource manager, released when it ends.</summary>
    public StreamScope? Resources { get; init; }

    /// <summary>Resets the stream; the mock carries no reset codes on the link.</summary>
    /// <param name="code">Ignored.</param>
    public void Reset(uint code) => Reset();

    public MockStream(MockConnection connection, uint id, string protocol, Direction direction)
    {
        this.connection = connection;
        StreamId = id;
        Protocol = protocol;
        Direction = direction;
        sendCredit = connection.Network.Options.StreamWindow;
    }

    // Formatted on first read: most streams of a simulation are never named.
    public string Id => name ??= $"{connection.Id}/{StreamId}";

    public uint StreamId { get; }

    public string Protocol { get; }

    public IConnection Connection => connection;

    public Direction Direction { get; }

    public bool IsOutbound => Direction == Direction.Outbound;

    public Task Completion
    {
        get
        {
            lock (received)
            {
                if (completion is null)
                {
                    completion = new TaskCompletionSource(connection.Network.ContinuationOptions);
                    if (finished)
                    {
                        completion.TrySetResult();
                    }
                    else if (failure is not null)
                    {
                        Complete(completion, failure);
                    }
                }

                return completion.Task;
            }
        }
    }

    // Made on first read, once (it admits one subscriber at a time): most streams are read directly.
    public IObservable<ReadOnlyMemory<byte>> Incoming =>
        Volatile.Read(ref incomingBytes) ?? Interlocked.CompareExchange(ref incomingBytes, IncomingBytes.Of(this), null) ?? incomingBytes;

    public Stream AsStream() => new DuplexStream(this, DisposeAsync, connection.Network.Work.Tasks);

    public IDuplexPipe AsPipe()
    {
        // The pipe ends the stream itself once its pumps are done (see DisposeAsync).
        var created = new StreamPipe(this, DisposeCoreAsync);
        Volatile.Write(ref pipe, created);
        return created;
    }

    public void Reset()
    {
        if (Fail(new StreamResetException(remote: false)))
        {
            SendControl(remote => remote.FindStream(StreamId)?.Fail(new StreamResetException(remote: true)));
        }
    }

    public ValueTask DisposeAsync()
    {
        // With a pipe as the stream's view, bytes written to it may still be on their way to the
        // stream: the pipe finishes them, sends the FIN and then disposes the stream.
        if (Volatile.Read(ref pipe) is { } active)
        {
            active.Close();
            return ValueTask.CompletedTask;
        }

        return DisposeCoreAsync();
    }

    private async ValueTask DisposeCoreAsync()
    {
        Chunk[] dropped;
        int droppedBytes;
        bool writeInProgress;
        lock (received)
        {
            readClosed = true;
            writeInProgress = writing;
            (dropped, droppedBytes) = TakeReceived();
        }

        Release(dropped);
        ReturnCredit(droppedBytes, force: true);
        if (writeInProgress)
        {
            // As yamux: a FIN cannot follow a write not yet accepted (one waiting for credit a
            // peer that stopped reading never gives would hold the close for good): reset.
            Reset();
            return;
        }
        try
        {
            await CloseWriteAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception) when (Volatile.Read(ref failure) is not null)
        {
            // Already reset or failed: nothing left to close.
        }
    }

    public override string ToString() => $"{Id} {Protocol} ({Direction})";

    /// <summary>Fails the stream (reset, or its connection closed); false when it had already ended.</summary>
    internal bool Fail(Exception error)
    {
        TaskCompletionSource? reader;
        TaskCompletionSource? credit;
        TaskCompletionSource[] waitingWriters;
        Chunk[] dropped;
        lock (received)
        {
            if (failure is not null || finished)
            {
                return false;
            }

            failure = error;
            (reader, readSignal) = (readSignal, null);
            (credit, creditSignal) = (creditSignal, null);
            waitingWriters = writers is null ? [] : [.. writers];
            writers?.Clear();
            (dropped, _) = TakeReceived();
        }

        Release(dropped);
        reader?.TrySetResult();
        credit?.TrySetResult();
        foreach (var writer in waitingWriters)
        {
            writer.TrySetResult();
        }

        connection.OnStreamEnded(this, error);
        if (Awaited() is { } awaited)
        {
            Complete(awaited, error);
        }

        return true;
    }

    private static void Complete(TaskCompletionSource completion, Exception error)
    {
        completion.TrySetException(error);
        _ = completion.Task.Exception;
    }

    private TaskCompletionSource? Awaited()
    {
        lock (received)
        {
            return completion;
        }
    }

    /// <summary>Data arrived from the remote end.</summary>
    internal void OnData(byte[] buffer, int count)
    {
        TaskCompletionSource? reader;
        bool drop;
        lock (received)
        {
            drop = failure is not null || readClosed;
            if (!drop)
            {
                received.Enqueue(new Chunk(buffer, count));
            }

            reader = null;
            if (!drop)
            {
                (reader, readSignal) = (readSignal, null);
            }
        }

        if (drop)
        {
            ArrayPool<byte>.Shared.Return(buffer);

            // Unread data still frees the sender's window, or a writer to a closed reader would hang.
            ReturnCredit(count, force: true);
            return;
        }

        reader?.TrySetResult();
    }

    /// <summary>The remote end returned window credit.</summary>
    internal void OnCredit(long delta)
    {
        TaskCompletionSource? waiter;
        lock (received)
        {
            sendCredit += delta;
            (waiter, creditSignal) = (creditSignal, null);
        }

        waiter?.TrySetResult();
    }

    /// <summary>The remote end closed its direction.</summary>
    internal void OnFin()
    {
        TaskCompletionSource? reader;
        lock (received)
        {
            remoteFin = true;
            (reader, readSignal) = (readSignal, null);
        }

        // Finished first: in virtual time the reader resumes inline, and what it does next (dispose
        // the stream, close the connection) must find the stream ended cleanly, as on the real stack.
        TryFinish();
        reader?.TrySetResult();
    }

    private void SendFin()
    {
        SendControl(remote => remote.FindStream(StreamId)?.OnFin());
        TryFinish();
    }

    private void TryFinish()
    {
        lock (received)
        {
            if (finished || failure is not null || !localFin || !remoteFin)
            {
                return;
            }

            finished = true;
        }

        connection.OnStreamEnded(this, null);
        Awaited()?.TrySetResult();
    }

    private void SendControl(Action<MockConnection> atRemote) =>
        connection.Pair.Send(connection, kind: null, Protocol, 0, atRemote, lost: null);

    private static void Release(Chunk[] chunks)
    {
        foreach (var chunk in chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk.Buffer);
        }
    }

    private readonly record struct Chunk(byte[] Buffer, int Count);
}
