using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Identity;
using Rx.Network.Security;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Security;

/// <summary>SecureChannel specifics beyond the shared conformance suite.</summary>
public class SecureChannelTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);
    private static readonly PublicKey Key = PrivateKey.FromSeed(new byte[32]).PublicKey;
    private static readonly PeerId Peer = PeerId.FromPublicKey(Key);

    [Fact]
    public async Task SealStage_LargeChunkBehindStagedBytes_IsSealedOnItsOwnFrame()
    {
        var codec = new GatedCodec();
        var (pa, pb) = DuplexPipe.CreatePair();
        var channel = new SecureChannel(pa, codec, PassThroughCodec.Instance, new SecureSession(Peer, Peer, Key, "/test", null), TaskScheduler.Default);

        // The first chunk holds the seal stage inside Seal while the next two queue up behind it.
        Assert.True(await channel.Output.SendAsync(PooledBuffer.CopyOf(new byte[5000])).WaitAsync(TestTimeout));
        Assert.True(codec.FirstSealStarted.Wait(TestTimeout));
        Assert.True(await channel.Output.SendAsync(PooledBuffer.CopyOf(new byte[12])).WaitAsync(TestTimeout));
        Assert.True(await channel.Output.SendAsync(PooledBuffer.CopyOf(new byte[5000])).WaitAsync(TestTimeout));
        codec.Release.Set();
        channel.Output.Complete();

        long received = 0;
        while (true)
        {
            var result = await pb.Input.ReadAsync().AsTask().WaitAsync(TestTimeout);
            received += result.Buffer.Length;
            pb.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        // The 12 staged bytes go out alone rather than pulling the next 5000 into the staging copy.
        Assert.Equal(10012, received);
        Assert.Equal([5000, 12, 5000], codec.Sealed.ToArray());
        channel.Abort(new IOException("done"));
    }
}
