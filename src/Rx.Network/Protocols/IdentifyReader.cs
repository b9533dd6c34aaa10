using Rx.Network.Addressing;
using Rx.Network.Errors;
using Rx.Network.Identity;
using Rx.Network.Swarm;

namespace Rx.Network.Protocols;

/// <summary>
/// Reads the messages of one identify exchange (an identify answer or one push) into one
/// <see cref="IdentifyContent"/>, with the work a remote can cause bounded: at most
/// <c>maxProtocols</c> protocol entries and <c>maxAddresses</c> listen-address entries are examined
/// over all the messages of the exchange, duplicates and invalid ones included; the entries past
/// either bound are skipped by their length prefix, never decoded or parsed.
/// </summary>
/// <remarks>
/// The protobuf is walked by hand rather than parsed into a generated message: the generated parser
/// decodes every repeated entry into a string or a byte string before anything can look at the
/// count, and a remote fits about 1,200 protocol ids in one 8 KiB message. Duplicates are found
/// with hash sets (a list's <c>Contains</c> made the merge quadratic). Later scalar fields win,
/// lists accumulate once, in order. A malformed message leaves the content as it was before it.
/// </remarks>
internal sealed class IdentifyReader
{
    // Field numbers of the Identify message (identify/pb/identify.proto) and the tags they make
    // with wire type 2 (length-delimited), the only wire type these fields have.
    private const uint PublicKeyTag = (1 << 3) | 2;
    private const uint ListenAddrsTag = (2 << 3) | 2;
    private const uint ProtocolsTag = (3 << 3) | 2;
    private const uint ObservedAddrTag = (4 << 3) | 2;
    private const uint ProtocolVersionTag = (5 << 3) | 2;
    private const uint AgentVersionTag = (6 << 3) | 2;

    // A UTF-8 character takes at most 4 bytes: a longer id cannot be within MaxProtocolLength characters.
    private const int MaxProtocolBytes = 4 * ProtocolRouter.MaxProtocolLength;

    private readonly int maxProtocols;
    private readonly int maxAddresses;
    private readonly List<Multiaddr> addresses = [];
    private readonly HashSet<Multiaddr> knownAddresses = [];
    private readonly List<string> protocols = [];
    private readonly HashSet<string> knownProtocols = new(StringComparer.Ordinal);
    private string? protocolVersion;
    private string? agentVersion;
    private PublicKey? publicKey;
    private Multiaddr? observedAddress;

    /// <summary>A reader for one exchange.</summary>
    /// <param name="maxProtocols">Protocol entries examined at most, over all messages.</param>
    /// <param name="maxAddresses">Listen-address entries examined at most, over all messages.</param>
    public IdentifyReader(int maxProtocols, int maxAddresses)
    {
        this.maxProtocols = maxProtocols;
        this.maxAddresses = maxAddresses;
    }

    /// <summary>Messages read so far (malformed ones not counted).</summary>
    public int Messages { get; private set; }

    /// <summary>Protocol entries decoded so far, duplicates and invalid ones included.</summary>
    public int ProtocolsExamined { get; private set; }

    /// <summary>Listen-address entries parsed so far, duplicates and invalid ones included.</summary>
    public int AddressesExamined { get; private set; }

    /// <summary>Protocol and address entries skipped unread because a bound was reached.</summary>
    public int EntriesSkipped { get; private set; }

    /// <summary>What the messages read so far say.</summary>
    public IdentifyContent Content => new(protocolVersion, agentVersion, publicKey, [.. addresses], observedAddress, [.. protocols]);

    /// <summary>Reads one message and folds it into <see cref="Content"/>.</summary>
    /// <param name="payload">The message, without its length prefix.</param>
    /// <exception cref="WireProtocolViolationException">The bytes are not protobuf, or the public key is not a key; nothing of this message is kept.</exception>
    public void Add(ReadOnlySpan<byte> payload)
    {
        int addressMark = addresses.Count;
        int protocolMark = protocols.Count;
        var (pv, av, key, observed) = (protocolVersion, agentVersion, publicKey, observedAddress);
        try
        {
            ReadFields(payload);
            Messages++;
        }
        catch (WireProtocolViolationException)
        {
            // Roll back to the state before this message, so a bad message counts for nothing.
            foreach (var address in addresses.GetRange(addressMark, addresses.Count - addressMark))
            {
                knownAddresses.Remove(address);
            }

            foreach (var protocol in protocols.GetRange(protocolMark, protocols.Count - protocolMark))
            {
                knownProtocols.Remove(protocol);
            }

            addresses.RemoveRange(addressMark, addresses.Count - addressMark);
            protocols.RemoveRange(protocolMark, protocols.Count - protocolMark);
            (protocolVersion, agentVersion, publicKey, observedAddress) = (pv, av, key, observed);
            throw;
        }
    }

