using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Rx.Network.Addressing;
using Rx.Network.Transports;

namespace Rx.Network.Mock.Transport;

/// <summary>
/// One end of a mock connection: an <see cref="IRawConnection"/> whose bytes cross a
/// <see cref="MockLink"/>. What this end flushes is transmitted on the link and, when it arrives,
/// written into the other end's input pipe; arrivals are applied strictly in the order sent.
/// </summary>
/// <remarks>
/// Semantics follow <see cref="IRawConnection"/> (and TCP): completing the output is a half-close
/// the remote reads as the end of the stream; <see cref="Abort"/> resets, and the remote's input
/// fails with a <see cref="TransportException"/> (<see cref="SocketError.ConnectionReset"/>) when
/// the reset arrives; removing the link fails both ends at once.
/// </remarks>
internal sealed partial class MockConnection : IRawConnection
{
    private readonly object gate = new();
    private readonly MockLink link;
    private readonly int direction;
    private readonly Pipe inbound;
    private readonly Queue<(long Sequence, Arrival Item)> arriving = new();
    private MockConnection remote = null!;
    private long sequence;
    private bool inputEnded;
    private bool readerGone;
    private bool outputEnded;
    private bool closed;
    private Exception? failure;

    private MockConnection(MockLink link, int direction, Multiaddr local, Multiaddr remoteAddress, int bufferSize)
    {
        this.link = link;
        this.direction = direction;
        LocalAddress = local;
        RemoteAddress = remoteAddress;
        Credit = new ReceiveCredit(bufferSize);

        // Unbounded on its own: the sender's ReceiveCredit bounds what can be in it.
        inbound = new Pipe(new PipeOptions(
            readerScheduler: PipeScheduler.ThreadPool,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: 0,
            resumeWriterThreshold: 0,
            useSynchronizationContext: false));
    }

    /// <inheritdoc/>
    public IDuplexPipe Pipe { get; private set; } = null!;

    /// <inheritdoc/>
    public Multiaddr LocalAddress { get; }

    /// <inheritdoc/>
    public Multiaddr RemoteAddress { get; }

    /// <summary>Bytes sent to this end and not yet read.</summary>
    public ReceiveCredit Credit { get; }

    /// <summary>The link the connection crosses.</summary>
    public MockLink Link => link;

    /// <summary>Whether this end is done (closed, aborted, reset or severed).</summary>
    public bool IsClosed
    {
        get
        {
            lock (gate)
            {
                return closed;
            }
        }
    }

    /// <summary>Creates the two ends of a connection over <paramref name="link"/>.</summary>
    /// <param name="link">The link.</param>
    /// <param name="dialerDirection">The link direction the dialer sends on (0: A to B, 1: B to A).</param>
    /// <param name="dialerAddress">The dialer's address.</param>
    /// <param name="listenerAddress">The listener's address.</param>
    /// <param name="bufferSize">Bytes each direction may have unread before the sender waits.</param>
    public static (MockConnection Dialer, MockConnection Listener) CreatePair(
        MockLink link, int dialerDirection, Multiaddr dialerAddress, Multiaddr listenerAddress, int bufferSize)
    {
        var dialer = new MockConnection(link, dialerDirection, dialerAddress, listenerAddress, bufferSize);
        var listener = new MockConnection(link, 1 - dialerDirection, listenerAddress, dialerAddress, bufferSize);
        dialer.Connect(listener);
        listener.Connect(dialer);
        return (dialer, listener);
    }

    /// <inheritdoc/>
    public void Abort()
    {
        var error = new IOException($"The connection to {RemoteAddress} was closed locally.");
        bool transmit;
        lock (gate)
        {
            // Even after our half-close: the remote's writes must fail too, as after a TCP reset.
            transmit = failure is null;
            failure ??= error;
            outputEnded = true;
            EndInputLocked(failure);
            closed = true;
        }

        Credit.Unbound();
        remote.Credit.Fail(failure);
        if (transmit)
        {
            link.Transmit(direction, remote, Arrival.Reset);
        }

        link.Forget(this);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        // Graceful, as closing a socket: what was flushed still arrives, then the end of the stream.
        Pipe.Output.Complete();
        Pipe.Input.Complete();
        lock (gate)
        {
            closed = true;
        }

        link.Forget(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Transmits a flushed chunk.</summary>
    /// <exception cref="IOException">The connection was reset, aborted or severed.</exception>
    internal void Send(byte[] chunk)
    {
        lock (gate)
        {
            if (failure is not null)
            {
                throw new IOException(failure.Message, failure);
            }

            if (outputEnded)
            {
                throw new InvalidOperationException("The output was already completed.");
            }
        }

        remote.Credit.Add(chunk.Length);
        link.Transmit(direction, remote, chunk);
    }

    /// <summary>Transmits the end of our output (a half-close).</summary>
    internal void SendEnd()
    {
        lock (gate)
        {
            if (failure is not null || outputEnded)
            {
                return;
            }

            outputEnded = true;
        }

        link.Transmit(direction, remote, Arrival.End);
    }

    /// <summary>Queues an arrival (under the link's lock, which orders sequence numbers with schedule order).</summary>
    internal long Enqueue(Arrival item)
    {
        lock (gate)
        {
            long next = ++sequence;
            arriving.Enqueue((next, item));
            return next;
        }
    }

    /// <summary>Applies every queued arrival up to and including <paramref name="through"/>, in order.</summary>
    internal void DeliverThrough(long through)
    {
        lock (gate)
        {
            while (arriving.TryPeek(out var head) && head.Sequence <= through)
            {
                arriving.Dequeue();
                Apply(head.Item);
            }
        }
    }

    /// <summary>The link was removed: fails this end at once, without telling the remote (there is no way to).</summary>
    internal void Sever(Exception error)
    {
        lock (gate)
        {
            failure ??= error;
            outputEnded = true;
            arriving.Clear();
            EndInputLocked(failure);
            closed = true;
        }

        Credit.Unbound();
        remote.Credit.Fail(error);
    }

    private void Connect(MockConnection other)
    {
        remote = other;
        Pipe = new DuplexPipe(new CreditedPipeReader(inbound.Reader, Credit, OnReaderCompleted), new LinkPipeWriter(this, other.Credit));
    }

    private void Apply(Arrival item)
    {
        switch (item.Kind)
        {
            case ArrivalKind.Data when inputEnded || readerGone:
                // Nobody will read it: drop it, and give the sender its credit back.
                Credit.Release(item.Data.Length);
                break;
            case ArrivalKind.Data:
                inbound.Writer.Write(item.Data.Span);

                // The pipe never pauses (the credit bounds it), so the flush completes at once; it
                // only wakes the reader.
                var flush = inbound.Writer.FlushAsync();
                if (flush.IsCompleted)
                {
                    flush.GetAwaiter().GetResult();
                }
                else
                {
                    _ = flush.AsTask();
                }

                break;
            case ArrivalKind.End:
                EndInputLocked(null);
                break;
            case ArrivalKind.Reset:
                var reset = new TransportException(RemoteAddress, SocketError.ConnectionReset, $"The connection was reset by {RemoteAddress}.");
                failure ??= reset;
                outputEnded = true;
                EndInputLocked(reset);
                remote.Credit.Fail(reset);
                break;
        }
    }

    private void EndInputLocked(Exception? error)
    {
        if (inputEnded)
        {
            return;
        }

        inputEnded = true;
        inbound.Writer.Complete(error);
    }

    private void OnReaderCompleted()
    {
        lock (gate)
        {
            readerGone = true;
        }

        Credit.Unbound();
    }
}
