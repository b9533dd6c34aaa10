using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Rx.Network.Addressing;
using Rx.Network.Tests.Swarm;

namespace Rx.Network.Tests.Reliability;

/// <summary>
/// A TCP relay in front of a /ws listener for one client at a time that knows where the client's
/// WebSocket frames begin and end: it forwards the HTTP upgrade, then whole frames, and
/// <see cref="InjectAsync"/> slips raw bytes in between two frames. Lets a test attack a connection
/// that an honest client established (upgrade, security handshake, muxer), as a hostile or broken
/// client would on the same socket.
/// </summary>
internal sealed class WebSocketFrameProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly EndPoint target;
    private readonly CancellationTokenSource stop = new();
    private readonly SemaphoreSlim upstreamSend = new(1, 1);
    private readonly TaskCompletionSource<Socket> upstreamReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Socket> sockets = [];
    private readonly Task loop;

    /// <param name="target">The listener's /ws address.</param>
    public WebSocketFrameProxy(Multiaddr target)
    {
        this.target = target.ToEndPoint();
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Address = Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}/ws");
        loop = AcceptLoopAsync();
    }

    /// <summary>The address to dial instead of the listener's (no peer id).</summary>
    public Multiaddr Address { get; }

    /// <summary>Sends <paramref name="bytes"/> to the listener between two of the client's frames.</summary>
    public async Task InjectAsync(byte[] bytes)
    {
        var upstream = await upstreamReady.Task.WaitAsync(SwarmKit.Wait);
        await upstreamSend.WaitAsync(stop.Token);
        try
        {
            await upstream.SendAsync(bytes, SocketFlags.None);
        }
        finally
        {
            upstreamSend.Release();
        }
    }

    /// <summary>A masked client frame: FIN set, <paramref name="opcode"/> and <paramref name="payload"/> (under 126 bytes).</summary>
    public static byte[] MaskedFrame(byte opcode, byte[] payload)
    {
        byte[] mask = [0x11, 0x22, 0x33, 0x44];
        var frame = new List<byte> { (byte)(0x80 | opcode), (byte)(0x80 | payload.Length) };
        frame.AddRange(mask);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ mask[i % 4])));
        return [.. frame];
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        lock (sockets)
        {
            sockets.ForEach(s => s.Dispose());
        }

        await loop.ContinueWith(_ => { }, TaskScheduler.Default);
        stop.Dispose();
        upstreamSend.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptSocketAsync(stop.Token);
                Track(client);
                _ = RelayAsync(client);
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Track(upstream);
        try
        {
            await upstream.ConnectAsync(target, stop.Token);
            upstreamReady.TrySetResult(upstream);
            await Task.WhenAll(ForwardFramesAsync(client, upstream), ForwardBytesAsync(upstream, client));
        }
        catch (Exception)
        {
            client.Dispose();
            upstream.Dispose();
        }
    }

    /// <summary>Client → listener: the upgrade request, then one whole frame per send.</summary>
    private async Task ForwardFramesAsync(Socket from, Socket to)
    {
        await using var input = new NetworkStream(from, ownsSocket: false);
        try
        {
            // The HTTP upgrade request, up to its blank line.
            var head = new List<byte>();
            var one = new byte[1];
            while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
            {
                await input.ReadExactlyAsync(one, stop.Token);
                head.Add(one[0]);
            }

            await SendWholeAsync(to, [.. head]);
            var header = new byte[14];
            while (true)
            {
                await input.ReadExactlyAsync(header.AsMemory(0, 2), stop.Token);
                int length = header[1] & 0x7F;
                int headerLength = 2;
                long payload = length;
                if (length == 126)
                {
                    await input.ReadExactlyAsync(header.AsMemory(2, 2), stop.Token);
                    payload = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2));
                    headerLength = 4;
                }
                else if (length == 127)
                {
                    await input.ReadExactlyAsync(header.AsMemory(2, 8), stop.Token);
                    payload = (long)BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(2));
                    headerLength = 10;
                }

                if ((header[1] & 0x80) != 0)
                {
                    await input.ReadExactlyAsync(header.AsMemory(headerLength, 4), stop.Token);
                    headerLength += 4;
                }

                var frame = new byte[headerLength + payload];
                header.AsSpan(0, headerLength).CopyTo(frame);
                await input.ReadExactlyAsync(frame.AsMemory(headerLength), stop.Token);
                await SendWholeAsync(to, frame);
            }
        }
        catch (Exception)
        {
            from.Dispose();
            to.Dispose();
        }
    }

    private async Task SendWholeAsync(Socket to, byte[] bytes)
    {
        await upstreamSend.WaitAsync(stop.Token);
        try
        {
            await to.SendAsync(bytes, SocketFlags.None);
        }
        finally
        {
            upstreamSend.Release();
        }
    }

    private static async Task ForwardBytesAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception)
        {
            from.Dispose();
            to.Dispose();
        }
    }

    private void Track(Socket socket)
    {
        lock (sockets)
        {
            sockets.Add(socket);
        }
    }
}
