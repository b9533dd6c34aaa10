using Rx.Network.Muxing;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Muxing;

/// <summary>A dialer and a listener session over an in-memory connection.</summary>
internal sealed class SessionPair : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public SessionPair(YamuxOptions? options = null, TimeProvider? time = null, int capacity = 64)
    {
        var (a, b) = InMemoryDuplexChannel.CreatePair(capacity);
        options ??= new YamuxOptions { KeepAliveInterval = null };
        Dialer = new YamuxSession(a, isInitiator: true, options, time);
        Listener = new YamuxSession(b, isInitiator: false, options, time);
    }

    public YamuxSession Dialer { get; }

    public YamuxSession Listener { get; }

    /// <summary>Opens a stream on the dialer and accepts it on the listener.</summary>
    public async Task<(YamuxStream Out, YamuxStream In)> OpenAsync()
    {
        var opened = await Dialer.OpenStreamAsync().WaitAsync(Timeout);
        var accepted = await Listener.AcceptAsync().AsTask().WaitAsync(Timeout);
        return (opened, accepted);
    }

    public async ValueTask DisposeAsync()
    {
        Dialer.Abort(new OperationCanceledException("test over"));
        Listener.Abort(new OperationCanceledException("test over"));
        await Task.WhenAll(
            Dialer.Completion.ContinueWith(_ => { }, TaskScheduler.Default),
            Listener.Completion.ContinueWith(_ => { }, TaskScheduler.Default)).WaitAsync(Timeout);
    }
}

internal static class StreamExtensions
{
    public static async Task<byte[]> ReadToEndAsync(this YamuxStream stream, int bufferSize = 7000)
    {
        var result = new MemoryStream();
        var buffer = new byte[bufferSize];
        while (true)
        {
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(SessionPair.Timeout);
            if (read == 0)
            {
                return result.ToArray();
            }

            result.Write(buffer, 0, read);
        }
    }

    public static async Task<byte[]> ReadExactlyAsync(this YamuxStream stream, int count)
    {
        var result = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var read = await stream.ReadAsync(result.AsMemory(filled)).AsTask().WaitAsync(SessionPair.Timeout);
            Assert.NotEqual(0, read);
            filled += read;
        }

        return result;
    }
}

/// <summary>
/// Waits for state that sessions settle on their own threads (counts, buffered bytes) and that has
/// no signal of its own: re-checks after yielding, bounded by a deadline; never sleeps.
/// </summary>
internal static class Poll
{
    public static Task UntilAsync(Func<bool> condition) => UntilAsync(() => Task.FromResult(condition()));

    public static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < SessionPair.Timeout, "The condition did not become true in time.");
            await Task.Yield();
        }
    }
}
