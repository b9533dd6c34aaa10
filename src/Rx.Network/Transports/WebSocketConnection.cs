using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Rx.Network.Addressing;
using Rx.Network.Reactive;
using Rx.Network.Resources;

namespace Rx.Network.Transports;

/// <summary>
/// A WebSocket (RFC 6455, over a TCP socket and optionally TLS) exposed as an
/// <see cref="IDuplexPipe"/> by two pumps, like <see cref="TcpConnection"/>: one moves the payload of
/// received binary frames into <c>Pipe.Input</c>, the other sends what is written to
/// <c>Pipe.Output</c> as binary frames. Message boundaries carry no meaning (libp2p/specs
/// <c>websockets/</c>): the pipe is the concatenation of the payloads.
/// </summary>
/// <remarks>
/// <para>Closing: completing <c>Pipe.Output</c> sends a close frame (1000); the remote's close frame
/// ends <c>Pipe.Input</c> cleanly. A TCP end or reset without a close frame, a malformed frame, or a
/// text frame fails <c>Pipe.Input</c> with an <see cref="IOException"/>; text frames are refused
/// (ADR 0009) and reset the connection. <see cref="Abort"/> resets the socket (js-libp2p sees code 1006).</para>
/// <para>Bounds: the same as TCP (<see cref="TcpTransportOptions.MaxReceiveBufferSize"/>,
/// <see cref="TcpTransportOptions.MaxSendBufferSize"/>, pooled segments, and the same accounting in
/// <see cref="Memory"/>: the receive pump reads only while the budget has room; the kernel's queues bounded by
/// <see cref="KernelQueues"/>). A frame's payload streams
/// into the pipe as it arrives, so the size a remote announces for one message costs nothing up front.
/// WebSocket keep-alive pings are off (yamux and libp2p ping watch the connection); pings from the
/// remote are answered by <see cref="WebSocket"/>.</para>
/// </remarks>
internal sealed class WebSocketConnection : IRawConnection
{
    // How long a graceful dispose waits for the remote's close frame after sending ours, before the
    // socket is closed anyway (.NET's client waits one second for the server's close likewise).
    internal static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly Socket socket;
    private readonly Pipe inbound;
    private readonly Pipe outbound;
    private readonly CancellationTokenSource aborting = new();
    private readonly TimeProvider time;
    private readonly int busyReceiveSize;
    private readonly Task running;

    // Server side: completed by the client's first bytes (or the end of the receive pump). See SendLoopAsync.
    private readonly TaskCompletionSource? clientSpoke;
    private WebSocket? webSocket;
    private Stream? stream;
    private BufferedReadStream? buffered;
    private int aborted;

    private WebSocketConnection(Socket socket, Multiaddr local, Multiaddr remote, TcpTransportOptions options, bool isServer, Func<WebSocketConnection, Task<WebSocket>> open)
    {
        this.socket = socket;
        clientSpoke = isServer ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        LocalAddress = local;
        RemoteAddress = remote;
        time = options.TimeProvider;
        busyReceiveSize = Math.Max(TcpConnection.IdleReceiveSize, Math.Min(TcpConnection.BusyReceiveSize, options.MaxReceiveBufferSize / 4));
        inbound = new Pipe(TcpConnection.PipeOptionsFor(options.MaxReceiveBufferSize, TcpConnection.IdleReceiveSize, PipeScheduler.Inline));
        outbound = new Pipe(TcpConnection.PipeOptionsFor(options.MaxSendBufferSize, Math.Min(TcpConnection.BusySegmentSize, options.MaxSendBufferSize), PipeScheduler.Inline));
        Memory = new TransportMemory();
        Pipe = new AccountedDuplexPipe(inbound.Reader, outbound.Writer, Memory, options.MaxReceiveBufferSize);
        running = RunAsync(open);
    }

    public IDuplexPipe Pipe { get; }

    public TransportMemory Memory { get; }

    public Multiaddr LocalAddress { get; }

    public Multiaddr RemoteAddress { get; }

