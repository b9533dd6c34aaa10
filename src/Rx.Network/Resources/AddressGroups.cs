using System.Net;
using System.Net.Sockets;

namespace Rx.Network.Resources;

/// <summary>
/// The address scopes a remote IP address counts in: an IPv4 address is its own group (/32); an
/// IPv6 address counts in its /56 (what one host or site commonly owns, so rotating addresses
/// inside it gains nothing) and in its /48.
/// </summary>
internal static class AddressGroups
{
    /// <summary>The scope names of <paramref name="address"/>, narrowest first, with the limits of each.</summary>
    public static (string Name, ScopeLimits Limits)[] Of(IPAddress address, ResourceLimits limits)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return [($"address:{address}/32", limits.Ip4Address)];
        }

        return
        [
            ($"address:{Prefix(address, 56)}/56", limits.Ip6Prefix56),
            ($"address:{Prefix(address, 48)}/48", limits.Ip6Prefix48),
        ];
    }

    /// <summary>The first <paramref name="bits"/> bits of an IPv6 address, the rest zero (a multiple of 8).</summary>
    internal static IPAddress Prefix(IPAddress address, int bits)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[(bits / 8)..].Clear();
        return new IPAddress(bytes);
    }
}
