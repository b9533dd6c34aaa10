using System.Buffers;
using System.Security.Cryptography;
using Text = System.Text;

namespace Rx.Network.Transports;

/// <summary>
/// The HTTP/1.1 upgrade that opens a WebSocket (RFC 6455 section 4), written by hand over the
/// connection's stream so that it stays bounded: at most <c>maxSize</c> bytes of request line and
/// headers are read, and the caller's token (the dial's connect timeout, or the network's upgrade
/// deadline) bounds the time. ADR 0009 says why not Kestrel.
/// </summary>
internal static class WebSocketHandshake
{
    // RFC 6455 section 1.3: the GUID appended to Sec-WebSocket-Key before hashing.
    private const string KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    /// <summary>The <c>Sec-WebSocket-Accept</c> value for a client's <c>Sec-WebSocket-Key</c>.</summary>
    /// <remarks>RFC 6455 fixes SHA-1 here; it proves the server read the key, it protects nothing.</remarks>
#pragma warning disable CA5350 // The protocol mandates SHA-1 for this checksum.
    public static string AcceptKey(string key) =>
        Convert.ToBase64String(SHA1.HashData(Text.Encoding.ASCII.GetBytes(key + KeyGuid)));
#pragma warning restore CA5350

    /// <summary>
    /// Server side: reads the client's upgrade request, answers <c>101 Switching Protocols</c>, and
    /// returns the bytes that followed the request (normally none). A request that is not a valid
    /// WebSocket upgrade is answered with <c>400</c>, <c>426</c> or <c>431</c> and refused.
    /// </summary>
    /// <exception cref="WireProtocolViolationException">The request is not a WebSocket upgrade (answered already).</exception>
    /// <exception cref="IOException">The connection ended or failed during the upgrade.</exception>
    public static async Task<byte[]> AcceptAsync(Stream stream, int maxSize, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(maxSize);
        try
        {
            var (headEnd, read) = await ReadHeadAsync(stream, buffer, maxSize, request: true, cancellationToken).ConfigureAwait(false);
            if (headEnd < 0)
            {
                await RefuseAsync(stream, "431 Request Header Fields Too Large", "", cancellationToken).ConfigureAwait(false);
                throw new WireProtocolViolationException($"The WebSocket upgrade request is longer than {maxSize} bytes.");
            }

            var refusal = CheckRequest(Text.Encoding.Latin1.GetString(buffer, 0, headEnd), out var key);
            if (refusal is { } r)
            {
                await RefuseAsync(stream, r.Status, r.Headers, cancellationToken).ConfigureAwait(false);
                throw new WireProtocolViolationException($"Refused an HTTP request that is not a WebSocket upgrade ({r.Status}): {r.Why}.");
            }

            var response = $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {AcceptKey(key!)}\r\n\r\n";
            await stream.WriteAsync(Text.Encoding.ASCII.GetBytes(response), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            return buffer.AsSpan(headEnd, read - headEnd).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Client side: sends an upgrade request for <c>/</c> on <paramref name="host"/>, checks the
    /// server's <c>101</c> answer, and returns the bytes that followed it (the server may speak first).
    /// </summary>
    /// <exception cref="WireProtocolViolationException">The server did not accept the upgrade correctly.</exception>
    /// <exception cref="IOException">The connection ended or failed during the upgrade.</exception>
    public static async Task<byte[]> RequestAsync(Stream stream, string host, int maxSize, CancellationToken cancellationToken)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET / HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await stream.WriteAsync(Text.Encoding.ASCII.GetBytes(request), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

        var buffer = ArrayPool<byte>.Shared.Rent(maxSize);
        try
        {
            var (headEnd, read) = await ReadHeadAsync(stream, buffer, maxSize, request: false, cancellationToken).ConfigureAwait(false);
            if (headEnd < 0)
            {
                throw new WireProtocolViolationException($"The WebSocket upgrade response is longer than {maxSize} bytes.");
            }

            CheckResponse(Text.Encoding.Latin1.GetString(buffer, 0, headEnd), AcceptKey(key));
            return buffer.AsSpan(headEnd, read - headEnd).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads until the blank line that ends an HTTP head. Returns the head's length (the blank line
    /// included) and the bytes read, or a head length of -1 when <paramref name="maxSize"/> bytes came
    /// without one.
    /// </summary>
    private static async Task<(int HeadEnd, int Read)> ReadHeadAsync(Stream stream, byte[] buffer, int maxSize, bool request, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < maxSize)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(read, maxSize - read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException(request
                    ? $"The remote closed the connection during the WebSocket upgrade, after {read} bytes of request."
                    : $"The server closed the connection during the WebSocket upgrade, after {read} bytes of response.");
            }

            int from = Math.Max(0, read - 3);
            read += n;
            int end = buffer.AsSpan(from, read - from).IndexOf(EndOfHead);
            if (end >= 0)
            {
                return (from + end + EndOfHead.Length, read);
            }
        }

        return (-1, read);
    }

    private readonly record struct Refusal(string Status, string Headers, string Why);

    /// <summary>Checks an upgrade request (RFC 6455 section 4.2.1); the refusal to send, or null and the key.</summary>
    private static Refusal? CheckRequest(string head, out string? key)
    {
        key = null;
        var lines = head[..^4].Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || requestLine[1].Length == 0)
        {
            return new Refusal("400 Bad Request", "", "malformed request line");
        }

        if (requestLine[0] != "GET" || requestLine[2] == "HTTP/1.0")
        {
            return new Refusal("400 Bad Request", "", $"{requestLine[0]} {requestLine[2]} is not an HTTP/1.1 GET");
        }

        if (!TryParseHeaders(lines, out var headers))
        {
            return new Refusal("400 Bad Request", "", "malformed header line");
        }

        if (!headers.ContainsKey("host"))
        {
            return new Refusal("400 Bad Request", "", "no Host header");
        }

        const string upgradeHeaders = "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n";
        if (!HasToken(headers, "upgrade", "websocket") || !HasToken(headers, "connection", "upgrade"))
        {
            return new Refusal("426 Upgrade Required", upgradeHeaders, "no WebSocket upgrade asked for");
        }

        if (!headers.TryGetValue("sec-websocket-version", out var version) || version.Trim() != "13")
        {
            return new Refusal("426 Upgrade Required", upgradeHeaders, $"WebSocket version '{version}' is not 13");
        }

        if (!headers.TryGetValue("sec-websocket-key", out var k) || !IsNonce(k.Trim()))
        {
            return new Refusal("400 Bad Request", "", "Sec-WebSocket-Key is not 16 bytes in base64");
        }

        key = k.Trim();
        return null;
    }

    /// <summary>Checks the server's answer to our upgrade request (RFC 6455 section 4.1).</summary>
    /// <exception cref="WireProtocolViolationException">It is not a valid acceptance.</exception>
    private static void CheckResponse(string head, string expectedAccept)
    {
        var lines = head[..^4].Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            throw new WireProtocolViolationException("The WebSocket upgrade response has a malformed status line.");
        }

        if (status[1] != "101")
        {
            throw new WireProtocolViolationException($"The server refused the WebSocket upgrade: {Shorten(lines[0])}.");
        }

        if (!TryParseHeaders(lines, out var headers))
        {
            throw new WireProtocolViolationException("The WebSocket upgrade response has a malformed header line.");
        }

        if (!HasToken(headers, "upgrade", "websocket") || !HasToken(headers, "connection", "upgrade"))
        {
            throw new WireProtocolViolationException("The WebSocket upgrade response lacks 'Upgrade: websocket' or 'Connection: Upgrade'.");
        }

        if (!headers.TryGetValue("sec-websocket-accept", out var accept) || accept.Trim() != expectedAccept)
        {
            throw new WireProtocolViolationException("The WebSocket upgrade response's Sec-WebSocket-Accept does not match our key.");
        }

        // We asked for no extension and no subprotocol: a server that picks one speaks something else.
        if (headers.ContainsKey("sec-websocket-extensions") || headers.ContainsKey("sec-websocket-protocol"))
        {
            throw new WireProtocolViolationException("The WebSocket server chose an extension or subprotocol we did not offer.");
        }
    }

    private static bool TryParseHeaders(string[] lines, out Dictionary<string, string> headers)
    {
        headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            int colon = line.IndexOf(':', StringComparison.Ordinal);

            // No folded lines (RFC 9112 section 5.2), no empty names, no space before the colon.
            if (colon <= 0 || line[0] is ' ' or '\t' || line[colon - 1] is ' ' or '\t')
            {
                return false;
            }

            var name = line[..colon].ToLowerInvariant();
            var value = line[(colon + 1)..].Trim(' ', '\t');
            headers[name] = headers.TryGetValue(name, out var earlier) ? $"{earlier}, {value}" : value;
        }

        return true;
    }

    private static bool HasToken(Dictionary<string, string> headers, string name, string token) =>
        headers.TryGetValue(name, out var value)
        && value.Split(',').Any(t => t.Trim(' ', '\t').Equals(token, StringComparison.OrdinalIgnoreCase));

    private static bool IsNonce(string key)
    {
        Span<byte> decoded = stackalloc byte[18];
        return key.Length == 24 && Convert.TryFromBase64String(key, decoded, out int written) && written == 16;
    }

    private static async Task RefuseAsync(Stream stream, string status, string headers, CancellationToken cancellationToken)
    {
        var response = $"HTTP/1.1 {status}\r\n{headers}Connection: close\r\nContent-Length: 0\r\n\r\n";
        try
        {
            await stream.WriteAsync(Text.Encoding.ASCII.GetBytes(response), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The client is gone already; the refusal stands.
        }
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
