using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Peerstore;

namespace Rx.Network.Reliability.Tests;

/// <summary>The remote process dies mid-transfer: the writer gets an exception, nothing hangs, the peer is marked gone.</summary>
public sealed class ProcessKillTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task RemoteKilledMidTransfer_WriterAndReaderFailTyped_PeerDisconnected()
    {
        await using var remote = await RxnetProcess.ListenAsync();
        await using var local = await new NetworkBuilder().StartAsync();
        var peer = PeerId.Parse(remote.PeerId);
        local.Peerstore.AddAddresses(peer, [Multiaddr.Parse(remote.Address)], AddressTtl.Permanent);
        var disconnected = local.Events.OfType<Disconnected>().FirstAsync(d => d.Connection.RemotePeer == peer).ToTask();

        // An upload that never ends and an echo being read: both are in flight when the process dies.
        var sink = await local.NewStreamAsync(peer, ["/sink/1.0.0"]).WaitAsync(Wait);
        var echo = await local.NewStreamAsync(peer, ["/echo/1.0.0"]).WaitAsync(Wait);
        long written = 0;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upload = Task.Run(async () =>
        {
            var chunk = new byte[64 * 1024];
            while (true)
            {
                await sink.WriteAsync(chunk);
                if (Interlocked.Add(ref written, chunk.Length) > 4 * 1024 * 1024)
                {
                    started.TrySetResult();
                }
            }
        });
        var reading = echo.ReadAsync(new byte[16]).AsTask();

        await started.Task.WaitAsync(Wait);
        await remote.KillAsync();

        // Writes accepted so far may be lost with the process, but the writer is told: no silent loss.
        var writeError = await Assert.ThrowsAnyAsync<Exception>(() => upload.WaitAsync(Wait));
        Assert.True(writeError is IOException or ObjectDisposedException or OperationCanceledException, writeError.ToString());
        var readError = await Record.ExceptionAsync(() => reading.WaitAsync(Wait));
        Assert.True(readError is null or IOException, readError?.ToString());

        var gone = await disconnected.WaitAsync(Wait);
        Assert.NotNull(gone.Error);
        Assert.NotEqual(Connectedness.Connected, local.Connectedness(peer));
        Assert.Empty(local.ConnectionsToPeer(peer));
        await sink.DisposeAsync();
        await echo.DisposeAsync();
    }
}
