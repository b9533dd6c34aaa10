using CsCheck;
using Rx.Network.Muxing;
using Rx.Network.Negotiation;
using Rx.Network.Tests.Identity;
using Rx.Network.Tests.Muxing;
using Rx.Network.Tests.Negotiation;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Fuzz;

/// <summary>
/// The stateful decoders (multistream-select, yamux sessions) fed input near a valid transcript,
/// cut into random chunks: each ends with a typed exception or cleanly, within a bound, never
/// hanging or faulting with anything else.
/// </summary>
public sealed class SessionFuzzTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task MultistreamHandle_NearValidTranscript_TypedOutcome()
    {
        var valid = Transcript.Frames(MultistreamSelect.ProtocolId, "/x/1.0.0", MultistreamSelect.List, "/a");
        await Gen.Select(Mutations.Of(valid), Gen.Int[1, 16]).SampleAsync(async (bytes, chunk) =>
        {
            var pair = new DuplexPipePair();
            var handling = MultistreamSelect.HandleAsync(pair.A, ["/a", "/b"], new MultistreamOptions { MaxRefusals = 4 });
            for (int i = 0; i < bytes.Length; i += chunk)
            {
                await pair.B.Output.WriteAsync(bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i)));
            }

            await pair.B.Output.CompleteAsync();
            if (await Fuzz.OutcomeAsync(handling, Bound) is null)
            {
                Assert.Contains(handling.Result, new[] { "/a", "/b" });
            }
        }, iter: Fuzz.Iter(300));
    }

    [Fact]
    public async Task MultistreamSelect_NearValidAnswers_TypedOutcome()
    {
        var valid = Transcript.Frames(MultistreamSelect.ProtocolId, "na", "/b");
        await Gen.Select(Mutations.Of(valid), Gen.Int[1, 16]).SampleAsync(async (bytes, chunk) =>
        {
            var pair = new DuplexPipePair();
            var selecting = MultistreamSelect.SelectAsync(pair.A, ["/a", "/b"]);
            for (int i = 0; i < bytes.Length; i += chunk)
            {
                await pair.B.Output.WriteAsync(bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i)));
            }

            await pair.B.Output.CompleteAsync();
            if (await Fuzz.OutcomeAsync(selecting, Bound) is null)
            {
                Assert.Contains(selecting.Result, new[] { "/a", "/b" });
            }
        }, iter: Fuzz.Iter(300));
    }

    [Fact]
    public async Task YamuxSession_NearValidTranscript_TypedOutcome_NoStreamHangs()
    {
        // What a listener peer might send a dialing session: opens stream 2 with data, updates
        // its window, pings, half-closes, resets stream 4, then goes away.
        byte[] valid =
        [
            .. Frame(YamuxHeader.Data(2, 5, YamuxFlags.Syn)), 1, 2, 3, 4, 5,
            .. Frame(YamuxHeader.WindowUpdate(2, 1000)),
            .. Frame(YamuxHeader.Ping(7, response: false)),
            .. Frame(YamuxHeader.Data(2, 2, YamuxFlags.Fin)), 6, 7,
            .. Frame(YamuxHeader.WindowUpdate(4, 0, YamuxFlags.Syn)),
            .. Frame(YamuxHeader.WindowUpdate(4, 0, YamuxFlags.Rst)),
            .. Frame(YamuxHeader.WindowUpdate(1, 0, YamuxFlags.Ack)),
            .. Frame(YamuxHeader.GoAway(0)),
        ];
        await Gen.Select(Mutations.Of(valid), Gen.Int[1, 40]).SampleAsync(async (bytes, chunk) =>
        {
            var (a, b) = InMemoryDuplexChannel.CreatePair(capacity: 4096);
            var options = new YamuxOptions { PingOnStart = false, KeepAliveInterval = null, CloseTimeout = TimeSpan.Zero };
            var session = new YamuxSession(a, isInitiator: true, options);
            var peer = new RawPeer(b);
            var drained = peer.ReadToEndAsync();
            var accepted = new List<YamuxStream>();
            using var subscription = session.InboundStreams.Subscribe(s =>
            {
                lock (accepted)
                {
                    accepted.Add(s);
                }
            });
            var ours = session.OpenStreamAsync();
            for (int i = 0; i < bytes.Length; i += chunk)
            {
                if (!await peer.TrySendBytesAsync(bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i))))
                {
                    break;
                }
            }

            peer.CompleteOutput();
            await Fuzz.OutcomeAsync(session.Completion, Bound);

            // Every stream, ours and theirs, ends: a read returns or fails typed once the session is over.
            await Fuzz.OutcomeAsync(ours, Bound);
            YamuxStream[] streams;
            lock (accepted)
            {
                streams = [.. accepted, .. ours.IsCompletedSuccessfully ? [ours.Result] : Array.Empty<YamuxStream>()];
            }

            foreach (var stream in streams)
            {
                await Fuzz.OutcomeAsync(DrainAsync(stream), Bound);
            }

            await drained.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Bound);
        }, iter: Fuzz.Iter(300));
    }

    private static async Task DrainAsync(YamuxStream stream)
    {
        var buffer = new byte[256];
        while (await stream.ReadAsync(buffer) > 0)
        {
        }
    }

    private static byte[] Frame(YamuxHeader header)
    {
        var bytes = new byte[YamuxHeader.Size];
        header.WriteTo(bytes);
        return bytes;
    }
}
