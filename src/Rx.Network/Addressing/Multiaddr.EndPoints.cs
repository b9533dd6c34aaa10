using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Rx.Network.Addressing;

// Conversions to and from System.Net endpoints (go-multiaddr's manet package).
public sealed partial class Multiaddr
{
    /// <summary>
    /// Converts the address's leading host and port to an endpoint: <see cref="IPEndPoint"/> for
    /// <c>/ip4|ip6/…/tcp|udp/…</c> (with <c>/ip6zone/&lt;number&gt;</c> before <c>/ip6</c> as the
    /// scope ID), <see cref="DnsEndPoint"/> for <c>/dns|dns4|dns6/…/tcp|udp/…</c>.
    /// </summary>
    /// <remarks>
    /// Only the first two components (three with a zone) are read; later ones (<c>/ws</c>,
    /// <c>/quic-v1</c>, <c>/p2p/…</c>) are ignored, so check <see cref="Protocols"/> to tell a TCP
    /// address from a WebSocket one, and the second protocol to tell TCP from UDP.
    /// </remarks>
    /// <param name="endPoint">The endpoint when the result is <see langword="true"/>.</param>
    /// <returns>Whether the address starts with a host and a TCP or UDP port.</returns>
    public bool TryGetEndPoint([NotNullWhen(true)] out EndPoint? endPoint)
    {
        endPoint = null;
        int i = 0;
        long scopeId = 0;
        if (components.Length > 0 && components[0].Protocol == MultiaddrProtocol.Ip6Zone)
        {
            // IPEndPoint carries only numeric scope IDs; a named zone (eth0) has no portable mapping.
            if (!long.TryParse(components[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out scopeId)
                || components.Length < 2
                || components[1].Protocol != MultiaddrProtocol.Ip6)
            {
                return false;
            }

            i = 1;
        }

        if (components.Length < i + 2)
        {
            return false;
        }

        var host = components[i];
        var transport = components[i + 1].Protocol;
        if (transport != MultiaddrProtocol.Tcp && transport != MultiaddrProtocol.Udp)
        {
            return false;
        }

        int port = BinaryPrimitives.ReadUInt16BigEndian(components[i + 1].RawValue.Span);
        var protocol = host.Protocol;
        if (protocol == MultiaddrProtocol.Ip4)
        {
            endPoint = new IPEndPoint(new IPAddress(host.RawValue.Span), port);
        }
        else if (protocol == MultiaddrProtocol.Ip6)
        {
            endPoint = new IPEndPoint(new IPAddress(host.RawValue.Span, scopeId), port);
        }
        else if (protocol == MultiaddrProtocol.Dns || protocol == MultiaddrProtocol.Dns4 || protocol == MultiaddrProtocol.Dns6)
        {
            var family = protocol == MultiaddrProtocol.Dns4 ? AddressFamily.InterNetwork
                : protocol == MultiaddrProtocol.Dns6 ? AddressFamily.InterNetworkV6
                : AddressFamily.Unspecified;
            endPoint = new DnsEndPoint(host.Value!, port, family);
        }

        return endPoint is not null;
    }

    /// <summary>Converts the address's leading host and port to an endpoint; see <see cref="TryGetEndPoint"/>.</summary>
    /// <returns>An <see cref="IPEndPoint"/> or a <see cref="DnsEndPoint"/>.</returns>
    /// <exception cref="InvalidOperationException">The address does not start with a host and a TCP or UDP port.</exception>
    public EndPoint ToEndPoint() =>
        TryGetEndPoint(out var endPoint)
            ? endPoint
            : throw new InvalidOperationException($"The address {AddressText.Shorten(ToString())} does not start with an IP or DNS host and a TCP or UDP port.");

    /// <summary>
    /// Builds <c>/ip4/…/tcp/…</c> or <c>/ip6/…/tcp/…</c> (or <c>/udp</c>) from an IP endpoint.
    /// </summary>
    /// <remarks>
    /// An IPv4-mapped IPv6 address (<c>::ffff:1.2.3.4</c>, as dual-mode sockets report) becomes
    /// <c>/ip4/1.2.3.4</c>, as go-multiaddr's <c>manet.FromIP</c> does; a non-zero scope ID becomes
    /// <c>/ip6zone/&lt;id&gt;</c> before <c>/ip6</c>.
    /// </remarks>
    /// <param name="endPoint">The endpoint.</param>
    /// <param name="transport"><c>tcp</c> (the default) or <c>udp</c>.</param>
    /// <returns>The address.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endPoint"/> or <paramref name="transport"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="transport"/> is neither <c>tcp</c> nor <c>udp</c>, or the address family is not IPv4 or IPv6.</exception>
    public static Multiaddr FromEndPoint(IPEndPoint endPoint, string transport = "tcp")
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var port = PortComponent(endPoint.Port, transport);
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        var raw = address.GetAddressBytes();
        switch (address.AddressFamily)
        {
            case AddressFamily.InterNetwork:
                return Build([Validated(MultiaddrProtocol.Ip4, raw), port]);
            case AddressFamily.InterNetworkV6 when address.ScopeId != 0:
                var zone = address.ScopeId.ToString(CultureInfo.InvariantCulture);
                return Build([
                    MultiaddrComponent.FromValidated(MultiaddrProtocol.Ip6Zone, AddressText.ToUtf8(zone), zone),
                    Validated(MultiaddrProtocol.Ip6, raw),
                    port,
                ]);
            case AddressFamily.InterNetworkV6:
                return Build([Validated(MultiaddrProtocol.Ip6, raw), port]);
            default:
                throw new ArgumentException($"The address family {address.AddressFamily} has no multiaddr form.", nameof(endPoint));
        }
    }

