using System.Threading.Channels;
using Rx.Network.Addressing;
using Rx.Network.Transports;

namespace Rx.Network.Mock.Stack;

/// <summary>A mock peer's listener on its <c>/memory/…</c> address: a bounded backlog of arrived connections.</summary>
internal sealed class StackListener : IRawListener
{
    /// <summary>Connections that may wait to be accepted before further ones are refused (like a TCP listen backlog).</summary>
    internal const int Backlog = 128;

    private readonly Channel<StackConnection> backlog = Channel.CreateBounded<StackConnection>(new BoundedChannelOptions(Backlog)
    {
        SingleReader = false,
        SingleWriter = false,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Action<StackListener> onClosed;

    public StackListener(RealStackPeer owner, Multiaddr address, Action<StackListener> onClosed)
    {
        Owner = owner;
        LocalAddress = address;
        this.onClosed = onClosed;
    }

    /// <summary>The peer listening.</summary>
    public RealStackPeer Owner { get; }

    /// <inheritdoc/>
    public Multiaddr LocalAddress { get; }

    /// <summary>Queues an arrived connection; false when closed or the backlog is full.</summary>
    public bool TryEnqueue(StackConnection connection) => backlog.Writer.TryWrite(connection);

    /// <inheritdoc/>
    public async ValueTask<IRawConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await backlog.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (backlog.Reader.TryRead(out var connection))
            {
                return connection;
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        if (backlog.Writer.TryComplete())
        {
            onClosed(this);
            while (backlog.Reader.TryRead(out var unaccepted))
            {
                unaccepted.Abort();
            }
        }

        return ValueTask.CompletedTask;
    }
}
