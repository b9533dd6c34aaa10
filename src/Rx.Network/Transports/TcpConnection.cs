using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Rx.Network.Addressing;
using Rx.Network.Resources;

namespace Rx.Network.Transports;

/// <summary>
/// A connected TCP socket exposed as an <see cref="IDuplexPipe"/> by two pumps: one moves received
/// bytes from the socket into <c>Pipe.Input</c>, the other sends what is written to
/// <c>Pipe.Output</c>.
/// </summary>
/// <remarks>
/// <para>Why pumps rather than <c>PipeReader.Create</c>/<c>PipeWriter.Create</c> over a
/// <see cref="NetworkStream"/>: completing a stream pipe writer disposes the stream (closing both
/// directions), whereas completing <c>Pipe.Output</c> here must only shut down our sending side, so
/// that the remote reads the end of the stream while we go on reading (a TCP half-close).</para>
/// <para>Bounds: the receive pump stops reading the socket once
/// <see cref="TcpTransportOptions.MaxReceiveBufferSize"/> bytes wait unread, and resumes at half;
/// writers' flushes wait once <see cref="TcpTransportOptions.MaxSendBufferSize"/> bytes wait unsent,
/// and resume at half. Both pipes rent their segments from <see cref="MemoryPool{T}.Shared"/>.
/// Within those bounds, what the pipes hold counts in <see cref="Memory"/>: once a resource manager
/// governs the connection, the receive pump reads the socket only while the connection's scopes
/// can reserve what it holds beyond a floor (<see cref="TransportBuffer"/>), and waits otherwise.</para>
/// </remarks>
internal sealed class TcpConnection : IRawConnection
{
    // A quiet connection receives into this much buffer, rented once a zero-byte receive says bytes
    // are there (an idle connection holds none).
    internal const int IdleReceiveSize = 16 * 1024;

    // A busy connection receives into, and sends from, segments this large (capped by the buffer
    // bound): four times fewer receive calls than 16 KiB, a 1 MiB bound is 16 segments (within what
    // ArrayPool<byte>.Shared keeps per size, so steady traffic rents without allocating), and Noise
    // frames under yamux (16414 bytes) pack three to a send segment instead of each taking a 32 KiB
    // array. Measured in docs/benchmarks.md.
    internal const int BusySegmentSize = 64 * 1024;

    // A busy connection receives into segments this large (capped at a quarter of the receive
    // bound). Noise frames are up to 65537 bytes on the wire and a frame that straddles two
    // segments is copied before it is decrypted: with 64 KiB receives nearly every full frame
    // straddled; with 256 KiB about one in four does (docs/benchmarks.md).
    internal const int BusyReceiveSize = 256 * 1024;

    private readonly Socket socket;
    private readonly Pipe inbound;
    private readonly Pipe outbound;
    private readonly Task receiving;
    private readonly Task sending;
    private readonly Task closed;
    private readonly int busyReceiveSize;
    private int aborted;
    private int finSent;

    private TcpConnection(Socket socket, Multiaddr local, Multiaddr remote, TcpTransportOptions options, KernelQueues.Applied kernelQueues)
    {
        this.socket = socket;
        KernelQueueBounds = kernelQueues;
        LocalAddress = local;
        RemoteAddress = remote;
        busyReceiveSize = Math.Max(IdleReceiveSize, Math.Min(BusyReceiveSize, options.MaxReceiveBufferSize / 4));
        inbound = new Pipe(PipeOptionsFor(options.MaxReceiveBufferSize, IdleReceiveSize, PipeScheduler.Inline));
        outbound = new Pipe(PipeOptionsFor(options.MaxSendBufferSize, Math.Min(BusySegmentSize, options.MaxSendBufferSize), PipeScheduler.Inline));
        Memory = new TransportMemory();
        Pipe = new AccountedDuplexPipe(inbound.Reader, outbound.Writer, Memory, options.MaxReceiveBufferSize);
        receiving = ReceiveLoopAsync();
        sending = SendLoopAsync();
        closed = CloseWhenDoneAsync();
    }

    public IDuplexPipe Pipe { get; }

    public TransportMemory Memory { get; }

    public Multiaddr LocalAddress { get; }

    public Multiaddr RemoteAddress { get; }

    /// <summary>What <see cref="KernelQueues"/> set on the socket, for tests and diagnostics.</summary>
    internal KernelQueues.Applied KernelQueueBounds { get; }

    /// <summary>The connected socket, for tests of its options.</summary>
    internal Socket Socket => socket;

