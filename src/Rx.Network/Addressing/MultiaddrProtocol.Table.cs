namespace Rx.Network.Addressing;

// The protocol table. Codes and sizes: multiformats/multiaddr protocols.csv (mirrored in the
// multicodec table.csv). To add a protocol: declare it here and list it in Table().
public sealed partial class MultiaddrProtocol
{
    /// <summary><c>ip4</c> (4): an IPv4 address, 32 bits.</summary>
    public static MultiaddrProtocol Ip4 { get; } = new(4, "ip4", 32, Ip4Codec.Instance);

    /// <summary><c>tcp</c> (6): a TCP port, 16 bits.</summary>
    public static MultiaddrProtocol Tcp { get; } = new(6, "tcp", 16, PortCodec.Instance);

    /// <summary><c>dccp</c> (33): a DCCP port, 16 bits.</summary>
    public static MultiaddrProtocol Dccp { get; } = new(33, "dccp", 16, PortCodec.Instance);

    /// <summary><c>ip6</c> (41): an IPv6 address, 128 bits.</summary>
    public static MultiaddrProtocol Ip6 { get; } = new(41, "ip6", 128, Ip6Codec.Instance);

    /// <summary><c>ip6zone</c> (42): an IPv6 zone (RFC 4007), length-prefixed; precedes <c>ip6</c>.</summary>
    public static MultiaddrProtocol Ip6Zone { get; } = new(42, "ip6zone", VariableSize, NameCodec.Instance);

    /// <summary><c>ipcidr</c> (43): a CIDR prefix length, 8 bits.</summary>
    public static MultiaddrProtocol IpCidr { get; } = new(43, "ipcidr", 8, ByteCodec.Instance);

    /// <summary><c>dns</c> (53): a domain name resolvable to IPv4 and IPv6 addresses.</summary>
    public static MultiaddrProtocol Dns { get; } = new(53, "dns", VariableSize, NameCodec.Instance);

    /// <summary><c>dns4</c> (54): a domain name resolvable to IPv4 addresses only.</summary>
    public static MultiaddrProtocol Dns4 { get; } = new(54, "dns4", VariableSize, NameCodec.Instance);

    /// <summary><c>dns6</c> (55): a domain name resolvable to IPv6 addresses only.</summary>
    public static MultiaddrProtocol Dns6 { get; } = new(55, "dns6", VariableSize, NameCodec.Instance);

    /// <summary><c>dnsaddr</c> (56): a domain whose <c>_dnsaddr</c> TXT records hold multiaddrs.</summary>
    public static MultiaddrProtocol DnsAddr { get; } = new(56, "dnsaddr", VariableSize, NameCodec.Instance);

    /// <summary><c>sctp</c> (132): an SCTP port, 16 bits.</summary>
    public static MultiaddrProtocol Sctp { get; } = new(132, "sctp", 16, PortCodec.Instance);

    /// <summary><c>udp</c> (273): a UDP port, 16 bits.</summary>
    public static MultiaddrProtocol Udp { get; } = new(273, "udp", 16, PortCodec.Instance);

    /// <summary><c>p2p-webrtc-star</c> (275): deprecated, no value.</summary>
    public static MultiaddrProtocol P2pWebRtcStar { get; } = new(275, "p2p-webrtc-star", 0, null);

    /// <summary><c>p2p-webrtc-direct</c> (276): deprecated, no value.</summary>
    public static MultiaddrProtocol P2pWebRtcDirect { get; } = new(276, "p2p-webrtc-direct", 0, null);

    /// <summary><c>p2p-stardust</c> (277): deprecated, no value.</summary>
    public static MultiaddrProtocol P2pStardust { get; } = new(277, "p2p-stardust", 0, null);

    /// <summary><c>webrtc-direct</c> (280): WebRTC without signalling, no value.</summary>
    public static MultiaddrProtocol WebRtcDirect { get; } = new(280, "webrtc-direct", 0, null);

    /// <summary><c>webrtc</c> (281): WebRTC with signalling over a relay, no value.</summary>
    public static MultiaddrProtocol WebRtc { get; } = new(281, "webrtc", 0, null);

    /// <summary><c>p2p-circuit</c> (290): a circuit relay hop, no value.</summary>
    public static MultiaddrProtocol P2pCircuit { get; } = new(290, "p2p-circuit", 0, null);

    /// <summary><c>udt</c> (301): no value.</summary>
    public static MultiaddrProtocol Udt { get; } = new(301, "udt", 0, null);

