using System.Net;
using System.Net.Sockets;
using Rx.Network.Addressing;

namespace Rx.Network.Transports;

/// <summary>
/// The TCP transport: dials <c>/ip4|ip6|dns|dns4|dns6/&lt;host&gt;/tcp/&lt;port&gt;</c> (a trailing
/// <c>/p2p/&lt;id&gt;</c> is allowed and ignored here: checking the peer is the security layer's job)
/// and listens on <c>/ip4|ip6/&lt;address&gt;/tcp/&lt;port&gt;</c>.
/// </summary>
/// <remarks>
/// Sockets get <c>TCP_NODELAY</c>; listening sockets get <c>SO_REUSEADDR</c> (so a restarted node
/// can bind its port again while old connections linger in TIME_WAIT) and a bounded backlog, and an
/// <c>/ip6</c> listener accepts IPv6 only, like go-libp2p's. Dial and listen
/// failures are <see cref="TransportException"/>s carrying the address and the socket error.
/// </remarks>
internal sealed class TcpTransport(TcpTransportOptions? options = null) : ITransport
{
    // <sys/socket.h> values: SOL_SOCKET and SO_REUSEADDR on Linux, and on macOS/BSD.
    private const int LinuxSolSocket = 1;
    private const int LinuxSoReuseAddr = 2;
    private const int BsdSolSocket = 0xFFFF;
    private const int BsdSoReuseAddr = 4;

    private readonly TcpTransportOptions options = options ?? TcpTransportOptions.Default;

    /// <summary>The options in force.</summary>
    internal TcpTransportOptions Options => options;

    public bool CanDial(Multiaddr address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var protocols = address.Protocols;
        int count = protocols.Count;
        if (count > 0 && protocols[count - 1] == MultiaddrProtocol.P2p)
        {
            count--;
        }

        // TryGetEndPoint also rules out what the shape allows but a socket cannot take (a named ip6zone).
        return IsHostAndTcpPort(protocols, count, allowDns: true) && address.TryGetEndPoint(out _);
    }

    public bool CanListen(Multiaddr address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var protocols = address.Protocols;
        return IsHostAndTcpPort(protocols, protocols.Count, allowDns: false) && address.TryGetEndPoint(out _);
    }

