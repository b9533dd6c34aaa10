using System.Net;
using System.Net.Sockets;

namespace Rx.Network.PerfTool.Attacks;

/// <summary>
/// Issue #14's slowloris: connections from one address that stall inside the upgrade (they send
/// <c>stallWith</c>, e.g. half a multistream header, then nothing), each reopened a second after the
/// listener drops it, until disposed.
/// </summary>
internal sealed class Slowloris : IAsyncDisposable
{
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource stop = new();
    private readonly Task[] slots;
    private int open;
    private int opened;
    private int dropped;

    private Slowloris(IPEndPoint target, IPAddress source, int count, ReadOnlyMemory<byte> stallWith)
    {
        slots = [.. Enumerable.Range(0, count).Select(_ => Task.Run(() => HoldAsync(target, source, stallWith), CancellationToken.None))];
    }

    /// <summary>Stalled connections open now.</summary>
    public int Open => Volatile.Read(ref open);

    /// <summary>Connections opened so far.</summary>
    public int Opened => Volatile.Read(ref opened);

    /// <summary>Connections the listener dropped (or refused) so far.</summary>
    public int Dropped => Volatile.Read(ref dropped);

    public static Slowloris Start(IPEndPoint target, IPAddress source, int count, ReadOnlyMemory<byte> stallWith) => new(target, source, count, stallWith);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(slots).ConfigureAwait(false);
        stop.Dispose();
    }

    private async Task HoldAsync(IPEndPoint target, IPAddress source, ReadOnlyMemory<byte> stallWith)
    {
        var sink = new byte[1024];
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var socket = await AttackConnection.ConnectRawAsync(target, source, stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref opened);
                Interlocked.Increment(ref open);
                try
                {
                    if (stallWith.Length > 0)
                    {
                        await socket.SendAsync(stallWith, stop.Token).ConfigureAwait(false);
                    }

                    // Read (and ignore) what the listener says until it drops us.
                    while (await socket.ReceiveAsync(sink, stop.Token).ConfigureAwait(false) > 0)
                    {
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref open);
                    socket.Close(0);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
            }

            Interlocked.Increment(ref dropped);
            try
            {
                await Task.Delay(Backoff, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
