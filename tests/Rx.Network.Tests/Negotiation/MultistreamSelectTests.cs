using System.Buffers;
using System.IO.Pipelines;
using Rx.Network.Negotiation;
using static Rx.Network.Tests.Negotiation.Transcript;

namespace Rx.Network.Tests.Negotiation;

public partial class MultistreamSelectTests
{
    private const string Header = MultistreamSelect.ProtocolId;

    [Fact]
    public void Constants_MatchTheSpec()
    {
        Assert.Equal("/multistream/1.0.0", MultistreamSelect.ProtocolId);
        Assert.Equal("na", MultistreamSelect.NotAvailable);
        Assert.Equal("ls", MultistreamSelect.List);
        Assert.Equal(1024, MultistreamSelect.MaxMessageLength);
    }

    [Fact]
    public async Task SelectAsync_SendsHeaderAndFirstProposalInOneWrite()
    {
        var pair = new DuplexPipePair();
        var selecting = MultistreamSelect.SelectAsync(pair.A, ["/noise"]);

        // One read sees both messages: they went out in a single flush.
        var read = await pair.B.Input.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal(
            Convert.FromHexString("132f6d756c746973747265616d2f312e302e300a" + "07" + "2f6e6f6973650a"),
            read.Buffer.ToArray());
        pair.B.Input.AdvanceTo(read.Buffer.End);

        await SendAsync(pair.B, Header, "/noise");
        Assert.Equal("/noise", await selecting.WaitAsync(Wait));
    }

    [Fact]
    public async Task SelectAsync_Refused_ProposesTheNextOne()
    {
        var pair = new DuplexPipePair();
        var selecting = MultistreamSelect.SelectAsync(pair.A, ["/tls/1.0.0", "/noise"]);

        Assert.Equal(Header, await ReceiveAsync(pair.B));
        Assert.Equal("/tls/1.0.0", await ReceiveAsync(pair.B));
        await SendRawAsync(pair.B, Frames(Header));
        await SendRawAsync(pair.B, 0x03, 0x6e, 0x61, 0x0a); // "na", as the spec writes it
        Assert.Equal("/noise", await ReceiveAsync(pair.B));
        Assert.False(selecting.IsCompleted);
        await SendAsync(pair.B, "/noise");

        Assert.Equal("/noise", await selecting.WaitAsync(Wait));
    }

    [Fact]
    public async Task HandleAsync_UnknownThenKnown_AnswersHeaderNaThenEcho()
    {
        var pair = new DuplexPipePair();
        var handling = MultistreamSelect.HandleAsync(pair.A, ["/noise"]);

        await SendAsync(pair.B, Header, "/tls/1.0.0");
        Assert.Equal(Frames(Header)[1..], await ReceiveRawAsync(pair.B));
        Assert.Equal([0x6e, 0x61, 0x0a], await ReceiveRawAsync(pair.B));
        await SendAsync(pair.B, "/noise");
        Assert.Equal("/noise", await ReceiveAsync(pair.B));

        Assert.Equal("/noise", await handling.WaitAsync(Wait));
    }

    [Fact]
    public async Task HandleAsync_Ls_AnswersWithNestedListThenAcceptsAProposal()
    {
        var pair = new DuplexPipePair();
        var handling = MultistreamSelect.HandleAsync(pair.A, ["/a", "/bb"]);

        await SendAsync(pair.B, Header, MultistreamSelect.List);
        Assert.Equal(Header, await ReceiveAsync(pair.B));

        // <len>(<len>proto\n)*\n, the shape go-multistream and js-libp2p use.
        var answer = await ReceiveRawAsync(pair.B);
        Assert.Equal([0x03, (byte)'/', (byte)'a', 0x0a, 0x04, (byte)'/', (byte)'b', (byte)'b', 0x0a, 0x0a], answer);
        Assert.Equal(["/a", "/bb"], MultistreamMessage.ParseList(new ReadOnlySequence<byte>(answer!)));

        await SendAsync(pair.B, "/bb");
        Assert.Equal("/bb", await ReceiveAsync(pair.B));
        Assert.Equal("/bb", await handling.WaitAsync(Wait));
    }