    /// <summary>Wraps a connected socket; takes ownership of it.</summary>
    /// <exception cref="SocketException">The socket is no longer connected (its endpoints cannot be read).</exception>
    public static TcpConnection Create(Socket socket, TcpTransportOptions options)
    {
        // Small libp2p frames (multistream messages, yamux window updates, pings) must not wait for
        // Nagle's algorithm; the pumps already coalesce writes into large sends.
        socket.NoDelay = true;
        var kernelQueues = KernelQueues.Apply(socket, options);
        var local = Multiaddr.FromEndPoint((IPEndPoint)socket.LocalEndPoint!);
        var remote = Multiaddr.FromEndPoint((IPEndPoint)socket.RemoteEndPoint!);
        return new TcpConnection(socket, local, remote, options, kernelQueues);
    }

    /// <summary>The send pump; ends once the output pipe has been drained, or failed after an abort.</summary>
    internal Task SendPump => sending;

    public void Abort()
    {
        if (Interlocked.Exchange(ref aborted, 1) != 0)
        {
            return;
        }

        // Close(0) is .NET's abortive close: a reset, dropping whatever the kernel still holds for
        // sending. (Setting a zero linger and disposing is not enough: with a receive pending, the
        // runtime may shut the socket down first, and the remote reads a clean end of stream.)
        socket.Close(0);

        // Wake a send pump waiting for bytes and a receive pump waiting for room; each then fails its
        // pipe, so the application's pending read or flush fails too.
        outbound.Reader.CancelPendingRead();
        inbound.Writer.CancelPendingFlush();
        Memory.Stop();
    }

    public async ValueTask DisposeAsync()
    {
        // Graceful: what was written is sent, then our side is shut down, then the socket closed.
        // A remote that never reads can hold this up once the kernel's buffer is full; Abort is the
        // way out for a caller that will not wait.
        await outbound.Writer.CompleteAsync().ConfigureAwait(false);
        await sending.ConfigureAwait(false);
        socket.Dispose();

        // A receive pump paused on a full, unread input buffer is not woken by closing the socket.
        inbound.Writer.CancelPendingFlush();
        Memory.Stop();
        await closed.ConfigureAwait(false);
    }