    /// <summary>
    /// An accepted socket: TLS (when <paramref name="certificate"/> is given) and the HTTP upgrade run
    /// inside the connection, so that the network's accept path (rate limit, pending-inbound bound,
    /// upgrade deadline) governs them exactly as it governs a TCP connection's handshake. A refused
    /// upgrade fails <c>Pipe.Input</c>.
    /// </summary>
    public static WebSocketConnection Accept(Socket socket, Multiaddr suffix, X509Certificate2? certificate, TcpTransportOptions tcp, WebSocketTransportOptions options)
    {
        socket.NoDelay = true;
        KernelQueues.Apply(socket, tcp);
        var (local, remote) = Addresses(socket, suffix);
        return new WebSocketConnection(socket, local, remote, tcp, isServer: true, async connection =>
        {
            var token = connection.aborting.Token;
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            connection.stream = stream;
            if (certificate is not null)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                connection.stream = tls;
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, token).ConfigureAwait(false);
                stream = tls;
            }

            var rest = await WebSocketHandshake.AcceptAsync(stream, options.MaxHandshakeSize, token).ConfigureAwait(false);
            return connection.Create(stream, rest, isServer: true);
        });
    }

    /// <summary>A dialed socket whose TLS handshake and HTTP upgrade are done; takes ownership of both.</summary>
    /// <exception cref="SocketException">The socket is no longer connected.</exception>
    public static WebSocketConnection Connected(Socket socket, Stream stream, byte[] rest, Multiaddr suffix, TcpTransportOptions tcp)
    {
        KernelQueues.Apply(socket, tcp);
        var (local, remote) = Addresses(socket, suffix);
        return new WebSocketConnection(socket, local, remote, tcp, isServer: false, connection =>
        {
            connection.stream = stream;
            return Task.FromResult(connection.Create(stream, rest, isServer: false));
        });
    }

    public void Abort()
    {
        if (Interlocked.Exchange(ref aborted, 1) != 0)
        {
            return;
        }

        // An abortive close, as for TCP: the remote reads a reset (a close without a close frame).
        aborting.Cancel();
        webSocket?.Abort();
        socket.Close(0);
        outbound.Reader.CancelPendingRead();
        inbound.Writer.CancelPendingFlush();
        Memory.Stop();
    }

    public async ValueTask DisposeAsync()
    {
        // Graceful: what was written is sent, then a close frame; the remote answers with its own,
        // which ends the receive pump. A remote that does not answer within CloseGrace is cut off.
        await outbound.Writer.CompleteAsync().ConfigureAwait(false);
        try
        {
            await running.WaitAsync(CloseGrace, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Abort();
            await running.ConfigureAwait(false);
        }
    }

    private WebSocket Create(Stream stream, byte[] rest, bool isServer)
    {
        buffered = new BufferedReadStream(stream, rest);
        this.stream = buffered;
        return WebSocket.CreateFromStream(buffered, new WebSocketCreationOptions { IsServer = isServer, KeepAliveInterval = TimeSpan.Zero });
    }

    private static (Multiaddr Local, Multiaddr Remote) Addresses(Socket socket, Multiaddr suffix) =>
        (Multiaddr.FromEndPoint((System.Net.IPEndPoint)socket.LocalEndPoint!).Encapsulate(suffix),
         Multiaddr.FromEndPoint((System.Net.IPEndPoint)socket.RemoteEndPoint!).Encapsulate(suffix));

    private async Task RunAsync(Func<WebSocketConnection, Task<WebSocket>> open)
    {
        // Off the constructor's stack before the upgrade handshake.
        await NetworkScheduler.Sockets.Hop();
        try
        {
            try
            {
                webSocket = await open(this).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                var error = Volatile.Read(ref aborted) != 0 ? Aborted() : new IOException($"The WebSocket upgrade with {RemoteAddress} failed: {e.Message}", e);
                await inbound.Writer.CompleteAsync(error).ConfigureAwait(false);
                await outbound.Reader.CompleteAsync(error).ConfigureAwait(false);
                return;
            }

            if (Volatile.Read(ref aborted) != 0)
            {
                webSocket.Abort();
            }

            var receiving = ReceiveLoopAsync(webSocket);
            var sending = SendLoopAsync(webSocket);
            await Task.WhenAll(receiving, sending).ConfigureAwait(false);
        }
        finally
        {
            Memory.Stop();
            webSocket?.Dispose();
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
        }
    }

    private async Task ReceiveLoopAsync(WebSocket ws)
    {
        var writer = inbound.Writer;
        var budget = Memory.Receive;
        Exception? error = null;
        bool violation = false;
        int sizeHint = TcpConnection.IdleReceiveSize;
        try
        {
            while (true)
            {
                // Read only what the connection's budget allows: with no room, the socket is not
                // read until the layers above drain the buffer (the remote's window closes).
                // Payloads of frames already buffered are gathered into one flush (BufferedReadStream).
                var memory = await budget.NextReceiveSegmentAsync(writer, sizeHint).ConfigureAwait(false);

                int filled = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await ws.ReceiveAsync(memory[filled..], aborting.Token).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Binary)
                    {
                        filled += result.Count;
                    }
                }
                while (result.MessageType == WebSocketMessageType.Binary && filled < memory.Length && buffered!.HasBufferedData);

                if (filled > 0)
                {
                    budget.Hold(filled);
                    writer.Advance(filled);
                    clientSpoke?.TrySetResult();
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // The remote's close frame: the end of the stream, unless it names an error.
                    if (ws.CloseStatus is not (WebSocketCloseStatus.NormalClosure or WebSocketCloseStatus.EndpointUnavailable or WebSocketCloseStatus.Empty))
                    {
                        error = new IOException($"The WebSocket to {RemoteAddress} was closed by the remote with {(int?)ws.CloseStatus} {ws.CloseStatusDescription}.");
                    }

                    break;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    // libp2p sends binary frames only; a text frame is a protocol violation (ADR 0009).
                    error = new IOException(
                        $"The WebSocket to {RemoteAddress} carried a text frame.",
                        new WireProtocolViolationException("libp2p WebSocket connections carry binary frames only; a text frame was received."));
                    violation = true;
                    break;
                }

                sizeHint = filled == memory.Length ? busyReceiveSize : TcpConnection.IdleReceiveSize;
                var flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCanceled)
                {
                    error = Aborted();
                    break;
                }

                if (flush.IsCompleted)
                {
                    // The reader is gone: read on, discarding, until the remote's close frame, so
                    // that closing the socket does not reset a connection the remote closes cleanly.
                    await DrainAsync(ws).ConfigureAwait(false);
                    break;
                }
            }
        }
        catch (WebSocketException e) when (Volatile.Read(ref aborted) == 0)
        {
            error = e.WebSocketErrorCode == WebSocketError.ConnectionClosedPrematurely
                ? new IOException($"The WebSocket to {RemoteAddress} was reset by the remote (no close frame).", e)
                : new IOException($"The WebSocket to {RemoteAddress} failed: {e.Message}", new WireProtocolViolationException($"Malformed WebSocket frame: {e.Message}", e));
            violation = true;
        }
        catch (IOException e) when (Volatile.Read(ref aborted) == 0)
        {
            error = new IOException($"Receiving from {RemoteAddress} failed: {e.Message}", e);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or WebSocketException or IOException)
        {
            error ??= Aborted();
        }

        clientSpoke?.TrySetResult();
        await writer.CompleteAsync(error).ConfigureAwait(false);

        // The input fails with the cause first, then the socket is reset: aborted first, the send
        // side's "closed locally" could end the session before the typed cause reached it.
        if (violation)
        {
            Abort();
        }
    }

    private async Task DrainAsync(WebSocket ws)
    {
        var scratch = new byte[256];
        while (ws.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            var result = await ws.ReceiveAsync(scratch.AsMemory(), aborting.Token).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
        }
    }

    private async Task SendLoopAsync(WebSocket ws)
    {
        var reader = outbound.Reader;
        Exception? error = null;
        try
        {
            // A server sends nothing before the client's first bytes. js-libp2p's WebSocket client
            // (the ws package under Node) loses messages that arrive in the same TCP segment as the
            // 101 response, because it listens for messages only once its 'open' promise resolved;
            // in libp2p the dialer speaks first anyway (multistream-select), so waiting costs nothing.
            if (clientSpoke is not null)
            {
                await clientSpoke.Task.ConfigureAwait(false);
            }

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
                    // One binary message per pooled segment (up to 64 KiB): boundaries mean nothing.
                    foreach (var segment in buffer)
                    {
                        await ws.SendAsync(segment, WebSocketMessageType.Binary, endOfMessage: true, aborting.Token).ConfigureAwait(false);
                    }
                }
                finally
                {
                    long sent = buffer.Length;
                    reader.AdvanceTo(buffer.End);
                    Memory.Send.Release(sent);
                }

                if (result.IsCompleted)
                {
                    if (ws.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, aborting.Token).ConfigureAwait(false);
                    }

                    break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            error = Volatile.Read(ref aborted) != 0 ? Aborted() : new IOException($"Sending to {RemoteAddress} failed: {e.Message}", e);
        }
        catch (Exception e)
        {
            // Our writer completed the pipe with an error (the layer above failed): reset rather than
            // let the remote read a clean close.
            error = e;
            Abort();
        }

        await reader.CompleteAsync(error).ConfigureAwait(false);
    }

    private IOException Aborted() => new($"The connection to {RemoteAddress} was closed locally.");
}
