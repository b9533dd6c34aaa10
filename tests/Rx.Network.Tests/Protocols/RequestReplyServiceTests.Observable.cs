using System.Reactive.Linq;
using Rx.Network.Protocols;

namespace Rx.Network.Tests.Protocols;

public sealed partial class RequestReplyServiceTests
{
    [Fact]
    public async Task Requests_LinqFilters_EachSubscriberAnswersItsShare()
    {
        var service = nets.ServerService();
        using var evens = service.Requests
            .Where(r => r.Request.Span[0] % 2 == 0)
            .Subscribe(r => _ = r.ReplyAsync(System.Text.Encoding.UTF8.GetBytes($"even {r.Request.Span[0]}")));
        using var odds = service.Requests
            .Where(r => r.Request.Span[0] % 2 == 1)
            .Select(r => (Request: r, Text: $"odd {r.Request.Span[0]}"))
            .Subscribe(x => _ = x.Request.ReplyAsync(System.Text.Encoding.UTF8.GetBytes(x.Text)));
        var client = nets.ClientService();

        var replies = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => client.RequestAsync(nets.ServerPeer, new[] { (byte)i }))).WaitAsync(TestTimeout);

        Assert.Equal(
            Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? "even " : "odd ") + i),
            replies.Select(r => System.Text.Encoding.UTF8.GetString(r.Span)));
    }

    [Fact]
    public async Task Requests_SubscriberSeesContext()
    {
        var service = nets.ServerService();
        var seen = new TaskCompletionSource<IncomingRequest>();
        using var subscription = service.Requests.Subscribe(r =>
        {
            seen.TrySetResult(r);
            _ = r.ReplyAsync("ok"u8.ToArray());
        });

        await nets.ClientService().RequestAsync(nets.ServerPeer, "abc"u8.ToArray()).WaitAsync(TestTimeout);

        var request = await seen.Task.WaitAsync(TestTimeout);
        Assert.Equal(nets.Client.LocalPeer, request.RemotePeer);
        Assert.Equal("abc", System.Text.Encoding.UTF8.GetString(request.Request.Span));
        Assert.True(request.IsAnswered);
        Assert.False(request.Aborted.IsCancellationRequested);
    }

    [Fact]
    public async Task Requests_NoSubscriber_ProtocolNotServed()
    {
        var service = nets.ServerService();
        var client = nets.ClientService();
        await Assert.ThrowsAsync<NegotiationException>(() => client.RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout));

        var subscription = service.Requests.Subscribe(r => _ = r.ReplyAsync("yes"u8.ToArray()));
        Assert.Equal("yes", System.Text.Encoding.UTF8.GetString((await client.RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout)).Span));

        subscription.Dispose();
        subscription.Dispose();
        await Assert.ThrowsAsync<NegotiationException>(() => client.RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task Requests_HandlerSet_HandlerWinsOverSubscribers()
    {
        var service = nets.ServerService();
        int observed = 0;
        using var subscription = service.Requests.Subscribe(r =>
        {
            Interlocked.Increment(ref observed);
            _ = r.ReplyAsync("observable"u8.ToArray());
        });
        var client = nets.ClientService();

        var registration = service.SetHandler((_, _) => Task.FromResult<ReadOnlyMemory<byte>>("handler"u8.ToArray()));
        Assert.Equal("handler", System.Text.Encoding.UTF8.GetString((await client.RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout)).Span));
        Assert.Equal(0, Volatile.Read(ref observed));

        registration.Dispose();
        Assert.Equal("observable", System.Text.Encoding.UTF8.GetString((await client.RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout)).Span));
        Assert.Equal(1, Volatile.Read(ref observed));
    }

    [Fact]
    public async Task IncomingRequest_Fail_ClientGetsRequestFailed()
    {
        var service = nets.ServerService();
        var results = new TaskCompletionSource<(bool First, bool Second)>();
        using var subscription = service.Requests.Subscribe(r => results.TrySetResult((r.Fail(), r.Fail())));

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => nets.ClientService().RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout));

        Assert.Equal((true, false), await results.Task.WaitAsync(TestTimeout));
        Assert.Equal(RequestReplyNetworks.Protocol, e.Protocol);
        Assert.Equal(nets.ServerPeer, e.Peer);
        Assert.True(Assert.IsType<StreamResetException>(e.InnerException).Remote);
    }

    [Fact]
    public async Task IncomingRequest_SecondReply_Throws_AndFirstWins()
    {
        var service = nets.ServerService();
        var second = new TaskCompletionSource<Exception?>();
        using var first = service.Requests.Subscribe(r => _ = r.ReplyAsync("first"u8.ToArray()));
        using var late = service.Requests.Subscribe(r =>
        {
            try
            {
                _ = r.ReplyAsync("second"u8.ToArray());
                second.TrySetResult(null);
            }
            catch (Exception e)
            {
                Assert.False(r.Fail());
                second.TrySetResult(e);
            }
        });

        var reply = await nets.ClientService().RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout);

        Assert.Equal("first", System.Text.Encoding.UTF8.GetString(reply.Span));
        Assert.IsType<InvalidOperationException>(await second.Task.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task IncomingRequest_OversizeReply_ThrowsAndFailsRequest()
    {
        var service = nets.ServerService(new RequestReplyOptions { MaxReplySize = 4 });
        var thrown = new TaskCompletionSource<Exception?>();
        using var subscription = service.Requests.Subscribe(r =>
        {
            try
            {
                _ = r.ReplyAsync(new byte[5]);
                thrown.TrySetResult(null);
            }
            catch (Exception e)
            {
                thrown.TrySetResult(e);
            }
        });

        await Assert.ThrowsAsync<RequestFailedException>(() => nets.ClientService().RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout));

        var e = Assert.IsType<MessageTooLargeException>(await thrown.Task.WaitAsync(TestTimeout));
        Assert.Equal(5, e.DeclaredLength);
        Assert.Equal(4, e.Limit);
    }

    [Fact]
    public async Task IncomingRequest_Unanswered_TimesOutAndIsReset()
    {
        var clock = new RequestReplyClock();
        var service = nets.ServerService(new RequestReplyOptions { TimeProvider = clock, RequestTimeout = TimeSpan.FromSeconds(5) });
        var received = new TaskCompletionSource<IncomingRequest>();
        using var subscription = service.Requests.Subscribe(r => received.TrySetResult(r));

        var request = nets.ClientService().RequestAsync(nets.ServerPeer, default);
        var incoming = await received.Task.WaitAsync(TestTimeout);
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(incoming.IsAnswered);
        clock.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<RequestFailedException>(() => request.WaitAsync(TestTimeout));
        Assert.True(incoming.Aborted.IsCancellationRequested);
        Assert.True(incoming.IsAnswered);
        Assert.Throws<InvalidOperationException>(() => { _ = incoming.ReplyAsync("late"u8.ToArray()); });
        Assert.False(incoming.Fail());
    }

    [Fact]
    public async Task Requests_SubscriberThrows_RequestFails()
    {
        var service = nets.ServerService();
        using var subscription = service.Requests.Subscribe(_ => throw new InvalidOperationException("boom"));

        await Assert.ThrowsAsync<RequestFailedException>(() => nets.ClientService().RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task Requests_ServiceDisposed_Completes()
    {
        var service = nets.ServerService();
        var completed = new TaskCompletionSource();
        using var subscription = service.Requests.Subscribe(_ => { }, () => completed.TrySetResult());

        service.Dispose();

        await completed.Task.WaitAsync(TestTimeout);
        var late = new TaskCompletionSource();
        using var lateSubscription = service.Requests.Subscribe(_ => { }, () => late.TrySetResult());
        Assert.True(late.Task.IsCompleted);
    }
}
