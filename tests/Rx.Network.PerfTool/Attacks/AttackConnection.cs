using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Rx.Network.Encoding;
using Rx.Network.Identity;
using Rx.Network.Muxing;
using Rx.Network.Negotiation;
using Rx.Network.Security.Noise;
using Rx.Network.Transports;

namespace Rx.Network.PerfTool.Attacks;

/// <summary>
/// One attacker's connection, written by hand so that it can misbehave where an honest node would
/// not: TCP from a chosen source address, multistream-select for Noise, a real Noise XX handshake
/// with a fresh identity (yamux agreed inline), then raw yamux frames. It reads everything the
/// listener sends (as a libp2p node's muxer would), answers yamux pings, and never grants window.
/// </summary>
/// <remarks>
/// Streams the listener opens are answered as a libp2p node would: ping is echoed, identify gets a
/// small honest message (or what <see cref="AnswerRemoteStream"/> gives, as the identify attack
/// does), anything else is reset.
/// </remarks>
internal sealed class AttackConnection : IAsyncDisposable
{
    public const string Yamux = "/yamux/1.0.0";

    /// <summary>Yamux payload per frame: a frame and its header fit in one Noise frame.</summary>
    public const int MaxPayload = 32 * 1024;

    private const string PingProtocol = "/ipfs/ping/1.0.0";

    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);
    private static readonly byte[] HonestIdentify = IdentifyFlood.Payload(IdentifyFlood.Content.Honest);

    private readonly Socket socket;
    private readonly NetworkStream network;
    private readonly PipeReader reader;
    private readonly PipeWriter writer;
    private readonly SemaphoreSlim sendGate = new(1, 1);
    private readonly ConcurrentDictionary<uint, AttackStream> streams = new();
    private readonly ConcurrentDictionary<uint, RemoteStream> remoteStreams = new();
    private readonly TaskCompletionSource closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<AttackStream> fills = Channel.CreateUnbounded<AttackStream>(new UnboundedChannelOptions { SingleReader = true });
    private readonly byte[] zeros = new byte[MaxPayload];
    private long dataSent;
    private int pendingFills;
    private NoiseFrameCodec? codec;
    private Task readLoop = Task.CompletedTask;
    private Task fillLoop = Task.CompletedTask;
    private int nextStreamId = -1;

    private AttackConnection(Socket socket, Func<string, byte[]?>? answerRemoteStream)
    {
        this.socket = socket;
        AnswerRemoteStream = answerRemoteStream;
        network = new NetworkStream(socket, ownsSocket: false);
        reader = PipeReader.Create(network, new StreamPipeReaderOptions(leaveOpen: true));
        writer = PipeWriter.Create(network, new StreamPipeWriterOptions(leaveOpen: true));
    }

    /// <summary>The answer to a stream the listener opens (ping aside), by protocol; null resets it. Null: the honest default.</summary>
    public Func<string, byte[]?>? AnswerRemoteStream { get; }

    /// <summary>Stream data sent by the fill loop (see <see cref="AttackStream.StartFilling"/>).</summary>
    public long DataSent => Interlocked.Read(ref dataSent);

    /// <summary>Completes when the listener closed or reset the connection (or it was disposed).</summary>
    public Task Closed => closed.Task;

    /// <summary>Connects from <paramref name="source"/> and upgrades with a fresh identity.</summary>
    /// <param name="target">The listener.</param>
    /// <param name="source">The local address to connect from.</param>
    /// <param name="cancellationToken">Cancels the connection and upgrade.</param>
    /// <param name="answerRemoteStream">What to answer the streams the listener opens, by protocol (null: the honest default).</param>
    /// <exception cref="IOException">The listener refused or dropped the connection during the upgrade.</exception>
    public static async Task<AttackConnection> ConnectAsync(IPEndPoint target, IPAddress source, CancellationToken cancellationToken, Func<string, byte[]?>? answerRemoteStream = null)
    {
        Socket socket;
        try
        {
            socket = await ConnectRawAsync(target, source, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new IOException("The listener refused the connection.", e);
        }

        var connection = new AttackConnection(socket, answerRemoteStream);
        try
        {
            await connection.UpgradeAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception e) when (e is HandshakeException or WireProtocolViolationException or SocketException or InvalidDataException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new IOException("The listener dropped the connection during the upgrade.", e);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A TCP connection from <paramref name="source"/> (port chosen by the kernel), nothing sent.</summary>
    public static async Task<Socket> ConnectRawAsync(IPEndPoint target, IPAddress source, CancellationToken cancellationToken)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Opens a stream: SYN with <paramref name="payload"/> (e.g. a multistream proposal).</summary>
    public async Task<AttackStream?> OpenStreamAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        uint id = (uint)(2 * Interlocked.Increment(ref nextStreamId)) + 1;
        var stream = new AttackStream(this, id);
        streams[id] = stream;
        bool sent = await SendAsync([(YamuxHeader.Data(id, (uint)payload.Length, YamuxFlags.Syn), payload)], cancellationToken).ConfigureAwait(false);
        return sent ? stream : null;
    }

    /// <summary>Sends frames, encrypted, in order; false when the connection is gone.</summary>
    public async Task<bool> SendAsync(IReadOnlyList<(YamuxHeader Header, ReadOnlyMemory<byte> Payload)> frames, CancellationToken cancellationToken)
    {
        var sealer = codec ?? throw new InvalidOperationException("Not upgraded.");
        int plainLength = frames.Sum(f => YamuxHeader.Size + f.Payload.Length);
        var plain = ArrayPool<byte>.Shared.Rent(plainLength);
        try
        {
            int offset = 0;
            foreach (var (header, payload) in frames)
            {
                header.WriteTo(plain.AsSpan(offset));
                payload.Span.CopyTo(plain.AsSpan(offset + YamuxHeader.Size));
                offset += YamuxHeader.Size + payload.Length;
            }

            await sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (closed.Task.IsCompleted)
                {
                    return false;
                }

                // Sealed under the gate: Noise nonces must reach the wire in order.
                for (int start = 0; start < plainLength; start += sealer.MaxPlaintextPerFrame)
                {
                    int length = Math.Min(sealer.MaxPlaintextPerFrame, plainLength - start);
                    var span = writer.GetSpan(length + sealer.FrameOverhead);
                    writer.Advance(sealer.Seal(plain.AsSpan(start, length), span));
                }

                var flush = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                return !flush.IsCompleted;
            }
            finally
            {
                sendGate.Release();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            closed.TrySetResult();
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    /// <summary>Closes abortively (a TCP reset), as an attacker that vanishes does.</summary>
    public async ValueTask DisposeAsync()
    {
        closed.TrySetResult();
        fills.Writer.TryComplete();
        try
        {
            socket.Close(0);
        }
        catch (SocketException)
        {
        }

        try
        {
            await readLoop.ConfigureAwait(false);
            await fillLoop.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The loop ends with the socket; how is of no interest here.
        }

        foreach (var stream in streams.Values)
        {
            stream.OnClosed();
        }

        codec?.Dispose();
        await network.DisposeAsync().ConfigureAwait(false);
        socket.Dispose();
        sendGate.Dispose();
    }

    private async Task UpgradeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HandshakeTimeout);
        await writer.WriteAsync(MultistreamMessage.Frame(MultistreamSelect.ProtocolId, NoiseHandshake.ProtocolId), timeout.Token).ConfigureAwait(false);
        for (int i = 0; i < 2; i++)
        {
            var message = await LengthPrefixed.ReadAsync(reader, MultistreamSelect.MaxMessageLength, timeout.Token).ConfigureAwait(false)
                ?? throw new IOException("The listener closed during negotiation.");
            string text = MultistreamMessage.Decode(new ReadOnlySequence<byte>(message));
            if (text != (i == 0 ? MultistreamSelect.ProtocolId : NoiseHandshake.ProtocolId))
            {
                throw new IOException($"The listener answered '{text}' to the Noise proposal.");
            }
        }

        using var identity = PrivateKey.Generate();
        using var result = await NoiseHandshake.InitiateAsync(new DuplexPipe(reader, writer), identity, null, [Yamux], TimeProvider.System, HandshakeTimeout, cancellationToken).ConfigureAwait(false);
        if (result.EarlyMuxer != Yamux)
        {
            throw new IOException("The listener did not agree to yamux in the handshake.");
        }

        codec = result.CreateCodec();
        readLoop = Task.Run(ReadLoopAsync, CancellationToken.None);
        fillLoop = Task.Run(FillLoopAsync, CancellationToken.None);
    }

    /// <summary>Asks the fill loop to send what <paramref name="stream"/>'s window allows.</summary>
    internal void RequestFill(AttackStream stream)
    {
        Interlocked.Increment(ref pendingFills);
        if (!fills.Writer.TryWrite(stream))
        {
            Interlocked.Decrement(ref pendingFills);
        }
    }

    /// <summary>Waits until every window the listener granted so far was filled, or the connection closed.</summary>
    public async Task WaitForFillsAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref pendingFills) > 0 && !closed.Task.IsCompleted)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends, stream after stream, as much zero data as each window allows.</summary>
    private async Task FillLoopAsync()
    {
        await foreach (var stream in fills.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                int length;
                while ((length = stream.TakeWindow(MaxPayload)) > 0)
                {
                    if (!await SendAsync([(YamuxHeader.Data(stream.Id, (uint)length), zeros.AsMemory(0, length))], CancellationToken.None).ConfigureAwait(false))
                    {
                        return;
                    }

                    Interlocked.Add(ref dataSent, length);
                }
            }
            finally
            {
                Interlocked.Decrement(ref pendingFills);
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        var opener = codec!;
        var plain = new ArrayBufferWriter<byte>(256 * 1024);
        int consumed = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                while (opener.TryOpen(ref buffer, out var opened))
                {
                    plain.Write(opened.Span);
                    opened.Return();
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                consumed += ProcessFrames(plain.WrittenMemory[consumed..]);
                if (consumed > 0 && consumed == plain.WrittenCount)
                {
                    plain.ResetWrittenCount();
                    consumed = 0;
                }
                else if (consumed > 128 * 1024)
                {
                    // Keep the unparsed tail only.
                    var tail = plain.WrittenMemory[consumed..].ToArray();
                    plain.ResetWrittenCount();
                    plain.Write(tail);
                    consumed = 0;
                }

                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or WireProtocolViolationException or OperationCanceledException)
        {
            // The listener closed the connection, or we did.
        }
        finally
        {
            closed.TrySetResult();
            fills.Writer.TryComplete();
            foreach (var stream in streams.Values)
            {
                stream.OnClosed();
            }
        }
    }

    /// <summary>Handles the whole frames at the start of <paramref name="bytes"/>; returns the bytes they took.</summary>
    private int ProcessFrames(ReadOnlyMemory<byte> bytes)
    {
        int offset = 0;
        while (YamuxHeader.TryRead(bytes.Span[offset..], out var header))
        {
            int length = header.Type == YamuxFrameType.Data ? (int)header.Length : 0;
            if (bytes.Length - offset < YamuxHeader.Size + length)
            {
                break;
            }

            var payload = bytes.Slice(offset + YamuxHeader.Size, length);
            offset += YamuxHeader.Size + length;
            switch (header.Type)
            {
                case YamuxFrameType.Ping when header.Has(YamuxFlags.Syn):
                    _ = SendAsync([(YamuxHeader.Ping(header.Length, response: true), ReadOnlyMemory<byte>.Empty)], CancellationToken.None);
                    break;
                case YamuxFrameType.GoAway:
                    closed.TrySetResult();
                    break;
                case YamuxFrameType.Data or YamuxFrameType.WindowUpdate when header.StreamId % 2 == 1:
                    if (streams.TryGetValue(header.StreamId, out var mine))
                    {
                        mine.OnFrame(header, payload.Span);
                    }

                    break;
                case YamuxFrameType.Data or YamuxFrameType.WindowUpdate when header.StreamId != 0:
                    OnRemoteFrame(header, payload.Span);
                    break;
            }
        }

        return offset;
    }

    private void OnRemoteFrame(YamuxHeader header, ReadOnlySpan<byte> payload)
    {
        uint id = header.StreamId;
        if (header.Has(YamuxFlags.Rst))
        {
            remoteStreams.TryRemove(id, out _);
            return;
        }

        var stream = remoteStreams.GetOrAdd(id, _ => new RemoteStream());
        if (stream.Echoing)
        {
            // Ping: every byte back, and our FIN after theirs.
            var frames = new List<(YamuxHeader, ReadOnlyMemory<byte>)>();
            if (payload.Length > 0)
            {
                frames.Add((YamuxHeader.Data(id, (uint)payload.Length), payload.ToArray()));
            }

            if (header.Has(YamuxFlags.Fin))
            {
                frames.Add((YamuxHeader.Data(id, 0, YamuxFlags.Fin), ReadOnlyMemory<byte>.Empty));
            }

            if (frames.Count > 0)
            {
                _ = SendAsync(frames, CancellationToken.None);
            }

            return;
        }

        if (stream.Answered)
        {
            return;
        }

        stream.Received.AddRange(payload.ToArray());
        if (stream.TryReadProposal(out int consumed) is not { } protocol)
        {
            return;
        }

        stream.Answered = true;
        var negotiation = MultistreamMessage.Frame(MultistreamSelect.ProtocolId, protocol);
        var ack = (YamuxHeader.WindowUpdate(id, 0, YamuxFlags.Ack), ReadOnlyMemory<byte>.Empty);
        if (protocol == PingProtocol)
        {
            // As any libp2p node: js-libp2p closes a connection whose ping fails.
            stream.Echoing = true;
            var data = negotiation.ToArray().Concat(stream.Received.Skip(consumed)).ToArray();
            _ = SendAsync([ack, (YamuxHeader.Data(id, (uint)data.Length), data)], CancellationToken.None);
        }
        else if ((AnswerRemoteStream ?? DefaultAnswer)(protocol) is { } answer)
        {
            var data = new byte[negotiation.Length + answer.Length];
            negotiation.CopyTo(data);
            answer.CopyTo(data, negotiation.Length);
            var frames = new List<(YamuxHeader, ReadOnlyMemory<byte>)> { ack };
            for (int start = 0; start < data.Length; start += MaxPayload)
            {
                int length = Math.Min(MaxPayload, data.Length - start);
                bool last = start + length == data.Length;
                frames.Add((YamuxHeader.Data(id, (uint)length, last ? YamuxFlags.Fin : YamuxFlags.None), data.AsMemory(start, length)));
            }

            _ = SendAsync(frames, CancellationToken.None);
        }
        else
        {
            _ = SendAsync([(YamuxHeader.WindowUpdate(id, 0, YamuxFlags.Rst), ReadOnlyMemory<byte>.Empty)], CancellationToken.None);
        }
    }

    /// <summary>Honest answers: a small identify message; anything else (but ping) is reset.</summary>
    private static byte[]? DefaultAnswer(string protocol) => protocol == IdentifyFlood.Identify ? HonestIdentify : null;

    /// <summary>A stream the listener opened: its bytes until its multistream proposal is read.</summary>
    private sealed class RemoteStream
    {
        public List<byte> Received { get; } = [];

        public bool Answered { get; set; }

        public bool Echoing { get; set; }

        /// <summary>The protocol proposed after the header, once both messages arrived.</summary>
        public string? TryReadProposal(out int consumed)
        {
            consumed = 0;
            var bytes = new ReadOnlySequence<byte>(Received.ToArray());
            string? proposal = null;
            for (int i = 0; i < 2; i++)
            {
                if (Varint.TryRead(bytes, out ulong length, out int prefix) != VarintStatus.Done || bytes.Length < prefix + (long)length)
                {
                    return null;
                }

                proposal = MultistreamMessage.Decode(bytes.Slice(prefix, (long)length));
                bytes = bytes.Slice(prefix + (long)length);
                consumed += prefix + (int)length;
            }

            return proposal;
        }
    }
}