    /// <summary><c>utp</c> (302): no value.</summary>
    public static MultiaddrProtocol Utp { get; } = new(302, "utp", 0, null);

    /// <summary><c>unix</c> (400): a unix socket path; a path protocol that takes the rest of the text form.</summary>
    public static MultiaddrProtocol Unix { get; } = new(400, "unix", VariableSize, UnixPathCodec.Instance, isPath: true);

    /// <summary><c>p2p</c> (421, alias <c>ipfs</c>): a peer ID, the length-prefixed multihash, written in base58btc.</summary>
    public static MultiaddrProtocol P2p { get; } = new(421, "p2p", VariableSize, PeerIdCodec.Instance, false, "ipfs");

    /// <summary><c>https</c> (443): deprecated alias for <c>/tls/http</c>, no value.</summary>
    public static MultiaddrProtocol Https { get; } = new(443, "https", 0, null);

    /// <summary><c>tls</c> (448): TLS, no value.</summary>
    public static MultiaddrProtocol Tls { get; } = new(448, "tls", 0, null);

    /// <summary><c>sni</c> (449): a TLS server name (RFC 6066 section 3), length-prefixed.</summary>
    public static MultiaddrProtocol Sni { get; } = new(449, "sni", VariableSize, NameCodec.Instance);

    /// <summary><c>noise</c> (454): Noise, no value.</summary>
    public static MultiaddrProtocol Noise { get; } = new(454, "noise", 0, null);

    /// <summary><c>quic</c> (460): QUIC draft-29, no value.</summary>
    public static MultiaddrProtocol Quic { get; } = new(460, "quic", 0, null);

    /// <summary><c>quic-v1</c> (461): QUIC version 1 (RFC 9000), no value.</summary>
    public static MultiaddrProtocol QuicV1 { get; } = new(461, "quic-v1", 0, null);

    /// <summary><c>webtransport</c> (465): WebTransport, no value.</summary>
    public static MultiaddrProtocol WebTransport { get; } = new(465, "webtransport", 0, null);

    /// <summary><c>certhash</c> (466): a certificate multihash, length-prefixed, written in multibase (base64url on output).</summary>
    public static MultiaddrProtocol CertHash { get; } = new(466, "certhash", VariableSize, CertHashCodec.Instance);

    /// <summary><c>ws</c> (477): WebSocket, no value.</summary>
    public static MultiaddrProtocol Ws { get; } = new(477, "ws", 0, null);

    /// <summary><c>wss</c> (478): deprecated alias for <c>/tls/ws</c>, no value.</summary>
    public static MultiaddrProtocol Wss { get; } = new(478, "wss", 0, null);

    /// <summary><c>p2p-websocket-star</c> (479): deprecated, no value.</summary>
    public static MultiaddrProtocol P2pWebSocketStar { get; } = new(479, "p2p-websocket-star", 0, null);

    /// <summary><c>http</c> (480): HTTP, no value.</summary>
    public static MultiaddrProtocol Http { get; } = new(480, "http", 0, null);

    /// <summary>
    /// <c>memory</c> (777): an in-memory transport address, a length-prefixed UTF-8 name
    /// (protocols.csv size V; js-libp2p writes <c>/memory/&lt;name&gt;</c>).
    /// </summary>
    /// <remarks>
    /// go-multiaddr instead encodes this code as a fixed 64-bit integer. The two binary forms are
    /// incompatible; we follow the protocols table and js-libp2p. Memory addresses never leave a
    /// process, so the difference does not reach the wire.
    /// </remarks>
    public static MultiaddrProtocol Memory { get; } = new(777, "memory", VariableSize, NameCodec.Instance);

    /// <summary><c>plaintextv2</c> (0x706c61): the plaintext security handshake, no value.</summary>
    public static MultiaddrProtocol PlaintextV2 { get; } = new(0x706c61, "plaintextv2", 0, null);

    private static IEnumerable<MultiaddrProtocol> Table() =>
    [
        Ip4, Tcp, Dccp, Ip6, Ip6Zone, IpCidr, Dns, Dns4, Dns6, DnsAddr, Sctp, Udp,
        P2pWebRtcStar, P2pWebRtcDirect, P2pStardust, WebRtcDirect, WebRtc, P2pCircuit, Udt, Utp,
        Unix, P2p, Https, Tls, Sni, Noise, Quic, QuicV1, WebTransport, CertHash,
        Ws, Wss, P2pWebSocketStar, Http, Memory, PlaintextV2,
    ];
}
