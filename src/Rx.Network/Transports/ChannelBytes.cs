using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;

namespace Rx.Network.Transports;

/// <summary>
/// The bytes of an <see cref="IDuplexChannel"/> read and written as calls, for the short exchanges
/// that run on a secured channel before the muxer takes over (multistream-select of the muxer, as
/// a <see cref="Stream"/> through <see cref="DuplexStream"/>).
/// </summary>
/// <remarks>
/// Reads never consume more of the channel than the caller asked for: the rest of the current
/// chunk stays here, and <see cref="Detach"/> hands it back, followed by the channel's later
/// chunks, so the muxer sees every byte the remote sent after the negotiation.
/// </remarks>
internal sealed class ChannelBytes : IByteDuplex
{
    private readonly IDuplexChannel channel;
    private PooledBuffer current;
    private int offset;
    private bool detached;

    public ChannelBytes(IDuplexChannel channel)
    {
        this.channel = channel;
    }

    /// <inheritdoc/>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(detached, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (current.IsEmpty || offset == current.Length)
        {
            current.Return();
            current = default;
            offset = 0;
            try
            {
                if (!await channel.Input.OutputAvailableAsync(cancellationToken).ConfigureAwait(false))
                {
                    await channel.Input.Completion.ConfigureAwait(false);
                    return 0;
                }

                current = await channel.Input.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (channel.Input.Completion.IsCompleted)
            {
                // Completed between the check and the receive.
                await channel.Input.Completion.ConfigureAwait(false);
                return 0;
            }
        }

        int count = Math.Min(buffer.Length, current.Length - offset);
        current.Span.Slice(offset, count).CopyTo(buffer.Span);
        offset += count;

        // What is left of the chunk stays counted: Detach hands it on to the muxer, which releases it.
        channel.InputConsumed(count);
        return count;
    }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(detached, this);
        if (buffer.IsEmpty)
        {
            return;
        }

        await channel.HoldOutputAsync(buffer.Length).ConfigureAwait(false);
        var chunk = PooledBuffer.CopyOf(buffer.Span);
        if (!await channel.Output.SendAsync(chunk, cancellationToken).ConfigureAwait(false))
        {
            chunk.Return();
            throw new IOException("The connection is closed.");
        }
    }

    /// <summary>
    /// Ends these reads and writes and returns a channel that yields the unread rest of the current chunk
    /// first and then everything the underlying channel receives; writes go straight through.
    /// </summary>
    public IDuplexChannel Detach()
    {
        ObjectDisposedException.ThrowIf(detached, this);
        detached = true;
        PooledBuffer? leftover = null;
        if (!current.IsEmpty && offset < current.Length)
        {
            leftover = PooledBuffer.CopyOf(current.Span[offset..]);
        }

        current.Return();
        current = default;
        return leftover is null ? channel : new PrefixedChannel(channel, leftover.Value);
    }

    /// <summary>A channel whose input starts with some bytes already taken from the inner channel.</summary>
    private sealed class PrefixedChannel : IDuplexChannel
    {
        private readonly IDuplexChannel inner;
        private readonly BufferBlock<PooledBuffer> input;

        public PrefixedChannel(IDuplexChannel inner, PooledBuffer prefix)
        {
            this.inner = inner;

            // Capacity 1 more than a plain link needs, for the prefix: still bounded.
            input = new BufferBlock<PooledBuffer>(new DataflowBlockOptions { BoundedCapacity = 2 });
            input.Post(prefix);
            inner.Input.LinkTo(input, new DataflowLinkOptions { PropagateCompletion = true });
        }

        public ISourceBlock<PooledBuffer> Input => input;

        public ITargetBlock<PooledBuffer> Output => inner.Output;

        public Task Completion => inner.Completion;

        public void InputConsumed(int bytes) => inner.InputConsumed(bytes);

        public ValueTask HoldOutputAsync(int bytes) => inner.HoldOutputAsync(bytes);

        public void Abort(Exception reason)
        {
            ((IDataflowBlock)input).Fault(reason);
            inner.Abort(reason);
        }
    }
}