    [Fact]
    public async Task HandleAsync_Matcher_AcceptsByPredicateAndListsWhatItIsGiven()
    {
        var pair = new DuplexPipePair();
        var asked = new List<string>();
        var handling = MultistreamSelect.HandleAsync(
            pair.A,
            p =>
            {
                asked.Add(p);
                return p.StartsWith("/echo/", StringComparison.Ordinal);
            },
            listed: ["/echo/1.0.0"]);

        await SendAsync(pair.B, Header, MultistreamSelect.List, "/other", "/echo/2.0.0");
        Assert.Equal(Header, await ReceiveAsync(pair.B));
        Assert.Equal(["/echo/1.0.0"], MultistreamMessage.ParseList(new ReadOnlySequence<byte>((await ReceiveRawAsync(pair.B))!)));
        Assert.Equal(MultistreamSelect.NotAvailable, await ReceiveAsync(pair.B));
        Assert.Equal("/echo/2.0.0", await ReceiveAsync(pair.B));

        Assert.Equal("/echo/2.0.0", await handling.WaitAsync(Wait));
        Assert.Equal(["/other", "/echo/2.0.0"], asked); // never asked about "ls"
    }

    [Fact]
    public async Task HandleAsync_MatcherWithoutList_AnswersLsWithEmptyList()
    {
        var pair = new DuplexPipePair();
        var handling = MultistreamSelect.HandleAsync(pair.A, _ => false);
        await SendAsync(pair.B, Header, MultistreamSelect.List);
        Assert.Equal(Header, await ReceiveAsync(pair.B));
        Assert.Equal([0x0a], await ReceiveRawAsync(pair.B));
        Assert.False(handling.IsCompleted);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task BothRoles_AgreeOnFirstCommonProtocol(bool initiatorUsesStream, bool responderUsesStream)
    {
        var pair = new DuplexPipePair();
        string[] proposals = ["/yamux/2.0.0", "/mplex/6.7.0", "/yamux/1.0.0"];
        string[] supported = ["/yamux/1.0.0", "/mplex/6.7.0"];
        var selecting = initiatorUsesStream
            ? MultistreamSelect.SelectAsync(pair.A.AsStream(), proposals)
            : MultistreamSelect.SelectAsync(pair.A, proposals);
        var handling = responderUsesStream
            ? MultistreamSelect.HandleAsync(pair.B.AsStream(), supported)
            : MultistreamSelect.HandleAsync(pair.B, supported);

        Assert.Equal("/mplex/6.7.0", await selecting.WaitAsync(Wait));
        Assert.Equal("/mplex/6.7.0", await handling.WaitAsync(Wait));
    }

    [Fact]
    public async Task BothRoles_StreamMatcherOverload_Agree()
    {
        var pair = new DuplexPipePair();
        var selecting = MultistreamSelect.SelectAsync(pair.A, ["/x", "/y"]);
        var handling = MultistreamSelect.HandleAsync(pair.B.AsStream(), p => p == "/y", ["/y"]);
        Assert.Equal("/y", await selecting.WaitAsync(Wait));
        Assert.Equal("/y", await handling.WaitAsync(Wait));
    }

    [Fact]
    public async Task BothRoles_NoCommonProtocol_InitiatorFailsThenResponderSeesClose()
    {
        var pair = new DuplexPipePair();
        var selecting = MultistreamSelect.SelectAsync(pair.A, ["/a", "/b"]);
        var handling = MultistreamSelect.HandleAsync(pair.B, ["/c"]);

        var e = await Assert.ThrowsAsync<NegotiationException>(() => selecting.WaitAsync(Wait));
        Assert.Equal(NegotiationFailure.NoCommonProtocol, e.Failure);
        Assert.Equal(["/a", "/b"], e.ProtocolsTried);
        Assert.Contains("/a, /b", e.Message, StringComparison.Ordinal);

        // The failed initiator closes the channel, as a caller would.
        await pair.A.Output.CompleteAsync();
        var closed = await Assert.ThrowsAsync<NegotiationException>(() => handling.WaitAsync(Wait));
        Assert.Equal(NegotiationFailure.Closed, closed.Failure);
        Assert.Equal(["/a", "/b"], closed.ProtocolsTried);
    }

    [Fact]
    public async Task SelectAsync_BytesAfterEcho_StayInThePipe()
    {
        var pair = new DuplexPipePair();
        var selecting = MultistreamSelect.SelectAsync(pair.A, ["/a"]);
        await SendRawAsync(pair.B, [.. Frames(Header, "/a"), 1, 2, 3]);
        Assert.Equal("/a", await selecting.WaitAsync(Wait));
        Assert.Equal([1, 2, 3], Drain(pair.A.Input));
    }

    [Fact]
    public async Task HandleAsync_BytesAfterProposal_StayInThePipe()
    {
        var pair = new DuplexPipePair();
        var handling = MultistreamSelect.HandleAsync(pair.A, ["/a"]);
        await SendRawAsync(pair.B, [.. Frames(Header, "/a"), .. Frames("hello")]);
        Assert.Equal("/a", await handling.WaitAsync(Wait));
        Assert.Equal(Frames("hello"), Drain(pair.A.Input));
    }

    [Fact]
    public async Task SelectAsync_OverStream_BytesAfterEchoStayInTheStream()
    {
        var pair = new DuplexPipePair();
        var stream = pair.A.AsStream();
        var selecting = MultistreamSelect.SelectAsync(stream, ["/a"]);
        await SendRawAsync(pair.B, [.. Frames(Header, "/a"), 9, 8, 7]);
        await pair.B.Output.CompleteAsync();
        Assert.Equal("/a", await selecting.WaitAsync(Wait));

        var rest = new MemoryStream();
        await stream.CopyToAsync(rest);
        Assert.Equal([9, 8, 7], rest.ToArray());
    }

    [Fact]
    public async Task Arguments_AreChecked()
    {
        var pair = new DuplexPipePair();
        var pipe = pair.A;
        await Assert.ThrowsAsync<ArgumentNullException>(() => MultistreamSelect.SelectAsync((IDuplexPipe)null!, ["/a"]));
        await Assert.ThrowsAsync<ArgumentNullException>(() => MultistreamSelect.SelectAsync((Stream)null!, ["/a"]));
        await Assert.ThrowsAsync<ArgumentNullException>(() => MultistreamSelect.SelectAsync(pipe, null!));
        await Assert.ThrowsAsync<ArgumentException>(() => MultistreamSelect.SelectAsync(pipe, []));
        foreach (var bad in new[] { null!, "", "ls", "na", Header, "/" + new string('x', 1023), "/\uD800" })
        {
            await Assert.ThrowsAsync<ArgumentException>(() => MultistreamSelect.SelectAsync(pipe, ["/ok", bad]));
            await Assert.ThrowsAsync<ArgumentException>(() => MultistreamSelect.HandleAsync(pipe, ["/ok", bad]));
            await Assert.ThrowsAsync<ArgumentException>(() => MultistreamSelect.HandleAsync(pipe, _ => true, ["/ok", bad]));
        }

        var readOnly = new MemoryStream([], writable: false);
        await Assert.ThrowsAsync<ArgumentException>(() => MultistreamSelect.SelectAsync(readOnly, ["/a"]));
        await Assert.ThrowsAsync<ArgumentException>(() => MultistreamSelect.HandleAsync(readOnly, ["/a"]));
        await Assert.ThrowsAsync<ArgumentException>(() => MultistreamSelect.HandleAsync(readOnly, _ => true));
        await Assert.ThrowsAsync<ArgumentNullException>(() => MultistreamSelect.HandleAsync((IDuplexPipe)null!, ["/a"]));
        await Assert.ThrowsAsync<ArgumentNullException>(() => MultistreamSelect.HandleAsync(pipe, (IReadOnlyCollection<string>)null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => MultistreamSelect.HandleAsync(pipe, (Func<string, bool>)null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => MultistreamSelect.HandleAsync((Stream)null!, _ => true));
        await Assert.ThrowsAsync<ArgumentNullException>(() => MultistreamSelect.HandleAsync(new DuplexPipePair().A.AsStream(), (Func<string, bool>)null!));

        // Nothing was written by the rejected calls.
        Assert.Equal([], Drain(pair.B.Input));
    }
}
