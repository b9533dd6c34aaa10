using Rx.Network.Protocols;

namespace Rx.Network.Tests.Protocols;

public sealed partial class RequestReplyServiceTests
{
    /// <summary>For tests awaiting a cancellation: no server timeout may cancel in their stead.</summary>
    private static readonly RequestReplyOptions Untimed = new() { RequestTimeout = Timeout.InfiniteTimeSpan };

    [Fact]
    public async Task RequestAsync_NoReplyInTime_TimeoutException()
    {
        var entered = new TaskCompletionSource();
        var release = new TaskCompletionSource<ReadOnlyMemory<byte>>();
        var handlerCanceled = new TaskCompletionSource();
        nets.ServerService(
            async (_, ct) =>
            {
                using var registration = ct.Register(() => handlerCanceled.TrySetResult());
                entered.TrySetResult();
                return await release.Task;
            },
            Untimed);
        var clock = new RequestReplyClock();
        var client = nets.ClientService(new RequestReplyOptions { TimeProvider = clock, RequestTimeout = TimeSpan.FromSeconds(5) });

        var request = client.RequestAsync(nets.ServerPeer, default);
        await entered.Task.WaitAsync(TestTimeout);
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(request.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<TimeoutException>(() => request.WaitAsync(TestTimeout));

        // The client reset its stream, which cancels the server's handler.
        await handlerCanceled.Task.WaitAsync(TestTimeout);
        release.TrySetResult(ReadOnlyMemory<byte>.Empty);
    }

    [Fact]
    public async Task RequestAsync_Canceled_OperationCanceled()
    {
        var entered = new TaskCompletionSource();
        nets.ServerService(async (_, ct) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return ReadOnlyMemory<byte>.Empty;
        });
        using var cts = new CancellationTokenSource();

        var request = nets.ClientService().RequestAsync(nets.ServerPeer, default, cts.Token);
        await entered.Task.WaitAsync(TestTimeout);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task RequestAsync_AlreadyCanceled_OperationCanceled()
    {
        nets.ServerService((_, _) => Task.FromResult(ReadOnlyMemory<byte>.Empty));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => nets.ClientService().RequestAsync(nets.ServerPeer, default, new CancellationToken(true)).WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task Serve_HandlerTooSlow_ResetAndHandlerCanceled()
    {
        var clock = new RequestReplyClock();
        var entered = new TaskCompletionSource();
        var handlerCanceled = new TaskCompletionSource();
        nets.ServerService(
            async (_, ct) =>
            {
                entered.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                finally
                {
                    handlerCanceled.TrySetResult();
                }

                return ReadOnlyMemory<byte>.Empty;
            },
            new RequestReplyOptions { TimeProvider = clock, RequestTimeout = TimeSpan.FromSeconds(5) });

        var request = nets.ClientService().RequestAsync(nets.ServerPeer, default);
        await entered.Task.WaitAsync(TestTimeout);
        clock.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<RequestFailedException>(() => request.WaitAsync(TestTimeout));
        await handlerCanceled.Task.WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task Serve_OverConcurrencyLimit_WaitsThenSheds()
    {
        int entered = 0;
        var twoEntered = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        nets.ServerService(
            async (context, _) =>
            {
                if (Interlocked.Increment(ref entered) == 2)
                {
                    twoEntered.TrySetResult();
                }

                await release.Task;
                return context.Request.ToArray();
            },
            new RequestReplyOptions { MaxConcurrentHandlers = 2, MaxWaitingRequests = 1 });
        var client = nets.ClientService();

        var running = new[] { client.RequestAsync(nets.ServerPeer, "1"u8.ToArray()), client.RequestAsync(nets.ServerPeer, "2"u8.ToArray()) };
        await twoEntered.Task.WaitAsync(TestTimeout);
        var third = client.RequestAsync(nets.ServerPeer, "3"u8.ToArray());
        var fourth = client.RequestAsync(nets.ServerPeer, "4"u8.ToArray());

        // One of the two waits for a slot; the other finds the waiting room full and is reset.
        var shed = await Task.WhenAny(third, fourth).WaitAsync(TestTimeout);
        await Assert.ThrowsAsync<RequestFailedException>(() => shed);
        Assert.Equal(2, Volatile.Read(ref entered));

        release.TrySetResult();
        var waited = shed == third ? fourth : third;
        var replies = await Task.WhenAll([.. running, waited]).WaitAsync(TestTimeout);
        Assert.Equal(["1", "2", waited == third ? "3" : "4"], replies.Select(r => System.Text.Encoding.UTF8.GetString(r.Span)));
        Assert.Equal(3, Volatile.Read(ref entered));
    }

    [Fact]
    public async Task Serve_HandlerIgnoresCancellation_KeepsItsSlotPastTimeout()
    {
        var clock = new RequestReplyClock();
        int entered = 0;
        var firstEntered = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var service = nets.ServerService(
            async (_, _) =>
            {
                if (Interlocked.Increment(ref entered) == 1)
                {
                    firstEntered.TrySetResult();
                    await release.Task;
                }

                return "done"u8.ToArray();
            },
            new RequestReplyOptions { TimeProvider = clock, RequestTimeout = TimeSpan.FromSeconds(5), MaxConcurrentHandlers = 1 });
        var client = nets.ClientService();

        var stuck = client.RequestAsync(nets.ServerPeer, default);
        await firstEntered.Task.WaitAsync(TestTimeout);
        clock.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<RequestFailedException>(() => stuck.WaitAsync(TestTimeout));

        // The network logs a failed handler once the service is done with the stream.
        var logged = await nets.ServerLog.WhenLogged(e => e is TimeoutException);
        Assert.Contains(RequestReplyNetworks.Protocol, logged.Message, StringComparison.Ordinal);
        Assert.Equal(0, service.FreeHandlerSlots);

        // The stuck handler still holds the only slot: the next request waits, then times out.
        var waiting = client.RequestAsync(nets.ServerPeer, default);
        await clock.TimersCreated(2);
        clock.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<RequestFailedException>(() => waiting.WaitAsync(TestTimeout));
        Assert.Equal(1, Volatile.Read(ref entered));

        release.TrySetResult();
        var reply = await client.RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout);
        Assert.Equal("done", System.Text.Encoding.UTF8.GetString(reply.Span));
        Assert.Equal(1, service.FreeHandlerSlots);
    }

    [Fact]
    public async Task Dispose_StopsServing()
    {
        var service = nets.ServerService((_, _) => Task.FromResult<ReadOnlyMemory<byte>>("ok"u8.ToArray()));
        var client = nets.ClientService();
        await client.RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout);

        service.Dispose();
        service.Dispose();

        await Assert.ThrowsAsync<NegotiationException>(() => client.RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout));
        Assert.Throws<ObjectDisposedException>(() => service.SetHandler((_, _) => Task.FromResult(ReadOnlyMemory<byte>.Empty)));
        Assert.Throws<ObjectDisposedException>(() => { _ = service.RequestAsync(nets.ServerPeer, default); });
    }

