using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Encoding;
using Rx.Network.Examples.Chat;
using Rx.Network.Examples.Tests.Fixture;

namespace Rx.Network.Examples.Tests.Chat;

/// <summary>ChatSession between two real peers on loopback.</summary>
public sealed class ChatSessionTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = LoopbackPeers.Timeout;
    private LoopbackPeers peers = null!;

    public async Task InitializeAsync() => peers = await LoopbackPeers.StartAsync();

    public async Task DisposeAsync() => await peers.DisposeAsync();

    [Fact]
    public async Task Messages_FlowBothWays_WithTheSendersPeerId()
    {
        var (host, guest) = await OpenAsync();
        await using (host)
        await using (guest)
        {
            var atHost = Record(host);
            var atGuest = Record(guest);

            await guest.SendAsync("hello from the guest").WaitAsync(Timeout);
            await host.SendAsync("hello back, with ünïcödé 👋").WaitAsync(Timeout);

            Assert.Equal(new ChatMessage(peers.Dialer.LocalPeer, "hello from the guest"), await atHost.FirstAsync().ToTask().WaitAsync(Timeout));
            Assert.Equal(new ChatMessage(peers.Listener.LocalPeer, "hello back, with ünïcödé 👋"), await atGuest.FirstAsync().ToTask().WaitAsync(Timeout));
            Assert.Equal(peers.Dialer.LocalPeer, host.RemotePeer);
            Assert.Equal(peers.Listener.LocalPeer, host.LocalPeer);
            Assert.Equal(peers.Listener.LocalPeer, guest.RemotePeer);
        }
    }

    [Fact]
    public async Task Messages_ManyMessagesOfManySizes_ArriveWholeAndInOrder()
    {
        var (host, guest) = await OpenAsync();
        await using (host)
        await using (guest)
        {
            // Sizes from empty to the limit, so messages share chunks and span them.
            var sent = Enumerable.Range(0, 300)
                .Select(i => new string((char)('a' + (i % 26)), (i * 7919) % (ChatSession.MaxMessageBytes + 1)))
                .ToList();
            var received = Record(host);

            foreach (var text in sent)
            {
                await guest.SendAsync(text).WaitAsync(Timeout);
            }

            var texts = await received.Take(sent.Count).Select(m => m.Text).ToList().ToTask().WaitAsync(Timeout);
            Assert.Equal(sent, texts);
        }
    }

    [Fact]
    public async Task LeaveAsync_CompletesTheOthersMessages_WhileTheyCanStillSendToUs()
    {
        var (host, guest) = await OpenAsync();
        await using (host)
        await using (guest)
        {
            var atHost = Record(host);
            var atGuest = Record(guest);
            await guest.SendAsync("last words").WaitAsync(Timeout);

            await guest.LeaveAsync().WaitAsync(Timeout);

            var all = await atHost.ToList().ToTask().WaitAsync(Timeout);
            Assert.Equal(["last words"], all.Select(m => m.Text));
            await host.SendAsync("goodbye").WaitAsync(Timeout);
            Assert.Equal("goodbye", (await atGuest.FirstAsync().ToTask().WaitAsync(Timeout)).Text);
            await Assert.ThrowsAsync<InvalidOperationException>(() => guest.SendAsync("too late").WaitAsync(Timeout));
        }
    }

    [Fact]
    public async Task Messages_InvalidUtf8_ErrorsAndResetsTheStream()
    {
        var (host, raw) = await OpenRawAsync();
        await using (host)
        {
            await raw.WriteAsync(LengthPrefixed.Frame([0xFF, 0xFE, 0xFD])).AsTask().WaitAsync(Timeout);

            await Assert.ThrowsAsync<WireProtocolViolationException>(() => host.Messages.ToTask().WaitAsync(Timeout));
            await Assert.ThrowsAsync<StreamResetException>(() => raw.Completion.WaitAsync(Timeout));
        }
    }

    [Fact]
    public async Task Messages_LengthAboveTheLimit_ErrorsWithMessageTooLarge()
    {
        var (host, raw) = await OpenRawAsync();
        await using (host)
        {
            await raw.WriteAsync(Varint.Encode(ChatSession.MaxMessageBytes + 1)).AsTask().WaitAsync(Timeout);

            var error = await Assert.ThrowsAsync<MessageTooLargeException>(() => host.Messages.ToTask().WaitAsync(Timeout));
            Assert.Equal(ChatSession.MaxMessageBytes + 1, error.DeclaredLength);
            await Assert.ThrowsAsync<StreamResetException>(() => raw.Completion.WaitAsync(Timeout));
        }
    }

    [Fact]
    public async Task Messages_StreamEndsInsideAMessage_ErrorsWithProtocolViolation()
    {
        var (host, raw) = await OpenRawAsync();
        await using (host)
        {
            await raw.WriteAsync(new byte[] { 10, (byte)'h', (byte)'i' }).AsTask().WaitAsync(Timeout);
            await raw.CloseWriteAsync().AsTask().WaitAsync(Timeout);

            var error = await Assert.ThrowsAsync<WireProtocolViolationException>(() => host.Messages.ToTask().WaitAsync(Timeout));
            Assert.Contains("inside a message", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Messages_RemoteReset_ErrorsWithStreamReset()
    {
        var (host, raw) = await OpenRawAsync();
        await using (host)
        {
            raw.Reset();

            await Assert.ThrowsAsync<StreamResetException>(() => host.Messages.ToTask().WaitAsync(Timeout));
        }
    }

    [Fact]
    public async Task SendAsync_TextTooLongOrNotUtf16_ThrowsArgumentException_AndTheSessionStaysUsable()
    {
        var (host, guest) = await OpenAsync();
        await using (host)
        await using (guest)
        {
            var atHost = Record(host);

            await Assert.ThrowsAsync<ArgumentException>(() => guest.SendAsync(new string('x', ChatSession.MaxMessageBytes + 1)));
            await Assert.ThrowsAsync<ArgumentException>(() => guest.SendAsync(new string('é', (ChatSession.MaxMessageBytes / 2) + 1)));
            await Assert.ThrowsAsync<ArgumentException>(() => guest.SendAsync("lone \uD800 surrogate"));
            await Assert.ThrowsAsync<ArgumentNullException>(() => guest.SendAsync(null!));
            await guest.SendAsync(new string('x', ChatSession.MaxMessageBytes)).WaitAsync(Timeout);

            Assert.Equal(ChatSession.MaxMessageBytes, (await atHost.FirstAsync().ToTask().WaitAsync(Timeout)).Text.Length);
        }
    }

    [Fact]
    public async Task AcceptAsync_Canceled_ThrowsOperationCanceled()
    {
        using var cancel = new CancellationTokenSource();
        var accepting = ChatSession.AcceptAsync(peers.Listener, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting.WaitAsync(Timeout));
    }

    [Fact]
    public async Task ConnectAsync_PeerWithoutChat_ThrowsNegotiationException()
    {
        await Assert.ThrowsAsync<NegotiationException>(() => ChatSession.ConnectAsync(peers.Dialer, peers.Listener.LocalPeer).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Members_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new ChatSession(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => ChatSession.ConnectAsync(null!, peers.Listener.LocalPeer));
        await Assert.ThrowsAsync<ArgumentNullException>(() => ChatSession.ConnectAsync(peers.Dialer, null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => ChatSession.AcceptAsync(null!));
    }

    /// <summary>Subscribes once for the whole test and replays to every later subscriber.</summary>
    private static IObservable<ChatMessage> Record(ChatSession session)
    {
        var replay = session.Messages.Replay();
        replay.Connect();
        return replay;
    }

    private async Task<(ChatSession Host, ChatSession Guest)> OpenAsync()
    {
        var accepting = ChatSession.AcceptAsync(peers.Listener);
        var guest = await ChatSession.ConnectAsync(peers.Dialer, peers.Listener.LocalPeer).WaitAsync(Timeout);
        var host = await accepting.WaitAsync(Timeout);
        return (host, guest);
    }

    /// <summary>A host session whose other end is a bare stream, for sending it bytes no ChatSession would.</summary>
    private async Task<(ChatSession Host, IStream Raw)> OpenRawAsync()
    {
        var accepting = ChatSession.AcceptAsync(peers.Listener);
        var raw = await peers.Dialer.NewStreamAsync(peers.Listener.LocalPeer, [ChatSession.ProtocolId]).WaitAsync(Timeout);
        return (await accepting.WaitAsync(Timeout), raw);
    }
}
