using System.Net;
using System.Net.Sockets;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Reactive.Threading.Tasks;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Peerstore;

namespace Rx.Network.Tests.Swarm;

/// <summary>Networks over real TCP loopback for the swarm tests: every port is chosen by the OS.</summary>
internal static class SwarmKit
{
    /// <summary>The bound on every wait for a signal; a healthy test never comes near it.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public static Multiaddr Loopback => Multiaddr.Parse("/ip4/127.0.0.1/tcp/0");

    /// <summary>
    /// Starts a network listening on loopback. The shutdown grace is short so that a test that
    /// leaves a stream open costs little at teardown.
    /// </summary>
    public static Task<INetwork> StartAsync(Func<NetworkBuilder, NetworkBuilder>? configure = null, bool listen = true)
    {
        var builder = new NetworkBuilder().WithOptions(o => o with { ShutdownTimeout = TimeSpan.FromSeconds(2) });
        if (listen)
        {
            builder.ListenOn(Loopback);
        }

        return (configure?.Invoke(builder) ?? builder).StartAsync();
    }

    /// <summary>Teaches <paramref name="from"/> the listen addresses of <paramref name="to"/>.</summary>
    public static PeerId Introduce(INetwork from, INetwork to)
    {
        from.Peerstore.AddAddresses(to.LocalPeer, to.ListenAddresses, AddressTtl.Permanent);
        return to.LocalPeer;
    }

    /// <summary>Dials <paramref name="to"/> from <paramref name="from"/> and waits until both ends hold the connection.</summary>
    public static async Task<IConnection> ConnectAsync(INetwork from, INetwork to)
    {
        var accepted = to.NewConnections.Where(c => c.RemotePeer == from.LocalPeer).FirstAsync().ToTask();
        var connection = await from.DialPeerAsync(Introduce(from, to)).WaitAsync(Wait);
        await accepted.WaitAsync(Wait);
        return connection;
    }

    public static int PortOf(Multiaddr address) => ((IPEndPoint)address.ToEndPoint()).Port;

    /// <summary>Waits until the socket's peer closed or reset the connection, discarding what it sent.</summary>
    public static async Task AwaitClosedAsync(Socket socket)
    {
        var buffer = new byte[1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Wait) > 0)
            {
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            // Reset rather than closed: dropped all the same.
        }
    }

    /// <summary>Whether the socket's peer has closed or reset it, checked without waiting.</summary>
    public static bool IsClosedByPeer(Socket socket)
    {
        try
        {
            // Readable with nothing to read means end of stream.
            while (socket.Poll(0, SelectMode.SelectRead))
            {
                if (socket.Available == 0)
                {
                    return true;
                }

                socket.Receive(new byte[socket.Available]);
            }

            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>Connects a silent raw TCP client and waits until the listener drops it (perhaps already during the connect).</summary>
    public static async Task ConnectAndAwaitDropAsync(Multiaddr address)
    {
        Socket socket;
        try
        {
            socket = await ConnectSilentAsync(address);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return;
        }

        using (socket)
        {
            await AwaitClosedAsync(socket);
        }
    }

    /// <summary>A raw TCP client that connects and then stays silent.</summary>
    public static async Task<Socket> ConnectSilentAsync(Multiaddr address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address.ToEndPoint()).WaitAsync(Wait);
        return socket;
    }
}

/// <summary>
/// A loopback port on which nothing listens, held by a bound socket so no one else takes it:
/// a connect to it is refused at once.
/// </summary>
internal sealed class DeadPort : IDisposable
{
    private readonly Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public DeadPort()
    {
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Address = Multiaddr.FromEndPoint((IPEndPoint)socket.LocalEndPoint!);
    }

    public Multiaddr Address { get; }

    public void Dispose() => socket.Dispose();
}

/// <summary>
/// Records a network's events (subscribed from construction on) and lets a test await one that
/// matches, with the kit's bound.
/// </summary>
internal sealed class EventRecorder : IDisposable
{
    private readonly List<NetworkEvent> events = [];
    private readonly ReplaySubject<NetworkEvent> replay = new();
    private readonly TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IDisposable subscription;

    public EventRecorder(INetwork network)
    {
        subscription = network.Events.Subscribe(
            e =>
            {
                lock (events)
                {
                    events.Add(e);
                }

                replay.OnNext(e);
            },
            error =>
            {
                ended.TrySetException(error);
                replay.OnError(error);
            },
            () =>
            {
                ended.TrySetResult();
                replay.OnCompleted();
            });
    }

    /// <summary>The events so far, in the order received.</summary>
    public IReadOnlyList<NetworkEvent> Events
    {
        get
        {
            lock (events)
            {
                return events.ToArray();
            }
        }
    }

    /// <summary>Completes when the event stream completes (or faults with its error).</summary>
    public Task Ended => ended.Task.WaitAsync(SwarmKit.Wait);

    /// <summary>The first event of type <typeparamref name="T"/> (past or future) that matches.</summary>
    public Task<T> WaitForAsync<T>(Func<T, bool>? predicate = null)
        where T : NetworkEvent =>
        replay.OfType<T>().FirstAsync(e => predicate?.Invoke(e) ?? true).ToTask().WaitAsync(SwarmKit.Wait);

    /// <summary>Waits until <paramref name="count"/> events of type <typeparamref name="T"/> that match have arrived.</summary>
    public Task WaitForCountAsync<T>(int count, Func<T, bool>? predicate = null)
        where T : NetworkEvent =>
        replay.OfType<T>().Where(e => predicate?.Invoke(e) ?? true).Take(count).Count().ToTask().WaitAsync(SwarmKit.Wait);

    public void Dispose() => subscription.Dispose();
}

/// <summary>
/// A TCP proxy in front of a listener that holds each accepted client until <see cref="Open"/> is
/// called: it makes a dial's duration a test's choice. Counts the clients it accepted.
/// </summary>
internal sealed class GatedProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly EndPoint target;
    private readonly TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource firstAccepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource stop = new();
    private readonly List<Socket> sockets = [];
    private readonly Task loop;
    private int accepted;

    public GatedProxy(Multiaddr target)
    {
        this.target = target.ToEndPoint();
        listener.Start();
        Address = Multiaddr.FromEndPoint((IPEndPoint)listener.LocalEndpoint);
        loop = AcceptLoopAsync();
    }

    public Multiaddr Address { get; }

    public int Accepted => Volatile.Read(ref accepted);

    /// <summary>Completes once a first client was accepted (and is being held).</summary>
    public Task FirstAccepted => firstAccepted.Task.WaitAsync(SwarmKit.Wait);

    /// <summary>Lets held and later clients through to the target.</summary>
    public void Open() => gate.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        lock (sockets)
        {
            sockets.ForEach(s => s.Dispose());
        }

        await loop.ContinueWith(_ => { }, TaskScheduler.Default);
        stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptSocketAsync(stop.Token);
                Track(client);
                Interlocked.Increment(ref accepted);
                firstAccepted.TrySetResult();
                _ = RelayAsync(client);
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task RelayAsync(Socket client)
    {
        try
        {
            await gate.Task.WaitAsync(stop.Token);
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            Track(upstream);
            await upstream.ConnectAsync(target, stop.Token);
            await Task.WhenAll(PumpAsync(client, upstream), PumpAsync(upstream, client));
        }
        catch (Exception)
        {
            client.Dispose();
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception)
        {
            from.Dispose();
            to.Dispose();
        }
    }

    private void Track(Socket socket)
    {
        lock (sockets)
        {
            sockets.Add(socket);
        }
    }
}
