using System.Net;
using Rx.Network.Addressing;

namespace Rx.Network.Transports;

/// <summary>
/// The parts of a WebSocket multiaddr (libp2p/specs <c>websockets/</c>): a host and TCP port, then
/// <c>/ws</c>, <c>/wss</c> or <c>/tls[/sni/&lt;name&gt;]/ws</c>, and for a dial an optional
/// trailing <c>/p2p/&lt;id&gt;</c>.
/// </summary>
/// <param name="Tcp">The leading host and TCP port (with <c>/ip6zone</c> when present).</param>
/// <param name="Suffix">What follows the port, <c>/p2p</c> excluded: <c>/ws</c>, <c>/wss</c>, <c>/tls/ws</c> or <c>/tls/sni/&lt;name&gt;/ws</c>.</param>
/// <param name="Secure">Whether the WebSocket runs over TLS.</param>
/// <param name="ServerName">The TLS server name: the <c>/sni</c> value, else the DNS host, else the IP address as text.</param>
internal sealed record WebSocketAddress(Multiaddr Tcp, Multiaddr Suffix, bool Secure, string ServerName)
{
    /// <summary>The <c>Host</c> header of our upgrade request: the host (IPv6 in brackets) and port.</summary>
    public string HostHeader
    {
        get
        {
            var endPoint = Tcp.ToEndPoint();
            return endPoint switch
            {
                DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
                IPEndPoint { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ip => $"[{ip.Address.ToString().Split('%')[0]}]:{ip.Port}",
                IPEndPoint ip => $"{ip.Address}:{ip.Port}",
                _ => endPoint.ToString() ?? "",
            };
        }
    }

    /// <summary>Splits <paramref name="address"/>; <see langword="null"/> when it is not a WebSocket address of that use.</summary>
    /// <param name="address">The address.</param>
    /// <param name="forDial">Dial shapes: DNS hosts, <c>/sni</c> and a trailing <c>/p2p</c> are allowed.</param>
    public static WebSocketAddress? TryParse(Multiaddr address, bool forDial)
    {
        var components = address.Components;
        int count = components.Count;
        if (forDial && count > 0 && components[count - 1].Protocol == MultiaddrProtocol.P2p)
        {
            count--;
        }

        int host = count > 0 && components[0].Protocol == MultiaddrProtocol.Ip6Zone ? 1 : 0;
        if (count < host + 3 || components[host + 1].Protocol != MultiaddrProtocol.Tcp || !address.TryGetEndPoint(out var endPoint))
        {
            return null;
        }

        var hostProtocol = components[host].Protocol;
        bool ip = hostProtocol == MultiaddrProtocol.Ip4 || hostProtocol == MultiaddrProtocol.Ip6;
        bool dns = hostProtocol == MultiaddrProtocol.Dns || hostProtocol == MultiaddrProtocol.Dns4 || hostProtocol == MultiaddrProtocol.Dns6;
        if (!ip && !(forDial && dns && host == 0))
        {
            return null;
        }

        var rest = components.Skip(host + 2).Take(count - host - 2).ToArray();
        bool secure;
        string? sni = null;
        if (rest is [{ } ws] && ws.Protocol == MultiaddrProtocol.Ws)
        {
            secure = false;
        }
        else if (rest is [{ } wss] && wss.Protocol == MultiaddrProtocol.Wss)
        {
            secure = true;
        }
        else if (rest is [{ } tls, { } ws2] && tls.Protocol == MultiaddrProtocol.Tls && ws2.Protocol == MultiaddrProtocol.Ws)
        {
            secure = true;
        }
        else if (forDial && rest is [{ } tls2, { } name, { } ws3] && tls2.Protocol == MultiaddrProtocol.Tls && name.Protocol == MultiaddrProtocol.Sni && ws3.Protocol == MultiaddrProtocol.Ws)
        {
            secure = true;
            sni = name.Value;
        }
        else
        {
            return null;
        }

        string serverName = sni ?? endPoint switch
        {
            DnsEndPoint d => d.Host,
            IPEndPoint i => i.Address.ToString(),
            _ => "",
        };
        return new WebSocketAddress(
            Multiaddr.FromComponents(components.Take(host + 2)),
            Multiaddr.FromComponents(rest),
            secure,
            serverName);
    }
}
