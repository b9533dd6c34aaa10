using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rx.Network.Identity;
using Rx.Network.Protocols;

namespace Rx.Network.Cli;

/// <summary>The checks of <c>rxnet dial</c>. Each returns its result fields or throws.</summary>
internal static class Checks
{
    /// <summary>
    /// Pings once as <see cref="PingService.PingAsync"/> does (a new stream) and then
    /// <paramref name="pings"/> − 1 times more on one further stream, and reports the first round
    /// trip apart from the settled one (the median of the rest): a new process's first ping also
    /// pays for code that runs for the first time, the rest show the connection's own RTT. Two
    /// streams in all, one after the other (js-libp2p accepts two inbound ping streams at once).
    /// </summary>
    public static async Task<JsonObject> PingAsync(INetwork network, PeerId peer, int pings, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pings, 1);
        var first = await PingService.PingAsync(network, peer, cancellationToken: cancellationToken);
        var json = new JsonObject
        {
            ["rttMs"] = Math.Round(first.TotalMilliseconds, 3),
            ["firstRttMs"] = Math.Round(first.TotalMilliseconds, 3),
            ["pings"] = pings,
        };
        if (pings > 1)
        {
            var rest = await PingOnOneStreamAsync(network, peer, pings - 1, cancellationToken);
            rest.Sort();
            json["settledRttMs"] = Math.Round(rest[(rest.Count - 1) / 2], 3);
        }