    public async Task<IRawConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!CanDial(address))
        {
            throw new ArgumentException($"The TCP transport cannot dial {address}.", nameof(address));
        }

        var socket = await WithConnectTimeoutAsync(address, token => ConnectSocketAsync(address, token), cancellationToken).ConfigureAwait(false);
        try
        {
            return TcpConnection.Create(socket, options);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw AddressedError.Dial(address, e.SocketErrorCode, $"{e.SocketErrorCode} ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Runs <paramref name="connect"/> (a socket connect and whatever a transport on top does before the
    /// connection is usable) under <see cref="TcpTransportOptions.ConnectTimeout"/>.
    /// </summary>
    /// <exception cref="TransportException">The dial timed out.</exception>
    internal async Task<T> WithConnectTimeoutAsync<T>(Multiaddr address, Func<CancellationToken, Task<T>> connect, CancellationToken cancellationToken)
    {
        using var timeout = options.ConnectTimeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked?.Token ?? cancellationToken;
        try
        {
            return await connect(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (timeout is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            throw AddressedError.Dial(address, SocketError.TimedOut, $"no connection within {options.ConnectTimeout}.", new TimeoutException($"The dial did not complete within {options.ConnectTimeout}.", e));
        }
    }

    /// <summary>
    /// Resolves and connects a socket to the host and TCP port at the start of <paramref name="address"/>
    /// (anything after <c>/tcp/&lt;port&gt;</c> is left to the caller), without a timeout of its own.
    /// </summary>
    /// <exception cref="TransportException">Resolving or connecting failed.</exception>
    internal async Task<Socket> ConnectSocketAsync(Multiaddr address, CancellationToken cancellationToken)
    {
        var endPoint = address.ToEndPoint();
        var candidates = endPoint is DnsEndPoint dns
            ? await ResolveAsync(address, dns, cancellationToken).ConfigureAwait(false)
            : [(IPEndPoint)endPoint];
        return await ConnectAsync(address, candidates, cancellationToken).ConfigureAwait(false);
    }

    public Task<IRawListener> ListenAsync(Multiaddr address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!CanListen(address))
        {
            throw new ArgumentException($"The TCP transport cannot listen on {address}.", nameof(address));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IRawListener>(cancellationToken);
        }

        try
        {
            return Task.FromResult<IRawListener>(new TcpTransportListener(Bind(address), options));
        }
        catch (TransportException e)
        {
            // Operational failures travel in the task; only caller mistakes throw synchronously.
            return Task.FromException<IRawListener>(e);
        }
    }

    /// <summary>
    /// A socket bound to the host and TCP port at the start of <paramref name="address"/> and listening
    /// with the configured backlog (SO_REUSEADDR; an IPv6 socket takes IPv6 only).
    /// </summary>
    /// <exception cref="TransportException">Binding failed.</exception>
    internal Socket Bind(Multiaddr address)
    {
        var endPoint = (IPEndPoint)address.ToEndPoint();
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            EnableReuseAddress(socket);
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            socket.Bind(endPoint);
            socket.Listen(options.ListenBacklog);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw AddressedError.Listen(address, e.SocketErrorCode, e.Message, e);
        }
    }

    /// <summary>
    /// Sets SO_REUSEADDR alone. Not <c>SocketOptionName.ReuseAddress</c>: on Unix .NET maps it to
    /// SO_REUSEADDR plus SO_REUSEPORT, and SO_REUSEPORT lets a second process bind the same port and
    /// silently take half our incoming connections. Windows lets a listener rebind a port with
    /// connections in TIME_WAIT without the option (and SO_REUSEADDR there would allow port stealing),
    /// so nothing is set there.
    /// </summary>
    private static void EnableReuseAddress(Socket socket)
    {
        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption(LinuxSolSocket, LinuxSoReuseAddr, BitConverter.GetBytes(1));
        }
        else if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            socket.SetRawSocketOption(BsdSolSocket, BsdSoReuseAddr, BitConverter.GetBytes(1));
        }
    }

    private static bool IsHostAndTcpPort(IReadOnlyList<MultiaddrProtocol> protocols, int count, bool allowDns)
    {
        int host = count == 3 && protocols[0] == MultiaddrProtocol.Ip6Zone && protocols[1] == MultiaddrProtocol.Ip6 ? 1 : 0;
        if (count != host + 2 || protocols[host + 1] != MultiaddrProtocol.Tcp)
        {
            return false;
        }

        var p = protocols[host];
        return p == MultiaddrProtocol.Ip4 || p == MultiaddrProtocol.Ip6
            || (allowDns && host == 0 && (p == MultiaddrProtocol.Dns || p == MultiaddrProtocol.Dns4 || p == MultiaddrProtocol.Dns6));
    }

    private async Task<IPEndPoint[]> ResolveAsync(Multiaddr address, DnsEndPoint dns, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await options.Resolver(dns.Host, dns.AddressFamily, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw AddressedError.Dial(address, e.SocketErrorCode, $"the host name {dns.Host} did not resolve ({e.SocketErrorCode}).", e);
        }

        // dns4 and dns6 ask the resolver for one family already; filter again in case a resolver
        // ignores the hint.
        var endPoints = addresses
            .Where(a => dns.AddressFamily == AddressFamily.Unspecified || a.AddressFamily == dns.AddressFamily)
            .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            .Select(a => new IPEndPoint(a, dns.Port))
            .ToArray();
        return endPoints.Length > 0
            ? endPoints
            : throw AddressedError.Dial(address, SocketError.HostNotFound, $"the host name {dns.Host} has no {FamilyName(dns.AddressFamily)}address.");
    }

    private static async Task<Socket> ConnectAsync(Multiaddr address, IPEndPoint[] candidates, CancellationToken cancellationToken)
    {
        // Resolved addresses are tried one after another; the first failure is the one reported,
        // since later candidates are usually fallbacks of the same host.
        SocketException? first = null;
        foreach (var endPoint in candidates)
        {
            var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                first ??= e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw AddressedError.Dial(address, first!.SocketErrorCode, $"{first.SocketErrorCode} ({first.Message}).", first);
    }

    private static string FamilyName(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => "IPv4 ",
        AddressFamily.InterNetworkV6 => "IPv6 ",
        _ => "",
    };
}