    private void ReadFields(ReadOnlySpan<byte> payload)
    {
        int offset = 0;
        while (offset < payload.Length)
        {
            ulong tag = ReadVarint(payload, ref offset);
            if (tag >> 3 is 0 or > int.MaxValue)
            {
                throw Error.Protocol("The identify message has a field number out of range.");
            }

            switch (tag & 7)
            {
                case 0:
                    ReadVarint(payload, ref offset);
                    break;
                case 1:
                    Skip(payload, ref offset, 8);
                    break;
                case 5:
                    Skip(payload, ref offset, 4);
                    break;
                case 2:
                    ReadLengthDelimited((uint)tag, ReadValue(payload, ref offset));
                    break;
                default:
                    // Groups (3, 4) are deprecated and never in identify; 6 and 7 do not exist.
                    throw Error.Protocol($"The identify message has a field of wire type {tag & 7}, which it cannot contain.");
            }
        }
    }

    private void ReadLengthDelimited(uint tag, ReadOnlySpan<byte> value)
    {
        switch (tag)
        {
            case ProtocolsTag:
                ReadProtocol(value);
                break;
            case ListenAddrsTag:
                ReadListenAddress(value);
                break;
            case PublicKeyTag:
                try
                {
                    publicKey = PublicKey.FromProtobuf(value);
                }
                catch (FormatException e)
                {
                    throw Error.Protocol("The public key in the identify message is not a valid key.", e);
                }

                break;
            case ObservedAddrTag:
                observedAddress = ParseAddress(value);
                break;
            case ProtocolVersionTag:
                protocolVersion = System.Text.Encoding.UTF8.GetString(value);
                break;
            case AgentVersionTag:
                agentVersion = System.Text.Encoding.UTF8.GetString(value);
                break;

            // signedPeerRecord (8) and fields from the future: skipped (see IdentifyCodec).
        }
    }

    private void ReadProtocol(ReadOnlySpan<byte> value)
    {
        if (ProtocolsExamined >= maxProtocols)
        {
            EntriesSkipped++;
            return;
        }

        ProtocolsExamined++;
        if (value.Length is 0 or > MaxProtocolBytes)
        {
            return;
        }

        string protocol = System.Text.Encoding.UTF8.GetString(value);
        if (protocol.Length <= ProtocolRouter.MaxProtocolLength && knownProtocols.Add(protocol))
        {
            protocols.Add(protocol);
        }
    }

    private void ReadListenAddress(ReadOnlySpan<byte> value)
    {
        if (AddressesExamined >= maxAddresses)
        {
            EntriesSkipped++;
            return;
        }

        AddressesExamined++;
        if (ParseAddress(value) is { } address && knownAddresses.Add(address))
        {
            addresses.Add(address);
        }
    }

    private static Multiaddr? ParseAddress(ReadOnlySpan<byte> bytes) =>
        Multiaddr.TryFromBytes(bytes, out var address) && !address.IsEmpty ? address.WithoutPeerId() : null;

    /// <summary>A protobuf varint: at most 10 bytes, not necessarily minimal (as protobuf allows).</summary>
    private static ulong ReadVarint(ReadOnlySpan<byte> payload, ref int offset)
    {
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (offset >= payload.Length)
            {
                throw Error.Protocol("The identify message ends inside a varint.");
            }

            byte b = payload[offset++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw Error.Protocol("The identify message has a varint longer than 10 bytes.");
    }

    private static ReadOnlySpan<byte> ReadValue(ReadOnlySpan<byte> payload, ref int offset)
    {
        ulong length = ReadVarint(payload, ref offset);
        if (length > (ulong)(payload.Length - offset))
        {
            throw Error.Protocol("A field of the identify message is longer than the message.");
        }

        var value = payload.Slice(offset, (int)length);
        offset += (int)length;
        return value;
    }

    private static void Skip(ReadOnlySpan<byte> payload, ref int offset, int count)
    {
        if (payload.Length - offset < count)
        {
            throw Error.Protocol("The identify message ends inside a fixed-size field.");
        }

        offset += count;
    }
}