    /// <summary>
    /// Builds <c>/dns4/…</c> (IPv4 family), <c>/dns6/…</c> (IPv6 family) or <c>/dns/…</c> (otherwise),
    /// followed by <c>/tcp/…</c> (or <c>/udp</c>), from a DNS endpoint.
    /// </summary>
    /// <param name="endPoint">The endpoint.</param>
    /// <param name="transport"><c>tcp</c> (the default) or <c>udp</c>.</param>
    /// <returns>The address.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endPoint"/> or <paramref name="transport"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="transport"/> is neither <c>tcp</c> nor <c>udp</c>, or the host name contains <c>/</c>
    /// or an unpaired surrogate, or is too long for <see cref="MaxLength"/>.
    /// </exception>
    public static Multiaddr FromEndPoint(DnsEndPoint endPoint, string transport = "tcp")
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var port = PortComponent(endPoint.Port, transport);
        var protocol = endPoint.AddressFamily switch
        {
            AddressFamily.InterNetwork => MultiaddrProtocol.Dns4,
            AddressFamily.InterNetworkV6 => MultiaddrProtocol.Dns6,
            _ => MultiaddrProtocol.Dns,
        };

        MultiaddrComponent host;
        try
        {
            host = new MultiaddrComponent(protocol, endPoint.Host);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"The host name has no multiaddr form: {e.Message}", nameof(endPoint), e);
        }

        return Compose([host, port], nameof(endPoint));
    }

    private static MultiaddrComponent PortComponent(int port, string transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var protocol = transport switch
        {
            "tcp" => MultiaddrProtocol.Tcp,
            "udp" => MultiaddrProtocol.Udp,
            _ => throw new ArgumentException($"The transport must be \"tcp\" or \"udp\", not \"{AddressText.Shorten(transport)}\".", nameof(transport)),
        };

        // IPEndPoint and DnsEndPoint already keep ports within 0..65535.
        var raw = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(raw, (ushort)port);
        return Validated(protocol, raw);
    }

    private static MultiaddrComponent Validated(MultiaddrProtocol protocol, byte[] raw) =>
        MultiaddrComponent.FromValidated(protocol, raw, protocol.BytesToValue(raw));

    private static Multiaddr Build(MultiaddrComponent[] components)
    {
        int length = 0;
        foreach (var component in components)
        {
            length += component.EncodedLength;
        }

        // IP endpoint addresses are at most 36 bytes and contain no path component.
        return Build(components, length);
    }
}
