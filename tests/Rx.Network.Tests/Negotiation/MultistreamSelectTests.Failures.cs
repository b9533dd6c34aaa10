using CsCheck;
using Rx.Network.Encoding;
using Rx.Network.Negotiation;
using static Rx.Network.Tests.Negotiation.Transcript;

namespace Rx.Network.Tests.Negotiation;

// Failure paths: malformed and oversized messages, limits, truncation, timeouts, random input.
public partial class MultistreamSelectTests
{
    [Fact]
    public async Task SelectAsync_UnexpectedAnswer_ThrowsProtocolViolation()
    {
        var pair = new DuplexPipePair();
        var selecting = MultistreamSelect.SelectAsync(pair.A, ["/a"]);
        await SendAsync(pair.B, Header, "/b");
        await Assert.ThrowsAsync<WireProtocolViolationException>(() => selecting.WaitAsync(Wait));
    }

    [Fact]
    public async Task SelectAsync_WrongHeader_ThrowsProtocolViolation()
    {
        var pair = new DuplexPipePair();
        var selecting = MultistreamSelect.SelectAsync(pair.A, ["/a"]);
        await SendAsync(pair.B, "/multistream/2.0.0", "/a");
        var e = await Assert.ThrowsAsync<WireProtocolViolationException>(() => selecting.WaitAsync(Wait));
        Assert.Contains("/multistream/2.0.0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_WrongHeader_ThrowsProtocolViolation()
    {
        var pair = new DuplexPipePair();
        var handling = MultistreamSelect.HandleAsync(pair.A, ["/a"]);
        await SendAsync(pair.B, "/a");
        await Assert.ThrowsAsync<WireProtocolViolationException>(() => handling.WaitAsync(Wait));
    }

    [Theory]
    [InlineData("026e61")] // "na" without its newline
    [InlineData("00")] // empty: not even a newline
    [InlineData("03ff610a")] // invalid UTF-8
    [InlineData("8000")] // non-minimal length prefix
    public async Task HandleAsync_MalformedProposal_ThrowsProtocolViolation(string hex)
    {
        var pair = new DuplexPipePair();
        var handling = MultistreamSelect.HandleAsync(pair.A, ["/a"]);
        await SendRawAsync(pair.B, [.. Frames(Header), .. Convert.FromHexString(hex)]);
        await Assert.ThrowsAsync<WireProtocolViolationException>(() => handling.WaitAsync(Wait));
    }

    [Fact]
    public async Task HandleAsync_MessageOver1024Bytes_ThrowsMessageTooLarge()
    {
        var pair = new DuplexPipePair();
        var handling = MultistreamSelect.HandleAsync(pair.A, ["/a"]);

        // Only the declared length is sent: the limit must trip before the body is awaited.
        await SendRawAsync(pair.B, [.. Frames(Header), .. Varint.Encode(1025)]);
        var e = await Assert.ThrowsAsync<MessageTooLargeException>(() => handling.WaitAsync(Wait));
        Assert.Equal(1025, e.DeclaredLength);
        Assert.Equal(1024, e.Limit);
    }

    [Fact]
    public async Task SelectAsync_MessageOver1024Bytes_ThrowsMessageTooLarge()
    {
        var pair = new DuplexPipePair();
        var selecting = MultistreamSelect.SelectAsync(pair.A.AsStream(), ["/a"]);
        await SendRawAsync(pair.B, [.. Varint.Encode(5000), .. new byte[5000]]);
        await Assert.ThrowsAsync<MessageTooLargeException>(() => selecting.WaitAsync(Wait));
    }

    [Fact]
    public async Task BothRoles_ProtocolOfExactly1024BytesWithNewline_IsAccepted()
    {
        var pair = new DuplexPipePair();
        string longest = "/" + new string('x', 1022);
        var selecting = MultistreamSelect.SelectAsync(pair.A, [longest]);
        var handling = MultistreamSelect.HandleAsync(pair.B, [longest]);
        Assert.Equal(longest, await selecting.WaitAsync(Wait));
        Assert.Equal(longest, await handling.WaitAsync(Wait));
    }

    [Fact]
    public async Task HandleAsync_TooManyRefusedProposals_ThrowsWithoutAnsweringTheLastOne()
    {
        var pair = new DuplexPipePair();
        var options = new MultistreamOptions { MaxRefusals = 2 };
        var handling = MultistreamSelect.HandleAsync(pair.A, ["/ok"], options);

        await SendAsync(pair.B, Header, "/x", MultistreamSelect.List, "/z", "/ok");
        var e = await Assert.ThrowsAsync<NegotiationException>(() => handling.WaitAsync(Wait));
        Assert.Equal(NegotiationFailure.TooManyProposals, e.Failure);
        Assert.Equal(["/x", "ls", "/z"], e.ProtocolsTried);

        // Answers went out for the two refusals allowed, and nothing more.
        Assert.Equal(
            [.. Frames(Header, MultistreamSelect.NotAvailable), .. MultistreamMessage.FrameList(["/ok"]).ToArray()],
            Drain(pair.B.Input));
    }

    [Fact]
    public async Task HandleAsync_DefaultLimit_Allows16Refusals()
    {
        var pair = new DuplexPipePair();
        var handling = MultistreamSelect.HandleAsync(pair.A, ["/ok"]);
        var proposals = Enumerable.Range(0, 16).Select(i => $"/no/{i}").Append("/ok").Prepend(Header).ToArray();
        await SendAsync(pair.B, proposals);
        Assert.Equal("/ok", await handling.WaitAsync(Wait));

        var pair2 = new DuplexPipePair();
        var failing = MultistreamSelect.HandleAsync(pair2.A, ["/ok"]);
        await SendAsync(pair2.B, [.. proposals[..^1], "/no/16", "/ok"]);
        var e = await Assert.ThrowsAsync<NegotiationException>(() => failing.WaitAsync(Wait));
        Assert.Equal(17, e.ProtocolsTried.Count);
    }

    [Fact]
    public async Task SelectAsync_TruncatedAnswer_FailsTypedAtEveryCut()
    {
        var full = Frames(Header, MultistreamSelect.NotAvailable, "/b");
        var boundaries = new HashSet<int> { 0, Frames(Header).Length, Frames(Header, "na").Length };
        for (int cut = 0; cut < full.Length; cut++)
        {
            var pair = new DuplexPipePair();
            var selecting = MultistreamSelect.SelectAsync(pair.A, ["/a", "/b"]);
            await SendRawAsync(pair.B, full[..cut]);
            await pair.B.Output.CompleteAsync();
            if (boundaries.Contains(cut))
            {
                var e = await Assert.ThrowsAsync<NegotiationException>(() => selecting.WaitAsync(Wait));
                Assert.Equal(NegotiationFailure.Closed, e.Failure);
            }
            else
            {
                await Assert.ThrowsAsync<WireProtocolViolationException>(() => selecting.WaitAsync(Wait));
            }
        }
    }

    [Fact]
    public async Task HandleAsync_TruncatedOverStream_ThrowsProtocolViolation()
    {
        var pair = new DuplexPipePair();
        var handling = MultistreamSelect.HandleAsync(pair.A.AsStream(), ["/a"]);
        await SendRawAsync(pair.B, Frames(Header, "/a")[..^2]);
        await pair.B.Output.CompleteAsync();
        await Assert.ThrowsAsync<WireProtocolViolationException>(() => handling.WaitAsync(Wait));
    }

    [Fact]
    public async Task SelectAsync_CallerCancels_ThrowsOperationCanceled()
    {
        var pair = new DuplexPipePair();
        using var cts = new CancellationTokenSource();
        var selecting = MultistreamSelect.SelectAsync(pair.A, ["/a"], cancellationToken: cts.Token);
        Assert.Equal(Header, await ReceiveAsync(pair.B));
        Assert.False(selecting.IsCompleted);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => selecting.WaitAsync(Wait));
    }

    [Fact]
    public async Task HandleAsync_StreamCallerCancels_ThrowsOperationCanceled()
    {
        var pair = new DuplexPipePair();
        using var cts = new CancellationTokenSource();
        var handling = MultistreamSelect.HandleAsync(pair.A.AsStream(), ["/a"], cancellationToken: cts.Token);
        Assert.Equal(Header, await ReceiveAsync(pair.B));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handling.WaitAsync(Wait));
    }