        return json;
    }

    /// <summary>Round trips of 32 random bytes on one <c>/ipfs/ping/1.0.0</c> stream, checked; their RTTs in ms.</summary>
    private static async Task<List<double>> PingOnOneStreamAsync(INetwork network, PeerId peer, int count, CancellationToken cancellationToken)
    {
        var rtts = new List<double>(count);
        var stream = await network.NewStreamAsync(peer, [PingService.ProtocolId], cancellationToken);
        await using (stream)
        {
            var payload = new byte[PingService.PayloadSize];
            var echo = new byte[PingService.PayloadSize];
            for (int i = 0; i < count; i++)
            {
                RandomNumberGenerator.Fill(payload);
                long started = Stopwatch.GetTimestamp();
                await stream.WriteAsync(payload, cancellationToken);
                for (int read = 0; read < echo.Length;)
                {
                    int n = await stream.ReadAsync(echo.AsMemory(read), cancellationToken);
                    read += n > 0 ? n : throw new InvalidDataException("The ping stream ended early.");
                }

                rtts.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!payload.AsSpan().SequenceEqual(echo))
                {
                    throw new InvalidDataException("The ping echo differs from the payload.");
                }
            }

            await stream.CloseWriteAsync(cancellationToken);
        }

        return rtts;
    }

    public static async Task<JsonObject> EchoAsync(INetwork network, PeerId peer, long bytes, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await EchoOnceAsync(network, peer, bytes, seed: 1, cancellationToken);
        double seconds = Math.Max(watch.Elapsed.TotalSeconds, 1e-9);
        return new JsonObject { ["bytes"] = bytes, ["MBps"] = Math.Round(bytes / seconds / 1e6, 2) };
    }

    public static async Task<JsonObject> StreamsAsync(INetwork network, PeerId peer, int streams, int bytesEach, CancellationToken cancellationToken)
    {
        await Task.WhenAll(Enumerable.Range(0, streams).Select(i => EchoOnceAsync(network, peer, bytesEach, seed: i + 2, cancellationToken)));
        return new JsonObject { ["streams"] = streams, ["bytesEach"] = bytesEach };
    }

    /// <summary>Sends <paramref name="bytes"/> to <c>/sink/1.0.0</c> and checks the count the server reports.</summary>
    public static async Task<JsonObject> SinkAsync(INetwork network, PeerId peer, long bytes, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var stream = await network.NewStreamAsync(peer, [SinkProtocol.Id], cancellationToken);
        await using (stream)
        {
            for (long sent = 0; sent < bytes;)
            {
                var chunk = Slice(sent, bytes - sent);
                await stream.WriteAsync(chunk, cancellationToken);
                sent += chunk.Length;
            }

            await stream.CloseWriteAsync(cancellationToken);
            var count = new byte[8];
            for (int read = 0; read < count.Length;)
            {
                int n = await stream.ReadAsync(count.AsMemory(read), cancellationToken);
                read += n > 0 ? n : throw new InvalidDataException("The sink closed before reporting its count.");
            }

            long reported = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(count);
            if (reported != bytes)
            {
                throw new InvalidDataException($"The sink counted {reported} of the {bytes} bytes sent.");
            }
        }

        double seconds = Math.Max(watch.Elapsed.TotalSeconds, 1e-9);
        return new JsonObject { ["bytes"] = bytes, ["MBps"] = Math.Round(bytes / seconds / 1e6, 2) };
    }

    /// <summary>Identifies the peer (<c>/ipfs/id/1.0.0</c>) and reports what it says of itself.</summary>
    public static async Task<JsonObject> IdentifyAsync(INetwork network, PeerId peer, CancellationToken cancellationToken)
    {
        var service = IdentifyService.Of(network) ?? throw new InvalidOperationException("Identify is not running on this node.");
        var connection = await network.DialPeerAsync(peer, cancellationToken);
        var result = await service.IdentifyAsync(connection, cancellationToken);
        return new JsonObject
        {
            ["protocols"] = new JsonArray(result.Protocols.Select(p => (JsonNode)p).ToArray()),
            ["agentVersion"] = result.AgentVersion,
            ["protocolVersion"] = result.ProtocolVersion,
            ["listenAddrs"] = new JsonArray(result.ListenAddresses.Select(a => (JsonNode)a.ToString()).ToArray()),
            ["observedAddr"] = result.ObservedAddress?.ToString(),
        };
    }

    /// <summary>Runs the perf protocol with <paramref name="bytes"/> each way; MBps counts both ways over the whole exchange (as the js peer's perf check).</summary>
    public static async Task<JsonObject> PerfAsync(INetwork network, PeerId peer, long bytes, CancellationToken cancellationToken)
    {
        var result = await PerfService.RunAsync(network, peer, bytes, bytes, cancellationToken: cancellationToken);
        double seconds = Math.Max((result.UploadTime + result.DownloadTime).TotalSeconds, 1e-9);
        return new JsonObject
        {
            ["bytes"] = bytes,
            ["MBps"] = Math.Round(2.0 * bytes / seconds / 1e6, 2),
            ["upload_MBps"] = Math.Round(result.UploadMegabytesPerSecond, 2),
            ["download_MBps"] = Math.Round(result.DownloadMegabytesPerSecond, 2),
        };
    }

    /// <summary>Opens <c>/reset/1.0.0</c>, whose server resets after one byte, and expects to see the reset.</summary>
    public static async Task<JsonObject> ResetAsync(INetwork network, PeerId peer, CancellationToken cancellationToken)
    {
        var stream = await network.NewStreamAsync(peer, [ResetProtocol.Id], cancellationToken);
        await using (stream)
        {
            await stream.WriteAsync(new byte[] { 1 }, cancellationToken);
            try
            {
                while (await stream.ReadAsync(new byte[16], cancellationToken) > 0)
                {
                }
            }
            catch (StreamResetException e) when (e.Remote)
            {
                return new JsonObject { ["observed"] = "remote reset" };
            }

            throw new InvalidOperationException("The stream ended without a reset.");
        }
    }

    /// <summary>Random bytes; each echo stream sends this pattern from its own offset, repeated.</summary>
    private static readonly byte[] Pattern = RandomNumberGenerator.GetBytes(1 << 20);

    /// <summary>Sends <paramref name="bytes"/> random bytes on an echo stream while reading them back, and verifies them.</summary>
    private static async Task EchoOnceAsync(INetwork network, PeerId peer, long bytes, int seed, CancellationToken cancellationToken)
    {
        var stream = await network.NewStreamAsync(peer, [EchoProtocol.Id], cancellationToken);
        await using (stream)
        {
            long origin = (seed * 7919L) % Pattern.Length;
            var writing = Task.Run(
                async () =>
                {
                    for (long sent = 0; sent < bytes;)
                    {
                        var chunk = Slice(origin + sent, bytes - sent);
                        await stream.WriteAsync(chunk, cancellationToken);
                        sent += chunk.Length;
                    }

                    await stream.CloseWriteAsync(cancellationToken);
                },
                cancellationToken);

            var buffer = new byte[64 * 1024];
            long received = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (received + read > bytes)
                {
                    throw new InvalidDataException($"The echo returned more than the {bytes} bytes sent.");
                }

                for (int checkedBytes = 0; checkedBytes < read;)
                {
                    var expected = Slice(origin + received + checkedBytes, read - checkedBytes);
                    if (!buffer.AsSpan(checkedBytes, expected.Length).SequenceEqual(expected.Span))
                    {
                        throw new InvalidDataException($"The echo differs from what was sent, at or after byte {received + checkedBytes}.");
                    }

                    checkedBytes += expected.Length;
                }

                received += read;
            }

            await writing;
            if (received != bytes)
            {
                throw new InvalidDataException($"The echo returned {received} of {bytes} bytes.");
            }
        }
    }

    private static ReadOnlyMemory<byte> Slice(long position, long remaining)
    {
        int start = (int)(position % Pattern.Length);
        return Pattern.AsMemory(start, (int)Math.Min(Math.Min(remaining, Pattern.Length - start), 64 * 1024));
    }
}
