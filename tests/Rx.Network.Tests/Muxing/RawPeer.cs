using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Muxing;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Muxing;

/// <summary>A hand-driven yamux peer: sends exactly the frames (or bytes) a test writes and reads the session's frames one by one.</summary>
internal sealed class RawPeer
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly InMemoryDuplexChannel channel;
    private readonly List<byte> pending = [];

    public RawPeer(InMemoryDuplexChannel channel) => this.channel = channel;

    /// <summary>A session (dialer unless told otherwise) wired to a raw peer, with no unsolicited pings.</summary>
    public static (YamuxSession Session, RawPeer Peer) Create(bool sessionIsInitiator = true, YamuxOptions? options = null, TimeProvider? time = null, int capacity = 64)
    {
        var (a, b) = InMemoryDuplexChannel.CreatePair(capacity);
        options ??= new YamuxOptions { PingOnStart = false, KeepAliveInterval = null };
        return (new YamuxSession(a, sessionIsInitiator, options, time), new RawPeer(b));
    }

    public async Task SendAsync(YamuxHeader header, byte[]? payload = null)
    {
        payload ??= [];
        var bytes = new byte[YamuxHeader.Size + payload.Length];
        header.WriteTo(bytes);
        payload.CopyTo(bytes, YamuxHeader.Size);
        await SendBytesAsync(bytes);
    }

    public async Task SendBytesAsync(ReadOnlyMemory<byte> bytes) => Assert.True(await TrySendBytesAsync(bytes));

    /// <summary>Sends bytes; <see langword="false"/> when the session already dropped the connection.</summary>
    public async Task<bool> TrySendBytesAsync(ReadOnlyMemory<byte> bytes)
    {
        var chunk = PooledBuffer.CopyOf(bytes.Span);
        if (await channel.Output.SendAsync(chunk))
        {
            return true;
        }

        chunk.Return();
        return false;
    }

    public void CompleteOutput() => channel.Output.Complete();

    /// <summary>The next frame the session sent, or null when its output completed.</summary>
    public async Task<(YamuxHeader Header, byte[] Payload)?> TryReadFrameAsync()
    {
        if (!await FillAsync(YamuxHeader.Size))
        {
            return null;
        }

        var header = YamuxHeader.ReadFrom(pending.GetRange(0, YamuxHeader.Size).ToArray());
        var length = header.Type == YamuxFrameType.Data ? (int)header.Length : 0;
        Assert.True(await FillAsync(YamuxHeader.Size + length), "The frame's payload was cut off.");
        var payload = pending.GetRange(YamuxHeader.Size, length).ToArray();
        pending.RemoveRange(0, YamuxHeader.Size + length);
        return (header, payload);
    }

    public async Task<(YamuxHeader Header, byte[] Payload)> ReadFrameAsync() =>
        await TryReadFrameAsync() ?? throw new Xunit.Sdk.XunitException("The session closed its output.");

    /// <summary>Chunks the session sent that this peer has not taken yet.</summary>
    public int WaitingChunks => ((BufferBlock<PooledBuffer>)channel.Input).Count;

    /// <summary>The next chunk exactly as the session sent it (only before any frame-level read).</summary>
    public async Task<byte[]> ReceiveChunkAsync()
    {
        Assert.Empty(pending);
        var chunk = await channel.Input.ReceiveAsync().WaitAsync(Timeout);
        var bytes = chunk.Span.ToArray();
        chunk.Return();
        return bytes;
    }

    /// <summary>Reads frames until one matches, skipping the rest.</summary>
    public async Task<(YamuxHeader Header, byte[] Payload)> ReadUntilAsync(Func<YamuxHeader, bool> match)
    {
        while (true)
        {
            var frame = await ReadFrameAsync();
            if (match(frame.Header))
            {
                return frame;
            }
        }
    }

    /// <summary>Reads until the session's output completes, returning every frame.</summary>
    public async Task<List<YamuxHeader>> ReadToEndAsync()
    {
        var frames = new List<YamuxHeader>();
        while (await TryReadFrameAsync() is { } frame)
        {
            frames.Add(frame.Header);
        }

        return frames;
    }

    private async Task<bool> FillAsync(int count)
    {
        while (pending.Count < count)
        {
            if (!await DataflowBlock.OutputAvailableAsync(channel.Input).WaitAsync(Timeout))
            {
                return false;
            }

            var chunk = await channel.Input.ReceiveAsync().WaitAsync(Timeout);
            pending.AddRange(chunk.Span.ToArray());
            chunk.Return();
        }

        return true;
    }
}