    [Fact]
    public async Task HandleAsync_TimeoutElapses_ThrowsTimedOut()
    {
        var time = new ManualTimeProvider();
        var pair = new DuplexPipePair();
        var options = new MultistreamOptions { Timeout = TimeSpan.FromSeconds(5), TimeProvider = time };
        var handling = MultistreamSelect.HandleAsync(pair.A, ["/a"], options);
        await SendAsync(pair.B, Header, "/nope");
        Assert.Equal(Header, await ReceiveAsync(pair.B));
        Assert.Equal("na", await ReceiveAsync(pair.B));
        Assert.Equal(1, time.ArmedTimers);

        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(handling.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));

        var e = await Assert.ThrowsAsync<NegotiationException>(() => handling.WaitAsync(Wait));
        Assert.Equal(NegotiationFailure.TimedOut, e.Failure);
        Assert.Equal(["/nope"], e.ProtocolsTried);
        Assert.IsType<TimeoutException>(e.InnerException);
        Assert.Equal(0, time.ArmedTimers);
    }

    [Fact]
    public async Task SelectAsync_FinishesBeforeTimeout_ReleasesTimer()
    {
        var time = new ManualTimeProvider();
        var pair = new DuplexPipePair();
        var options = new MultistreamOptions { Timeout = TimeSpan.FromSeconds(5), TimeProvider = time };
        var selecting = MultistreamSelect.SelectAsync(pair.A, ["/a"], options);
        Assert.Equal(1, time.ArmedTimers);
        await SendAsync(pair.B, Header, "/a");
        Assert.Equal("/a", await selecting.WaitAsync(Wait));
        Assert.Equal(0, time.ArmedTimers);
    }

    [Fact]
    public async Task SelectAsync_CallerCancelsWithTimeoutSet_ThrowsOperationCanceledNotTimedOut()
    {
        var time = new ManualTimeProvider();
        var pair = new DuplexPipePair();
        using var cts = new CancellationTokenSource();
        var options = new MultistreamOptions { Timeout = TimeSpan.FromSeconds(5), TimeProvider = time };
        var selecting = MultistreamSelect.SelectAsync(pair.A, ["/a"], options, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => selecting.WaitAsync(Wait));
    }

    [Fact]
    public async Task HandleAsync_RandomBytes_OnlyTypedFailures()
    {
        var afterHeader = Gen.Byte.Array[0, 64].Select(b => (byte[])[.. Frames(Header), .. b]);
        await Gen.OneOf(Gen.Byte.Array[0, 64], afterHeader).SampleAsync(async bytes =>
        {
            var pair = new DuplexPipePair();
            var handling = MultistreamSelect.HandleAsync(pair.A, ["/a"], new MultistreamOptions { MaxRefusals = 4 });
            await SendRawAsync(pair.B, bytes);
            await pair.B.Output.CompleteAsync();
            await AssertTypedOutcomeAsync(handling);
        }, iter: 500);
    }

    [Fact]
    public async Task SelectAsync_MutatedAnswer_OnlyTypedFailures()
    {
        var valid = Frames(Header, "na", "na", "/c");
        var mutated = Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, Gen.Int[0, valid.Length], (i, b, cut) =>
        {
            var copy = (byte[])valid.Clone();
            copy[i] = b;
            return copy[..cut];
        });
        await mutated.SampleAsync(async bytes =>
        {
            var pair = new DuplexPipePair();
            var selecting = MultistreamSelect.SelectAsync(pair.A, ["/a", "/b", "/c"]);
            await SendRawAsync(pair.B, bytes);
            await pair.B.Output.CompleteAsync();
            await AssertTypedOutcomeAsync(selecting);
        }, iter: 500);
    }

    private static async Task AssertTypedOutcomeAsync(Task<string> negotiation)
    {
        try
        {
            await negotiation.WaitAsync(Wait);
        }
        catch (FormatException)
        {
            // WireProtocolViolationException and MessageTooLargeException.
        }
        catch (NegotiationException)
        {
        }
    }
}