    private async Task ReceiveLoopAsync()
    {
        await Task.Yield();
        var writer = inbound.Writer;
        var budget = Memory.Receive;
        Exception? error = null;
        int sizeHint = IdleReceiveSize;
        try
        {
            while (true)
            {
                if (sizeHint == IdleReceiveSize)
                {
                    // A quiet connection first waits for bytes without a buffer (a zero-byte
                    // receive, as Kestrel does), and rents its segment only once they are there:
                    // an idle connection holds no receive segment. It returns at once at the end
                    // of the stream; the receive below then reads that end.
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                }

                // Read only what the connection's budget allows: with no room, the socket is not
                // read until the layers above drain the buffer (the remote's window closes).
                var memory = await budget.NextReceiveSegmentAsync(writer, sizeHint).ConfigureAwait(false);

                int received = await socket.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    // The remote half-closed: the end of the stream; or it reset the connection
                    // and a send saw the reset first (the kernel reports it once, and a receive
                    // then returns 0). A reset must not read as a clean end.
                    if (WasReset(socket, Volatile.Read(ref finSent) != 0))
                    {
                        error = new IOException($"The connection to {RemoteAddress} was reset by the remote.", new SocketException((int)SocketError.ConnectionReset));
                    }

                    break;
                }

                // A receive that filled its buffer left more waiting in the kernel: read in large
                // segments while that lasts, and in small ones again once the connection goes quiet.
                sizeHint = received == memory.Length ? busyReceiveSize : IdleReceiveSize;

                budget.Hold(received);
                writer.Advance(received);
                var flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    // The reader is gone, or Abort woke us: stop reading the socket.
                    if (flush.IsCanceled)
                    {
                        error = Aborted();
                    }

                    break;
                }
            }
        }
        catch (SocketException e)
        {
            error = Volatile.Read(ref aborted) != 0 ? Aborted() : new IOException($"Receiving from {RemoteAddress} failed: {e.SocketErrorCode}.", e);
        }
        catch (ObjectDisposedException)
        {
            error = Aborted();
        }

        await writer.CompleteAsync(error).ConfigureAwait(false);
    }

    private async Task SendLoopAsync()
    {
        await Task.Yield();
        var reader = outbound.Reader;
        var gather = new List<ArraySegment<byte>>();
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    error = Aborted();
                    break;
                }

                var buffer = result.Buffer;
                try
                {
                    await SendAllAsync(buffer, gather).ConfigureAwait(false);
                }
                finally
                {
                    long sent = buffer.Length;
                    reader.AdvanceTo(buffer.End);
                    Memory.Send.Release(sent);
                }

                if (result.IsCompleted)
                {
                    // The writer completed: a half-close, so the remote reads the end of the stream.
                    Volatile.Write(ref finSent, 1);
                    socket.Shutdown(SocketShutdown.Send);
                    break;
                }
            }
        }
        catch (SocketException e)
        {
            error = Volatile.Read(ref aborted) != 0 ? Aborted() : new IOException($"Sending to {RemoteAddress} failed: {e.SocketErrorCode}.", e);
        }
        catch (ObjectDisposedException)
        {
            error = Aborted();
        }
        catch (Exception e)
        {
            // Our writer completed the pipe with an error (the layer above failed): what was sent
            // may be cut short, so reset the connection rather than let the remote read a clean end.
            error = e;
            Abort();
        }

        // With an error, the writer's next flush throws it; without, the flush reports completion.
        await reader.CompleteAsync(error).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a multi-segment buffer with one gathering send (measured: a quarter of the send calls
    /// and half the receive calls of segment-by-segment sends, since the receiver then finds more
    /// waiting per wake-up), segment by segment only for what the kernel did not take or for memory
    /// that is not array-backed.
    /// </summary>
    private async ValueTask SendAllAsync(ReadOnlySequence<byte> buffer, List<ArraySegment<byte>> gather)
    {
        if (!buffer.IsSingleSegment)
        {
            gather.Clear();
            foreach (var segment in buffer)
            {
                if (!MemoryMarshal.TryGetArray(segment, out var array))
                {
                    gather.Clear();
                    break;
                }

                gather.Add(array);
            }

            if (gather.Count > 0)
            {
                int sent = await socket.SendAsync(gather, SocketFlags.None).ConfigureAwait(false);
                gather.Clear();
                buffer = buffer.Slice(sent);
            }
        }

        foreach (var segment in buffer)
        {
            await SendAllAsync(segment).ConfigureAwait(false);
        }
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> segment)
    {
        while (!segment.IsEmpty)
        {
            int sent = await socket.SendAsync(segment, SocketFlags.None).ConfigureAwait(false);
            segment = segment[sent..];
        }
    }

    private async Task CloseWhenDoneAsync()
    {
        // Both directions over (EOF received or reader gone, and our side shut down or failed): the
        // socket has nothing left to do.
        try
        {
            await Task.WhenAll(receiving, sending).ConfigureAwait(false);
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>
    /// Whether a socket that read the end of the stream was in fact reset. On Linux a reset leaves
    /// the TCP state CLOSE, whereas the remote's FIN leaves CLOSE_WAIT; CLOSE is also where a
    /// graceful close ends once our own FIN was acknowledged, so the state decides only while we have
    /// not sent ours (<paramref name="sentFin"/>). Elsewhere (no TCP_INFO) it answers false.
    /// </summary>
    internal static bool WasReset(Socket socket, bool sentFin)
    {
        // linux/tcp.h: tcpi_state is the first byte of TCP_INFO; TCP_CLOSE is 7.
        const byte TcpClose = 7;
        Span<byte> info = stackalloc byte[8];
        return !sentFin && KernelQueues.TryReadTcpInfo(socket, info) && info[0] == TcpClose;
    }

    private IOException Aborted() => new($"The connection to {RemoteAddress} was closed locally.");

    // Readers run inline, on the thread that flushed: the socket's receive completion goes on to
    // decrypt, and a flush from the secure channel goes on to send, instead of each hopping to
    // another thread-pool thread. A ping round trip crosses these pipes four times (both ends, both
    // directions), and on two cores each hop is a wake-up of its own (docs/benchmarks.md).
    internal static PipeOptions PipeOptionsFor(int maxBuffered, int segmentSize, PipeScheduler? readerScheduler = null) => new(
        pool: MemoryPool<byte>.Shared,
        readerScheduler: readerScheduler ?? PipeScheduler.ThreadPool,
        writerScheduler: PipeScheduler.ThreadPool,
        pauseWriterThreshold: maxBuffered,
        resumeWriterThreshold: maxBuffered / 2,
        minimumSegmentSize: segmentSize,
        useSynchronizationContext: false);
}
