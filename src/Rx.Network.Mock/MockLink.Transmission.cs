using System.Net.Sockets;
using Rx.Network.Addressing;
using Rx.Network.Mock.Transport;
using Rx.Network.Transports;

namespace Rx.Network.Mock;

public sealed partial class MockLink
{
    private readonly HashSet<MockConnection> connections = [];
    private readonly HashSet<TaskCompletionSource<IRawConnection>> dials = [];

    /// <summary>Connections (both ends counted) currently crossing the link.</summary>
    internal int ConnectionEndCount
    {
        get
        {
            lock (gate)
            {
                return connections.Count;
            }
        }
    }

    /// <summary>Transmits bytes to <paramref name="target"/>, cut where the link's segments end.</summary>
    internal void Transmit(int direction, MockConnection target, ReadOnlyMemory<byte> data)
    {
        lock (gate)
        {
            while (!removed && !data.IsEmpty)
            {
                int take = Math.Min(data.Length, directions[direction].RoomInSegment);
                TransmitLocked(direction, target, new Arrival(ArrivalKind.Data, data[..take]));
                data = data[take..];
            }
        }
    }

    /// <summary>Transmits one arrival to <paramref name="target"/>; dropped if the link is gone.</summary>
    internal void Transmit(int direction, MockConnection target, Arrival item)
    {
        lock (gate)
        {
            if (!removed)
            {
                TransmitLocked(direction, target, item);
            }
        }
    }

    private void TransmitLocked(int direction, MockConnection target, Arrival item)
    {
        // Sequence numbers are taken under the link's lock, in the order the arrivals are scheduled.
        long sequence = target.Enqueue(item);
        directions[direction].Transmit(options, item.Data.Length, () => target.DeliverThrough(sequence));
    }

    /// <summary>A connection end is done: the link stops tracking it.</summary>
    internal void Forget(MockConnection end)
    {
        lock (gate)
        {
            connections.Remove(end);
        }
    }

    /// <summary>
    /// Opens a connection from <paramref name="dialer"/> to <paramref name="listener"/>: the request
    /// crosses the link, the listener queues its end, the answer crosses back (one round trip).
    /// </summary>
    /// <exception cref="TransportException">The link is gone or down, or the listener refused.</exception>
    internal async Task<IRawConnection> ConnectAsync(MockPeer dialer, MockListener listener, CancellationToken cancellationToken)
    {
        int there = DirectionFrom(dialer);
        var answer = new TaskCompletionSource<IRawConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        MockConnection near;
        MockConnection far;
        lock (gate)
        {
            if (removed)
            {
                throw Refused(listener, SocketError.ConnectionRefused, $"There is no link between {dialer.Id} and {listener.Owner.Id}.");
            }

            if (options.Down)
            {
                throw Refused(listener, SocketError.NetworkUnreachable, $"The link between {dialer.Id} and {listener.Owner.Id} is down.");
            }

            (near, far) = OpenLocked(there, dialer.Address, listener.LocalAddress);
            dials.Add(answer);
            directions[there].Transmit(options, 0, () =>
            {
                bool accepted = !IsRemoved && listener.TryEnqueue(far);
                lock (gate)
                {
                    if (removed)
                    {
                        return;
                    }

                    directions[1 - there].Transmit(options, 0, () => Answer(answer, near, far, accepted, listener));
                }
            });
        }

        using (cancellationToken.Register(() =>
        {
            if (answer.TrySetCanceled(cancellationToken))
            {
                near.Abort();
            }
        }))
        {
            try
            {
                return await answer.Task.ConfigureAwait(false);
            }
            finally
            {
                lock (gate)
                {
                    dials.Remove(answer);
                }
            }
        }
    }

    /// <summary>Creates the two ends of a connection across the link (no handshake: see <see cref="ConnectAsync"/>).</summary>
    /// <param name="direction">The direction the first end sends on (0: A to B).</param>
    /// <param name="from">The first end's address.</param>
    /// <param name="to">The second end's address.</param>
    /// <exception cref="InvalidOperationException">The link was removed.</exception>
    internal (MockConnection From, MockConnection To) Open(int direction, Multiaddr from, Multiaddr to)
    {
        lock (gate)
        {
            return removed ? throw new InvalidOperationException($"The link {this} was removed.") : OpenLocked(direction, from, to);
        }
    }

    /// <summary>Removes the link: every connection across it fails at once, and pending dials too.</summary>
    internal void Remove()
    {
        MockConnection[] ends;
        TaskCompletionSource<IRawConnection>[] pending;
        lock (gate)
        {
            if (removed)
            {
                return;
            }

            removed = true;
            ends = [.. connections];
            pending = [.. dials];
            connections.Clear();
            dials.Clear();
            foreach (var direction in directions)
            {
                direction.Clear();
            }
        }

        foreach (var end in ends)
        {
            end.Sever(new TransportException(end.RemoteAddress, SocketError.ConnectionReset, $"The mock link {this} was removed."));
        }

        foreach (var dial in pending)
        {
            dial.TrySetException(new TransportException($"The mock link {this} was removed while connecting."));
        }
    }

    private (MockConnection From, MockConnection To) OpenLocked(int direction, Multiaddr from, Multiaddr to)
    {
        var pair = MockConnection.CreatePair(this, direction, from, to, Network.Options.ConnectionBufferSize);
        connections.Add(pair.Dialer);
        connections.Add(pair.Listener);
        return pair;
    }

    private static void Answer(TaskCompletionSource<IRawConnection> answer, MockConnection near, MockConnection far, bool accepted, MockListener listener)
    {
        if (accepted)
        {
            if (!answer.TrySetResult(near))
            {
                // The dial was canceled meanwhile; the listener's end learns of it by the reset.
                near.Abort();
            }

            return;
        }

        answer.TrySetException(Refused(listener, SocketError.ConnectionRefused, $"{listener.LocalAddress} refused the connection (not listening, or its backlog is full)."));
        near.Abort();
        far.Abort();
    }

    private static TransportException Refused(MockListener listener, SocketError error, string message) =>
        new(listener.LocalAddress, error, message);
}
