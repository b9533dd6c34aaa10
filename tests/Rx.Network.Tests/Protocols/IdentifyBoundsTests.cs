using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using Rx.Network.Addressing;
using Rx.Network.Encoding;
using Rx.Network.Protocols;
using Xunit.Abstractions;
using static Rx.Network.Tests.Protocols.IdentifyTestKit;
using Proto = Rx.Network.Encoding.Proto;

namespace Rx.Network.Tests.Protocols;

/// <summary>
/// Issue #14's identify attack: a peer answers identify, and pushes, with ten 8 KiB messages listing
/// thousands of distinct protocols and addresses. The work the listener does is bounded by
/// <see cref="IdentifyOptions.MaxProtocols"/>, <see cref="IdentifyOptions.MaxListenAddresses"/> and
/// <see cref="IdentifyOptions.MaxPushesPerMinute"/>; counts are asserted, CPU time only reported.
/// </summary>
public sealed class IdentifyBoundsTests(ITestOutputHelper output)
{
    private const int Bound = 256 + 64;

    [Fact]
    public async Task HostileAnswerAndPush_ExamineAtMostTheBoundEach()
    {
        var protocols = HostilePayload((m, i) => m.Protocols.Add($"/p/{i}"));
        var addresses = HostilePayload((m, i) => m.ListenAddrs.Add(ByteString.CopyFrom(Multiaddr.Parse($"/ip4/10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}/tcp/1").Bytes.Span)));
        await using var a = await StartAsync(builder => builder.WithIdentify(new IdentifyOptions { IdentifyNewConnections = false }));
        await using var b = await StartAsync(builder => builder.WithoutIdentify());
        b.SetStreamHandler(IdentifyService.ProtocolId, Writes(protocols));
        var connection = await ConnectAsync(a, b);
        var service = Service(a);

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var answer = await service.IdentifyAsync(connection).WaitAsync(Wait);
        var identifyCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        Assert.Equal(256, answer.Protocols.Count);
        Assert.Equal(256, service.EntriesExamined);

        var pushed = NextResult(a, r => r.IsPush);
        cpu = Process.GetCurrentProcess().TotalProcessorTime;
        Assert.True(await PushAsync(b, a, addresses));
        var push = await pushed;
        var pushCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        Assert.Equal(64, push.ListenAddresses.Count);
        Assert.Equal(256 + 64, service.EntriesExamined);
        Assert.InRange(a.Peerstore.PeerInfo(b.LocalPeer)!.Addresses.Count, 1, 64);
        output.WriteLine($"process CPU (both nodes, one process): identify answer {identifyCpu.TotalMilliseconds:F1} ms, push {pushCpu.TotalMilliseconds:F1} ms");
    }

    [Fact]
    public async Task PushesBeyondThePerMinuteAllowance_AreResetUnread()
    {
        var time = new FakeTimeProvider();
        var payload = HostilePayload((m, i) => m.Protocols.Add($"/p/{i}"));
        await using var a = await StartAsync(builder => builder.WithTimeProvider(time).WithIdentify(new IdentifyOptions { IdentifyNewConnections = false, PushUpdates = false }));
        await using var b = await StartAsync(builder => builder.WithoutIdentify());
        await ConnectAsync(b, a);
        var service = Service(a);

        var outcomes = new List<bool>();
        for (int i = 0; i < 12; i++)
        {
            outcomes.Add(await PushAsync(b, a, payload));
        }

        Assert.Equal([.. Enumerable.Repeat(true, 10), false, false], outcomes);
        Assert.Equal(10 * 256, service.EntriesExamined);

        // The allowance comes back with time: one push per six seconds.
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.True(await PushAsync(b, a, payload));
        Assert.False(await PushAsync(b, a, payload));
        Assert.Equal(11 * 256, service.EntriesExamined);
    }

    /// <summary>Pushes <paramref name="payload"/> from <paramref name="from"/>; true when the other side read it and closed, false when it reset the stream.</summary>
    private static async Task<bool> PushAsync(INetwork from, INetwork to, byte[] payload)
    {
        IStream? stream = null;
        try
        {
            // A refused push may be reset while the stream is still being negotiated.
            stream = await from.NewStreamAsync(to.LocalPeer, [IdentifyService.PushProtocolId]).WaitAsync(Wait);
            await stream.WriteAsync(payload).AsTask().WaitAsync(Wait);
            await stream.CloseWriteAsync().AsTask().WaitAsync(Wait);
            return await DrainAsync(stream) is null;
        }
        catch (IOException)
        {
            return false;
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
        }
    }

    /// <summary>Ten length-prefixed messages of just under 8 KiB, each filled by <paramref name="add"/> with distinct entries.</summary>
    private static byte[] HostilePayload(Action<Proto.Identify, int> add)
    {
        var framed = new List<byte>();
        int next = 0;
        for (int m = 0; m < 10; m++)
        {
            var message = new Proto.Identify();
            while (message.CalculateSize() < IdentifyOptions.DefaultMaxMessageSize - 16)
            {
                add(message, next++);
            }

            framed.AddRange(LengthPrefixed.Frame(message.ToByteArray()));
        }

        return [.. framed];
    }
}
