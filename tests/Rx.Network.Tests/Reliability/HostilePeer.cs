using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Rx.Network.Addressing;
using Rx.Network.Encoding;
using Rx.Network.Identity;
using Rx.Network.Muxing;
using Rx.Network.Negotiation;
using Rx.Network.Security.Noise;
using Rx.Network.Tests.Swarm;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Reliability;

/// <summary>
/// A peer written by hand over a real TCP socket: it speaks multistream-select, Noise and yamux
/// step by step, so a test can go wrong at any step on purpose (garbage, lies about lengths,
/// silence, floods) and watch what the listener does.
/// </summary>
internal sealed class HostilePeer : IAsyncDisposable
{
    public const string Yamux = "/yamux/1.0.0";

    private readonly Socket socket;
    private readonly NetworkStream stream;
    private readonly PipeReader reader;
    private readonly PipeWriter writer;
    private readonly List<byte> plaintext = [];
    private NoiseFrameCodec? codec;

    private HostilePeer(Socket socket)
    {
        this.socket = socket;
        stream = new NetworkStream(socket, ownsSocket: false);
        reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    public Socket Socket => socket;

    /// <summary>The connection's bytes as a pipe, for a handshake driven from outside (TLS).</summary>
    public DuplexPipe Pipe => new(reader, writer);

    /// <summary>The listener's peer ID, once <see cref="SecureAsync"/> succeeded.</summary>
    public PeerId? RemotePeer { get; private set; }

    public static async Task<HostilePeer> ConnectAsync(Multiaddr address)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(address.ToEndPoint()).WaitAsync(SwarmKit.Wait);
            return new HostilePeer(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Writes raw bytes; <see langword="false"/> when the listener already dropped the connection.</summary>
    public async Task<bool> TrySendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var flush = await writer.WriteAsync(bytes).AsTask().WaitAsync(SwarmKit.Wait);
            return !flush.IsCompleted;
        }
        catch (IOException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes) => Assert.True(await TrySendAsync(bytes), "The listener dropped the connection.");

    /// <summary>Proposes <paramref name="protocol"/> with multistream-select and expects it accepted.</summary>
    public async Task NegotiateAsync(string protocol)
    {
        await SendAsync(MultistreamMessage.Frame(MultistreamSelect.ProtocolId, protocol));
        Assert.Equal(MultistreamSelect.ProtocolId, await ReadMultistreamAsync());
        Assert.Equal(protocol, await ReadMultistreamAsync());
    }

    /// <summary>Reads one multistream-select message.</summary>
    public async Task<string> ReadMultistreamAsync()
    {
        var payload = await LengthPrefixed.ReadAsync(reader, MultistreamSelect.MaxMessageLength).AsTask().WaitAsync(SwarmKit.Wait)
            ?? throw new Xunit.Sdk.XunitException("The listener closed during negotiation.");
        return MultistreamMessage.Decode(new ReadOnlySequence<byte>(payload));
    }

    /// <summary>Runs an honest Noise handshake as the initiator (muxer agreed inline).</summary>
    public async Task SecureAsync(PrivateKey identity, PeerId? expected = null)
    {
        using var result = await NoiseHandshake.InitiateAsync(new DuplexPipe(reader, writer), identity, expected, [Yamux], TimeProvider.System, SwarmKit.Wait, CancellationToken.None);
        Assert.Equal(Yamux, result.EarlyMuxer);
        RemotePeer = result.RemotePeer;
        codec = result.CreateCodec();
    }

    /// <summary>Sends the first Noise message and reads the second: the handshake is then waiting for our third.</summary>
    public async Task<HandshakeState> StartNoiseAsync(X25519KeyPair staticKey)
    {
        var state = new HandshakeState(true, [], staticKey);
        var buffer = new byte[HandshakeState.MaxMessageSize];
        await SendAsync(Framed(buffer.AsSpan(0, state.WriteMessage([], buffer))));
        var second = await ReadNoiseMessageAsync();
        state.ReadMessage(second, new byte[HandshakeState.MaxMessageSize]);
        return state;
    }

    /// <summary>Sends the third Noise message with the payload given (honest or not).</summary>
    public async Task<bool> TrySendThirdAsync(HandshakeState state, byte[] payload)
    {
        var buffer = new byte[HandshakeState.MaxMessageSize];
        return await TrySendAsync(Framed(buffer.AsSpan(0, state.WriteMessage(payload, buffer))));
    }

    /// <summary>A Noise handshake message: two-byte big-endian length, then the bytes.</summary>
    public static byte[] Framed(ReadOnlySpan<byte> message)
    {
        var framed = new byte[message.Length + 2];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed.AsSpan(2));
        return framed;
    }

