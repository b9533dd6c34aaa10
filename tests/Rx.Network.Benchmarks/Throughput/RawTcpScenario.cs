using System.Net;
using System.Net.Sockets;
using Rx.Network.Benchmarks.Support;

namespace Rx.Network.Benchmarks.Throughput;

/// <summary>
/// The baseline: two connected loopback sockets, one sending 64 KiB buffers in a loop, the other
/// receiving into a 64 KiB buffer. No framing, no copies beyond the kernel's.
/// </summary>
public sealed class RawTcpScenario : ITransferScenario
{
    private readonly Socket sender;
    private readonly Socket receiver;
    private readonly byte[] chunk = Payload.CreateChunk();
    private readonly byte[] receiveBuffer = new byte[Payload.ChunkSize];

    private RawTcpScenario(Socket sender, Socket receiver)
    {
        this.sender = sender;
        this.receiver = receiver;
    }

    public static async Task<RawTcpScenario> StartAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accepting = listener.AcceptAsync();
        await sender.ConnectAsync(listener.LocalEndPoint!).ConfigureAwait(false);
        var receiver = await accepting.ConfigureAwait(false);
        receiver.NoDelay = true;
        return new RawTcpScenario(sender, receiver);
    }

    public Task TransferAsync(long bytes) => Task.WhenAll(SendAsync(bytes), ReceiveAsync(bytes));

    public ValueTask DisposeAsync()
    {
        sender.Dispose();
        receiver.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task SendAsync(long bytes)
    {
        for (long sent = 0; sent < bytes; sent += chunk.Length)
        {
            ReadOnlyMemory<byte> remaining = chunk;
            while (!remaining.IsEmpty)
            {
                int count = await sender.SendAsync(remaining, SocketFlags.None).ConfigureAwait(false);
                remaining = remaining[count..];
            }
        }
    }

    private async Task ReceiveAsync(long bytes)
    {
        long received = 0;
        while (received < bytes)
        {
            var room = (int)Math.Min(receiveBuffer.Length, bytes - received);
            int count = await receiver.ReceiveAsync(receiveBuffer.AsMemory(0, room), SocketFlags.None).ConfigureAwait(false);
            if (count == 0)
            {
                throw new IOException("The connection closed early.");
            }

            received += count;
        }
    }
}
