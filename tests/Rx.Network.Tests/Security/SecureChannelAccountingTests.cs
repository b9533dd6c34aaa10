using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Identity;
using Rx.Network.Resources;
using Rx.Network.Security;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Security;

/// <summary>What a secure channel, the muxer negotiation and the muxer count in the connection's transport buffers.</summary>
public sealed class SecureChannelAccountingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly PrivateKey Key = PrivateKey.Generate();
    private static readonly PeerId Peer = PeerId.FromPublicKey(Key.PublicKey);

    [Fact]
    public async Task Receive_ThroughNegotiationAndDetach_EveryByteHeldIsReleasedOnceTaken()
    {
        var (local, remote) = DuplexPipe.CreatePair();
        var memory = new TransportMemory();
        var channel = new SecureChannel(new AccountedDuplexPipe(local.Input, local.Output, memory), PassThroughCodec.Instance, PassThroughCodec.Instance, new SecureSession(Peer, Peer, Key.PublicKey, "/plaintext/2.0.0", null), TaskScheduler.Default);

        // What a socket pump would do: hold what it puts in the pipe.
        var bytes = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        memory.Receive.Hold(bytes.Length);
        await remote.Output.WriteAsync(bytes);
        await remote.Output.CompleteAsync();

        // The negotiation reads part of it; the rest goes on to the muxer, which takes it all.
        var negotiation = new ChannelBytes(channel);
        var first = new byte[10];
        await new DuplexStream(negotiation).ReadExactlyAsync(first).AsTask().WaitAsync(Timeout);
        var muxer = negotiation.Detach();
        int taken = first.Length;
        while (taken < bytes.Length)
        {
            var chunk = await muxer.Input.ReceiveAsync(Timeout);
            muxer.InputConsumed(chunk.Length);
            taken += chunk.Length;
            chunk.Return();
        }

        // The channel completes its input after releasing the last frame it consumed.
        await muxer.Input.Completion.WaitAsync(Timeout);
        Assert.Equal(bytes.Length, taken);
        Assert.Equal(0, memory.Receive.Held);
        channel.Abort(new IOException("done"));
    }

    [Fact]
    public async Task Send_HeldBeforeQueuing_ReleasedOnceFlushed_ThenCountedInThePipeUntilSent()
    {
        var (local, remote) = DuplexPipe.CreatePair();
        var memory = new TransportMemory();
        var channel = new SecureChannel(new AccountedDuplexPipe(local.Input, local.Output, memory), PassThroughCodec.Instance, PassThroughCodec.Instance, new SecureSession(Peer, Peer, Key.PublicKey, "/plaintext/2.0.0", null), TaskScheduler.Default);

        var negotiation = new ChannelBytes(channel);
        await negotiation.WriteAsync(new byte[3000]).AsTask().WaitAsync(Timeout);

        // The half-close follows the flush (and the release after it) in the seal stage: reading to
        // the end is the signal that both happened.
        channel.Output.Complete();
        var read = 0;
        while (true)
        {
            var result = await remote.Input.ReadAsync().AsTask().WaitAsync(Timeout);
            read += (int)result.Buffer.Length;
            remote.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        Assert.Equal(3000, read);

        // Flushed into the pipe: the channel released its plaintext; the pipe's writer holds the
        // 3,000 bytes until a send pump (none here) releases them.
        Assert.Equal(3000, memory.Send.Held);
        memory.Send.Release(3000);
        Assert.Equal(0, memory.Send.Held);
        channel.Abort(new IOException("done"));
    }
}