    [Fact]
    public async Task Dispose_InFlightRequest_ResetAndHandlerCanceled()
    {
        var entered = new TaskCompletionSource();
        var handlerCanceled = new TaskCompletionSource();
        var service = nets.ServerService(
            async (_, ct) =>
            {
                entered.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                finally
                {
                    handlerCanceled.TrySetResult();
                }

                return ReadOnlyMemory<byte>.Empty;
            },
            Untimed);

        var request = nets.ClientService().RequestAsync(nets.ServerPeer, default);
        await entered.Task.WaitAsync(TestTimeout);
        service.Dispose();

        await Assert.ThrowsAsync<RequestFailedException>(() => request.WaitAsync(TestTimeout));
        await handlerCanceled.Task.WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task Dispose_ClientWaitingForReply_OperationCanceled()
    {
        var entered = new TaskCompletionSource();
        var release = new TaskCompletionSource<ReadOnlyMemory<byte>>();
        nets.ServerService(async (_, _) =>
        {
            entered.TrySetResult();
            return await release.Task;
        });
        var client = nets.ClientService();

        var request = client.RequestAsync(nets.ServerPeer, default);
        await entered.Task.WaitAsync(TestTimeout);
        client.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.WaitAsync(TestTimeout));
        release.TrySetResult(ReadOnlyMemory<byte>.Empty);
    }
}
