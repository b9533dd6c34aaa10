using System.Diagnostics;
using System.Net;
using Google.Protobuf;
using Rx.Network.Addressing;
using Rx.Network.Encoding;
using Rx.Network.Negotiation;
using Proto = Rx.Network.Encoding.Proto;

namespace Rx.Network.PerfTool.Attacks;

/// <summary>
/// Issue #14's identify attack: connections with fresh identities that answer the listener's
/// identify, and push, with ten 8 KiB messages listing about 11,500 distinct protocols (or about
/// 5,000 listen addresses). <see cref="MeasureAsync"/> gives the listener's CPU per connection.
/// </summary>
internal static class IdentifyFlood
{
    public const string Identify = "/ipfs/id/1.0.0";
    public const string Push = "/ipfs/id/push/1.0.0";

    private const int MessageSize = 8 * 1024;

    /// <summary>What the attack lists: protocols, addresses, or (the baseline) what an honest peer sends.</summary>
    public enum Content
    {
        Honest,
        Protocols,
        Addresses,
    }

    /// <summary>The length-prefixed messages of one identify answer or push.</summary>
    public static byte[] Payload(Content content)
    {
        if (content == Content.Honest)
        {
            var honest = new Proto.Identify { AgentVersion = "honest/1.0", ProtocolVersion = "ipfs/0.1.0" };
            honest.Protocols.Add(["/ipfs/id/1.0.0", "/ipfs/id/push/1.0.0", "/ipfs/ping/1.0.0", "/echo/1.0.0"]);
            honest.ListenAddrs.Add(ByteString.CopyFrom(Multiaddr.Parse("/ip4/127.0.0.2/tcp/4001").Bytes.Span));
            return LengthPrefixed.Frame(honest.ToByteArray());
        }

        var framed = new List<byte>();
        int next = 0;
        for (int m = 0; m < 10; m++)
        {
            var message = new Proto.Identify();
            while (message.CalculateSize() < MessageSize - 16)
            {
                int i = next++;
                if (content == Content.Protocols)
                {
                    message.Protocols.Add($"/p/{i}");
                }
                else
                {
                    message.ListenAddrs.Add(ByteString.CopyFrom(Multiaddr.Parse($"/ip4/10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}/tcp/1").Bytes.Span));
                }
            }

            framed.AddRange(LengthPrefixed.Frame(message.ToByteArray()));
        }

        return [.. framed];
    }

    /// <summary>
    /// Runs <paramref name="connections"/> attacker connections (four at a time), each answering
    /// identify and pushing once with <paramref name="content"/>, and returns the listener's CPU time
    /// per connection (handshake included), read from /proc once its CPU use settled.
    /// </summary>
    public static async Task<(TimeSpan CpuPerConnection, int Connections, int PushesRead)> MeasureAsync(ListenerProcess listener, IPAddress source, Content content, int connections, CancellationToken cancellationToken)
    {
        var payload = Payload(content);
        var before = await SettledCpuAsync(listener, cancellationToken).ConfigureAwait(false);
        int upgraded = 0, pushesRead = 0, next = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= connections)
            {
                AttackConnection connection;
                try
                {
                    connection = await AttackConnection.ConnectAsync(listener.EndPoint, source, cancellationToken, p => p == Identify ? payload : null).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    continue;
                }

                await using (connection.ConfigureAwait(false))
                {
                    Interlocked.Increment(ref upgraded);
                    if (await PushAsync(connection, payload, cancellationToken).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref pushesRead);
                    }
                }
            }
        })).ConfigureAwait(false);
        var after = await SettledCpuAsync(listener, cancellationToken).ConfigureAwait(false);
        return ((after - before) / Math.Max(upgraded, 1), upgraded, pushesRead);
    }

    /// <summary>
    /// The listener's CPU per connection for each kind of content, robust to a loaded machine:
    /// <paramref name="warmUp"/> unmeasured connections of each kind first (the JIT), then
    /// <paramref name="rounds"/> rounds taking the kinds in turn, <paramref name="connections"/> each;
    /// the median round per kind (rounds in which the listener refused every connection left out).
    /// The honest figure is the baseline the attack adds to.
    /// </summary>
    public static async Task<IReadOnlyDictionary<Content, TimeSpan>> CompareAsync(ListenerProcess listener, IPAddress source, int warmUp, int rounds, int connections, CancellationToken cancellationToken)
    {
        var kinds = Enum.GetValues<Content>();
        foreach (var content in kinds)
        {
            await MeasureAsync(listener, source, content, warmUp, cancellationToken).ConfigureAwait(false);
        }

        var samples = kinds.ToDictionary(k => k, _ => new List<TimeSpan>());
        for (int round = 0; round < rounds; round++)
        {
            foreach (var content in kinds)
            {
                var (cpu, upgraded, _) = await MeasureAsync(listener, source, content, connections, cancellationToken).ConfigureAwait(false);
                if (upgraded > 0)
                {
                    samples[content].Add(cpu);
                }
            }
        }

        return samples.Where(pair => pair.Value.Count > 0).ToDictionary(pair => pair.Key, pair => pair.Value.Order().ElementAt(pair.Value.Count / 2));
    }

    /// <summary>Pushes, and waits until the listener closed the push stream (it read it) or reset it.</summary>
    private static async Task<bool> PushAsync(AttackConnection connection, byte[] payload, CancellationToken cancellationToken)
    {
        if (await connection.OpenStreamAsync(MultistreamMessage.Frame(MultistreamSelect.ProtocolId, Push), cancellationToken).ConfigureAwait(false) is not { } stream
            || !await stream.WriteAsync(payload, fin: true, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            return await stream.Ended.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The listener's CPU time once two samples 300 ms apart differ by under 5 ms (at most 15 s).</summary>
    private static async Task<TimeSpan> SettledCpuAsync(ListenerProcess listener, CancellationToken cancellationToken)
    {
        var previous = listener.Sample().Cpu;
        long started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(300, cancellationToken).ConfigureAwait(false);
            var now = listener.Sample().Cpu;
            if (now - previous < TimeSpan.FromMilliseconds(5))
            {
                return now;
            }

            previous = now;
        }

        return previous;
    }
}
