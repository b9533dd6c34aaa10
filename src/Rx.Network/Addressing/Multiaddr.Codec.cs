using Rx.Network.Encoding;
using Rx.Network.Errors;

namespace Rx.Network.Addressing;

// Text and binary decoding. The rules are go-multiaddr's (codec.go: stringToBytes, readComponent,
// readMultiaddr), with js-multiaddr's reading of "" and "/" as the empty address.
public sealed partial class Multiaddr
{
    private static Multiaddr DecodeText(string text)
    {
        if (text.Length > MaxTextLength)
        {
            throw Error.Format($"A multiaddr is at most {MaxTextLength} characters; this one has {text.Length}.");
        }

        // Trailing slashes are tolerated, so "/ip4/1.2.3.4/tcp/80/" and "/" parse.
        var span = text.AsSpan().TrimEnd('/');
        if (span.IsEmpty)
        {
            return Empty;
        }

        if (span[0] != '/')
        {
            throw Error.Format($"A multiaddr starts with '/': '{AddressText.Shorten(text)}'.");
        }

        var components = new List<MultiaddrComponent>();
        int length = 0;
        int position = 0;
        while (position < span.Length)
        {
            // Here span[position] is the '/' before a protocol name.
            var rest = span[(position + 1)..];
            int nameLength = rest.IndexOf('/');
            var name = nameLength < 0 ? rest : rest[..nameLength];
            if (name.IsEmpty)
            {
                throw Error.Format($"The multiaddr '{AddressText.Shorten(text)}' has an empty protocol name ('//').");
            }

            if (!TryLookupName(name, out var protocol))
            {
                throw Error.Format($"The multiaddr '{AddressText.Shorten(text)}' names an unknown protocol '{AddressText.Shorten(name.ToString())}'.");
            }

            position += 1 + name.Length;
            MultiaddrComponent component;
            if (protocol.Codec is null)
            {
                component = MultiaddrComponent.FromValidated(protocol, [], null);
            }
            else
            {
                if (position >= span.Length)
                {
                    throw Error.Format($"The multiaddr '{AddressText.Shorten(text)}' ends before the value of /{protocol.Name}.");
                }

                string valueText;
                if (protocol.IsPath)
                {
                    // A path takes the rest of the address, its leading '/' included.
                    valueText = span[position..].ToString();
                    position = span.Length;
                }
                else
                {
                    var valueRest = span[(position + 1)..];
                    int valueLength = valueRest.IndexOf('/');
                    var value = valueLength < 0 ? valueRest : valueRest[..valueLength];
                    if (value.IsEmpty)
                    {
                        throw Error.Format($"The multiaddr '{AddressText.Shorten(text)}' has an empty /{protocol.Name} value.");
                    }

                    valueText = value.ToString();
                    position += 1 + value.Length;
                }

                var raw = protocol.Codec.Parse(valueText);
                component = MultiaddrComponent.FromValidated(protocol, raw, protocol.BytesToValue(raw));
            }

            length += component.EncodedLength;
            if (length > MaxLength)
            {
                throw Error.Format($"The multiaddr '{AddressText.Shorten(text)}' is longer than {MaxLength} bytes once encoded.");
            }

            components.Add(component);
        }

        return Build([.. components], length);
    }

    private static bool TryLookupName(ReadOnlySpan<char> name, out MultiaddrProtocol protocol)
    {
        // Protocol names are short; a long segment cannot name one, so skip the allocation.
        if (name.Length <= 32 && MultiaddrProtocol.TryFromName(name.ToString(), out var found))
        {
            protocol = found;
            return true;
        }

        protocol = null!;
        return false;
    }

    private static Multiaddr DecodeBinary(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxLength)
        {
            throw Error.Protocol($"A multiaddr is at most {MaxLength} bytes; this one has {bytes.Length}.");
        }

        if (bytes.IsEmpty)
        {
            return Empty;
        }

        var components = new List<MultiaddrComponent>();
        int offset = 0;
        while (offset < bytes.Length)
        {
            if (components.Count > 0 && components[^1].Protocol.IsPath)
            {
                throw Error.Protocol($"A multiaddr cannot continue after the path protocol /{components[^1].Protocol.Name}.");
            }

            var status = Varint.TryRead(bytes[offset..], out ulong code, out int codeLength);
            if (status != VarintStatus.Done)
            {
                throw Error.Protocol($"The protocol code at byte {offset} of the multiaddr is malformed ({status}).");
            }

            // go-multiaddr's ReadVarintCode: codes are 32-bit.
            if (code > int.MaxValue || !MultiaddrProtocol.TryFromCode((int)code, out var protocol))
            {
                throw Error.Protocol($"The multiaddr has an unknown protocol code {code}.");
            }

            offset += codeLength;
            int size;
            if (protocol.Size == 0)
            {
                size = 0;
            }
            else if (protocol.IsVariableSize)
            {
                status = Varint.TryRead(bytes[offset..], out ulong declared, out int lengthLength);
                if (status != VarintStatus.Done)
                {
                    throw Error.Protocol($"The length of the /{protocol.Name} value is malformed ({status}).");
                }

                offset += lengthLength;
                if (declared == 0 || declared > (ulong)(bytes.Length - offset))
                {
                    throw Error.Protocol($"The /{protocol.Name} value declares {declared} bytes; {bytes.Length - offset} remain and at least 1 is needed.");
                }

                size = (int)declared;
            }
            else
            {
                size = protocol.Size / 8;
                if (size > bytes.Length - offset)
                {
                    throw Error.Protocol($"The /{protocol.Name} value needs {size} bytes; {bytes.Length - offset} remain.");
                }
            }

            var raw = bytes.Slice(offset, size).ToArray();
            offset += size;
            string? value = null;
            if (protocol.Codec is not null)
            {
                try
                {
                    value = protocol.Codec.Format(raw);
                }
                catch (FormatException e) when (e is not WireProtocolViolationException)
                {
                    throw Error.Protocol($"The /{protocol.Name} value is invalid: {e.Message}", e);
                }
            }

            components.Add(MultiaddrComponent.FromValidated(protocol, raw, value));
        }

        return new Multiaddr(bytes.ToArray(), [.. components]);
    }

    /// <summary>Builds an address from caller-supplied components, enforcing the invariants.</summary>
    /// <exception cref="ArgumentException">A path component is not last, or the address is too long.</exception>
    private static Multiaddr Compose(MultiaddrComponent[] components, string parameterName)
    {
        if (components.Length == 0)
        {
            return Empty;
        }

        int length = 0;
        for (int i = 0; i < components.Length; i++)
        {
            if (components[i].Protocol.IsPath && i != components.Length - 1)
            {
                throw new ArgumentException($"The path protocol /{components[i].Protocol.Name} must be the last component.", parameterName);
            }

            length += components[i].EncodedLength;
        }

        if (length > MaxLength)
        {
            throw new ArgumentException($"The address would be {length} bytes, above the limit of {MaxLength}.", parameterName);
        }

        return Build(components, length);
    }

    /// <summary>Encodes components already known to form a valid address of <paramref name="length"/> bytes.</summary>
    private static Multiaddr Build(MultiaddrComponent[] components, int length)
    {
        if (components.Length == 0)
        {
            return Empty;
        }

        var bytes = new byte[length];
        int offset = 0;
        foreach (var component in components)
        {
            offset += component.WriteTo(bytes.AsSpan(offset));
        }

        return new Multiaddr(bytes, components);
    }
}
