using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Rx.Network.Addressing;
using Rx.Network.Transports;

using Rx.Network.Mock.Links;

namespace Rx.Network.Mock.Stack;

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
internal sealed class StackConnection : IRawConnection
{
    private readonly object gate = new();
    private readonly MockLink link;
    private readonly ILinkEnd local;
    private readonly Action<StackConnection> forget;
    private readonly Pipe inbound;
    private StackConnection remote = null!;
    private bool inputEnded;
    private bool readerGone;
    private bool outputEnded;
    private bool closed;
    private Exception? failure;

    private StackConnection(MockLink link, ILinkEnd local, Action<StackConnection> forget, Multiaddr localAddress, Multiaddr remoteAddress, int bufferSize)
    {
        this.link = link;
        this.local = local;
        this.forget = forget;
        LocalAddress = localAddress;
        RemoteAddress = remoteAddress;
        Credit = new ReceiveCredit(bufferSize);

        // Unbounded on its own: the sender's ReceiveCredit bounds what can be in it. The reader
        // resumes on the network's scheduler: in virtual time, on the driver at the arrival's instant.
        inbound = new Pipe(new PipeOptions(
            readerScheduler: new PostingPipeScheduler(link.Network.Work),
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
    /// <param name="dialerEnd">The dialing peer.</param>
    /// <param name="forgetDialer">Tells the dialing peer the connection is gone.</param>
    /// <param name="dialerAddress">The dialer's address.</param>
    /// <param name="listenerEnd">The listening peer.</param>
    /// <param name="forgetListener">Tells the listening peer the connection is gone.</param>
    /// <param name="listenerAddress">The listener's address.</param>
    /// <param name="bufferSize">Bytes each direction may have unread before the sender waits.</param>
    public static (StackConnection Dialer, StackConnection Listener) CreatePair(
        MockLink link, ILinkEnd dialerEnd, Action<StackConnection> forgetDialer, Multiaddr dialerAddress,
        ILinkEnd listenerEnd, Action<StackConnection> forgetListener, Multiaddr listenerAddress, int bufferSize)
    {
        var dialer = new StackConnection(link, dialerEnd, forgetDialer, dialerAddress, listenerAddress, bufferSize);
        var listener = new StackConnection(link, listenerEnd, forgetListener, listenerAddress, dialerAddress, bufferSize);
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
            Transmit(Arrival.Reset);
        }

        forget(this);
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

        forget(this);
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
        Transmit(new Arrival(ArrivalKind.Data, chunk));
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

        Transmit(Arrival.End);
    }

    /// <summary>Queues an arrival (under the link's lock, which orders sequence numbers with schedule order).</summary>
    /// <summary>Applies what arrived from the other end.</summary>
    internal void Deliver(Arrival item)
    {
        lock (gate)
        {
            Apply(item);
        }
    }

    internal void Sever(Exception error)
    {
        lock (gate)
        {
            failure ??= error;
            outputEnded = true;
            EndInputLocked(failure);
            closed = true;
        }

        Credit.Unbound();
        remote.Credit.Fail(error);
    }

    /// <summary>Puts <paramref name="item"/> on the link toward the other end; a lost frame breaks both ends, as a broken TCP connection would.</summary>
    private void Transmit(Arrival item)
    {
        var target = remote;
        link.From(local).Send(new Frame(
            item.Kind == ArrivalKind.Data ? LinkFrameKind.Data : null,
            protocol: null,
            item.Data.Length,
            () => target.Deliver(item),
            lost =>
            {
                var error = new TransportException(RemoteAddress, SocketError.ConnectionReset, $"The mock connection to {RemoteAddress} broke: {lost.Message}", lost);
                Sever(error);
                target.Sever(error);
            }));
    }

    private void Connect(StackConnection other)
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