    private async Task<byte[]> ReadNoiseMessageAsync()
    {
        while (true)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(SwarmKit.Wait);
            var buffer = result.Buffer;
            if (buffer.Length >= 2)
            {
                var prefix = buffer.Slice(0, 2).ToArray();
                int length = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(prefix);
                if (buffer.Length >= 2 + length)
                {
                    var message = buffer.Slice(2, length).ToArray();
                    reader.AdvanceTo(buffer.GetPosition(2 + length));
                    return message;
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new Xunit.Sdk.XunitException("The listener closed during the Noise handshake.");
            }
        }
    }

    /// <summary>Negotiates Noise and completes the handshake: the connection is then the listener's.</summary>
    public async Task UpgradeAsync(PrivateKey identity)
    {
        await NegotiateAsync(NoiseHandshake.ProtocolId);
        await SecureAsync(identity);
    }

    /// <summary>Sends yamux frames, encrypted, in as few Noise frames as fit.</summary>
    public Task<bool> TrySendFramesAsync(params (YamuxHeader Header, byte[]? Payload)[] frames)
    {
        var plain = new List<byte>();
        foreach (var (header, payload) in frames)
        {
            var bytes = new byte[YamuxHeader.Size];
            header.WriteTo(bytes);
            plain.AddRange(bytes);
            plain.AddRange(payload ?? []);
        }

        return TrySendEncryptedAsync(plain.ToArray());
    }

    public async Task SendFramesAsync(params (YamuxHeader Header, byte[]? Payload)[] frames) =>
        Assert.True(await TrySendFramesAsync(frames), "The listener dropped the connection.");

    /// <summary>Encrypts and sends bytes after the handshake, cut into Noise frames.</summary>
    public async Task<bool> TrySendEncryptedAsync(byte[] plain)
    {
        var sealer = codec ?? throw new InvalidOperationException("Not secured yet.");
        var wire = new List<byte>();
        for (int offset = 0; offset < plain.Length || offset == 0; offset += sealer.MaxPlaintextPerFrame)
        {
            int length = Math.Min(sealer.MaxPlaintextPerFrame, plain.Length - offset);
            var frame = new byte[length + sealer.FrameOverhead];
            sealer.Seal(plain.AsSpan(offset, length), frame);
            wire.AddRange(frame);
            if (plain.Length == 0)
            {
                break;
            }
        }

        return await TrySendAsync(wire.ToArray());
    }

    /// <summary>The next yamux frame from the listener, or null when it closed the connection.</summary>
    public async Task<(YamuxHeader Header, byte[] Payload)?> TryReadFrameAsync()
    {
        if (!await FillAsync(YamuxHeader.Size))
        {
            return null;
        }

        var header = YamuxHeader.ReadFrom(plaintext.GetRange(0, YamuxHeader.Size).ToArray());
        int length = header.Type == YamuxFrameType.Data ? (int)header.Length : 0;
        if (!await FillAsync(YamuxHeader.Size + length))
        {
            return null;
        }

        var payload = plaintext.GetRange(YamuxHeader.Size, length).ToArray();
        plaintext.RemoveRange(0, YamuxHeader.Size + length);
        return (header, payload);
    }

    /// <summary>Reads frames until one matches; null when the listener closed first.</summary>
    public async Task<(YamuxHeader Header, byte[] Payload)?> ReadUntilAsync(Func<YamuxHeader, bool> match)
    {
        while (await TryReadFrameAsync() is { } frame)
        {
            if (match(frame.Header))
            {
                return frame;
            }
        }

        return null;
    }

    /// <summary>Waits until the listener closes or resets the connection, discarding what it sends.</summary>
    public async Task AwaitClosedAsync()
    {
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().AsTask().WaitAsync(SwarmKit.Wait);
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (IOException)
        {
            // Reset rather than closed: dropped all the same.
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>
    /// Closes abortively: SO_LINGER 0 makes the OS send a reset instead of a FIN. (Close(0), not
    /// LingerState then Close: a plain close may shut the socket down first, sending a FIN.)
    /// </summary>
    public void Reset() => socket.Close(0);

    public async ValueTask DisposeAsync()
    {
        codec?.Dispose();
        try
        {
            await reader.CompleteAsync();
            await writer.CompleteAsync();
        }
        catch (Exception)
        {
            // A reset connection cannot flush; it is being closed anyway.
        }

        await stream.DisposeAsync();
        socket.Dispose();
    }

    private async Task<bool> FillAsync(int count)
    {
        var opener = codec ?? throw new InvalidOperationException("Not secured yet.");
        while (plaintext.Count < count)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync().AsTask().WaitAsync(SwarmKit.Wait);
            }
            catch (IOException)
            {
                return false;
            }

            var buffer = result.Buffer;
            while (opener.TryOpen(ref buffer, out var opened))
            {
                plaintext.AddRange(opened.Span.ToArray());
                opened.Return();
            }

            bool completed = result.IsCompleted;
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (completed && plaintext.Count < count)
            {
                return false;
            }
        }

        return true;
    }
}
