using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Rx.Network.PerfTool;

/// <summary>
/// The baseline: the same perf exchange (8-byte count, upload, half-close, download) and the same
/// 32-byte ping over plain loopback sockets, with 64 KiB buffers, no framing and no encryption. A
/// "handshake" here is a TCP connect and close.
/// </summary>
internal static class TcpPerf
{
    private const int Block = 64 * 1024;

    public static async Task<int> ServeAsync()
    {
        var stopped = new TaskCompletionSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var perf = Listen();
        using var echo = Listen();
        _ = AcceptLoopAsync(perf, ServePerfAsync);
        _ = AcceptLoopAsync(echo, ServeEchoAsync);
        Json.Emit(new JsonObject
        {
            ["event"] = "listening",
            ["addr"] = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port(perf)}:{Port(echo)}"),
        });
        await stopped.Task;
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopped.TrySetResult();
        }
    }

    public static async Task<int> ClientAsync(Options options)
    {
        var parts = options.Positional(0, "HOST:PERFPORT:ECHOPORT").Split(':');
        var host = IPAddress.Parse(parts[0]);
        var perf = new IPEndPoint(host, int.Parse(parts[1], CultureInfo.InvariantCulture));
        var echo = new IPEndPoint(host, int.Parse(parts[2], CultureInfo.InvariantCulture));
        var measure = options.Text("measure", "throughput");
        JsonObject result = measure switch
        {
            "throughput" => await Measurements.ThroughputAsync(
                (up, down) => ExchangeAsync(perf, up, down),
                options.Long("bytes", 64L << 20),
                options.Int("streams", 1),
                options.Int("runs", 3),
                TimeSpan.FromSeconds(options.Int("warmup-seconds", Measurements.DefaultWarmupSeconds))),
            "handshakes" => await Measurements.HandshakesAsync(
                [.. Enumerable.Range(0, options.Int("concurrency", 2)).Select<int, Func<Task>>(_ => () => ConnectCloseAsync(echo))],
                options.Int("seconds", 3),
                TimeSpan.FromSeconds(options.Int("warmup-seconds", Measurements.DefaultWarmupSeconds))),
            "ping" => await PingAsync(echo, options.Int("pings", 2000)),
            "ping-under-load" => await PingUnderLoadAsync(perf, echo, options),
            _ => throw new ArgumentException($"Unknown --measure {measure}."),
        };
        result.Insert(0, "impl", "tcp");
        Json.Emit(result);
        return 0;
    }

    /// <summary>
    /// The baseline's CPU cost: server and client in this process, one perf exchange of
    /// <c>--bytes</c> each way after a warm-up, process CPU seconds per GB of payload (the same
    /// rule as the rxnet <c>alloc</c> probe).
    /// </summary>
    public static async Task<int> CpuAsync(Options options)
    {
        long bytes = options.Long("bytes", 256L << 20);
        using var perf = Listen();
        _ = AcceptLoopAsync(perf, ServePerfAsync);
        var server = (IPEndPoint)perf.LocalEndPoint!;
        await ExchangeAsync(server, bytes / 4, bytes / 4);
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        await ExchangeAsync(server, bytes, bytes);
        double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        double cpuSeconds = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Json.Emit(new JsonObject
        {
            ["impl"] = "tcp",
            ["measure"] = "cpu",
            ["payloadBytes"] = 2 * bytes,
            ["mbps"] = 2 * bytes / seconds / 1e6,
            ["cpuSecondsPerGB"] = cpuSeconds / (2 * bytes / 1e9),
        });
        return 0;
    }

    private static Socket Listen()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(1024);
        return socket;
    }

    private static int Port(Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;

    private static async Task AcceptLoopAsync(Socket listener, Func<Socket, Task> serve)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync();
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                return; // the listener closed
            }

            client.NoDelay = true;
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await serve(client);
                    }
                    catch (SocketException)
                    {
                        // The client went away; nothing to report for a baseline server.
                    }
                }
            });
        }
    }

    private static async Task ServePerfAsync(Socket socket)
    {
        var buffer = new byte[Block];
        await Measurements.ReadExactlyAsync(b => socket.ReceiveAsync(b), buffer.AsMemory(0, 8));
        long requested = (long)BinaryPrimitives.ReadUInt64BigEndian(buffer);
        while (await socket.ReceiveAsync(buffer) > 0)
        {
        }

        Array.Clear(buffer);
        await SendZerosAsync(socket, buffer, requested);
        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task ServeEchoAsync(Socket socket)
    {
        var buffer = new byte[Block];
        int n;
        while ((n = await socket.ReceiveAsync(buffer)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, n));
        }
    }

    private static async Task ExchangeAsync(IPEndPoint server, long up, long down)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server);
        var buffer = new byte[Block];
        BinaryPrimitives.WriteUInt64BigEndian(buffer, (ulong)down);
        await socket.SendAsync(buffer.AsMemory(0, 8));
        Array.Clear(buffer);
        await SendZerosAsync(socket, buffer, up);
        socket.Shutdown(SocketShutdown.Send);
        long received = 0;
        int n;
        while ((n = await socket.ReceiveAsync(buffer)) > 0)
        {
            received += n;
        }

        if (received != down)
        {
            throw new InvalidDataException($"The server sent {received} of {down} bytes.");
        }
    }

    private static async Task SendZerosAsync(Socket socket, byte[] zeros, long count)
    {
        for (long sent = 0; sent < count;)
        {
            int size = (int)Math.Min(zeros.Length, count - sent);
            sent += await socket.SendAsync(zeros.AsMemory(0, size));
        }
    }

    private static async Task ConnectCloseAsync(IPEndPoint server)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server);
        socket.Shutdown(SocketShutdown.Send);
        var one = new byte[1];
        await socket.ReceiveAsync(one); // the server's close: the connection is done at both ends
    }

    /// <summary>The baseline of ping under load: the upload on one socket, the round trips on a second one.</summary>
    private static async Task<JsonObject> PingUnderLoadAsync(IPEndPoint perf, IPEndPoint echo, Options options)
    {
        var payload = new byte[32];
        var echoed = new byte[32];
        return await Measurements.PingUnderLoadAsync(
            (sent, stop) => UploadUntilAsync(perf, sent, stop),
            async () =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(echo);
                return new Measurements.PingLane(
                    async () =>
                    {
                        RandomNumberGenerator.Fill(payload);
                        await socket.SendAsync(payload);
                        await Measurements.ReadExactlyAsync(b => socket.ReceiveAsync(b), echoed);
                    },
                    () =>
                    {
                        socket.Dispose();
                        return ValueTask.CompletedTask;
                    });
            },
            options.Int("pings", 1000),
            options.Int("runs", 3),
            TimeSpan.FromSeconds(options.Int("seconds", 2)),
            TimeSpan.FromSeconds(options.Int("warmup-seconds", Measurements.DefaultWarmupSeconds)));
    }

    private static async Task UploadUntilAsync(IPEndPoint server, System.Runtime.CompilerServices.StrongBox<long> sent, CancellationToken stop)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server);
        var block = new byte[Block];
        // stop only ends the loop: the exchange then finishes cleanly (CancellationToken.None).
        await socket.SendAsync(block.AsMemory(0, 8), CancellationToken.None); // zeros: no bytes asked back
        while (!stop.IsCancellationRequested)
        {
            Interlocked.Add(ref sent.Value, await socket.SendAsync(block, CancellationToken.None));
        }

        socket.Shutdown(SocketShutdown.Send);
        if (await socket.ReceiveAsync(block) != 0)
        {
            throw new InvalidDataException("The server sent bytes that were not asked for.");
        }
    }

    private static async Task<JsonObject> PingAsync(IPEndPoint server, int count)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server);
        var payload = new byte[32];
        var echo = new byte[32];
        return await Measurements.PingAsync(
            async () =>
            {
                RandomNumberGenerator.Fill(payload);
                await socket.SendAsync(payload);
                await Measurements.ReadExactlyAsync(b => socket.ReceiveAsync(b), echo);
            },
            count,
            Math.Min(200, count));
    }
}
