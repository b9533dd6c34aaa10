using System.Buffers;
using System.Buffers.Binary;

namespace Rx.Network.Security.Tls;

/// <summary>
/// Where the TLS records begin in the raw bytes <see cref="PipeStream"/> hands to SslStream, so
/// that it can hand them over in whole records: it reads each record's 5-byte header (RFC 8446
/// §5.1: content type, legacy version, length) as the bytes go by.
/// </summary>
/// <remarks>
/// Only a hint for when to hand bytes over, never a check: SslStream parses and authenticates
/// every record itself. Bytes that do not look like a TLS record header (an unknown content type,
/// a major version other than 3, a length beyond any TLS version's limit) switch the cursor to
/// passing everything on as it comes, and SslStream fails the connection on them.
/// </remarks>
internal sealed class RecordCursor
{
    /// <summary>The size of a record header: content type, legacy version, length.</summary>
    public const int HeaderSize = 5;

    /// <summary>
    /// The longest record body any TLS version allows (2^14 + 2,048, TLS 1.2's ciphertext limit;
    /// TLS 1.3's is 2^14 + 256): a longer length is not a TLS record.
    /// </summary>
    public const int MaxBody = (16 * 1024) + 2048;

    /// <summary>
    /// The body of a full TLS 1.3 record: 2^14 bytes of plaintext, the inner content type and a
    /// 16-byte AEAD tag (every TLS 1.3 suite's). A shorter body is the last record of a write.
    /// </summary>
    public const int FullBody = (16 * 1024) + 1 + 16;

    /// <summary>
    /// Bytes waiting in a raw pipe of unknown bound beyond which part of a record is handed over
    /// anyway: half the smallest buffer bound a transport accepts (16 KiB, which pauses the
    /// receive pump), so that a record larger than the pipe may hold is never waited for whole.
    /// </summary>
    public const int PartialHandOver = 8 * 1024;

    // Bytes waiting beyond which part of a record is handed over: where the pipe's producer
    // pauses when that is known, else PartialHandOver.
    private readonly long partialAt;

    // Bytes of the record SslStream is in the middle of that it has not been handed yet; 0 at a
    // record boundary.
    private long left;

    // Whether that record is shorter than a full one (the last of a write): nothing after it is
    // counted with its rest.
    private bool leftIsShort;
    private bool passThrough;

    // The first bytes of a header handed over without the rest (the hand-over ended inside it).
    private readonly byte[] header = new byte[HeaderSize];
    private int headerHave;

    /// <summary>A cursor at the start of a connection.</summary>
    /// <param name="inputBound">
    /// The raw pipe's pause threshold (<see cref="Transports.IAccountedPipe.InputBound"/>), 0 when
    /// unknown. Known, part of a record is handed over only once the pipe holds that much: the
    /// receive pump has paused and the rest cannot come until SslStream takes some. A record merely
    /// still arriving is then waited for whole, which saves SslStream a read and a pass through
    /// its frame loop per piece (measured on 16 streams: docs/benchmarks.md, session 10).
    /// </param>
    public RecordCursor(long inputBound = 0)
    {
        partialAt = inputBound > 0 ? Math.Max(PartialHandOver, inputBound) : PartialHandOver;
    }

    /// <summary>
    /// How many bytes at the start of <paramref name="available"/> to hand over: the rest of the
    /// current record and every whole record after it that still fits in <paramref name="room"/>,
    /// up to the first record shorter than <see cref="FullBody"/>;
    /// when not even the current record is whole, 0, or all of <paramref name="available"/> once
    /// it reaches the pipe's bound (or <see cref="PartialHandOver"/> when that is unknown; all of
    /// it is then inside the current record, whose header it holds).
    /// </summary>
    /// <remarks>
    /// A short record ends a write of the sender (the record layer cuts a write into full records
    /// and one shorter last one). Handing SslStream nothing past it keeps SslStream from
    /// decrypting the next write's records into the same read, so a read of the plaintext ends
    /// where the sender's write ended (<see cref="TlsRecordStream"/>: one muxer frame per chunk).
    /// A whole record that does not fit in what the reader can take is left in the pipe: SslStream
    /// reads into a 32 KiB buffer, 44 bytes short of two full records, and handed the first part
    /// of a second one it kept that part, shifted it to the front of its buffer on its next read (a
    /// copy), and read the rest with the first part of the record after it, so the split carried
    /// on from record to record (session 11, docs/benchmarks.md: a quarter of the records).
    /// </remarks>
    /// <param name="available">The raw bytes waiting in the pipe, starting where SslStream left off.</param>
    /// <param name="room">What the reader can take: the current record counts whatever its size, a later one only if it fits.</param>
    public long Ready(in ReadOnlySequence<byte> available, long room)
    {
        long whole = WholeBytes(available, room);
        return whole == 0 && available.Length >= partialAt ? available.Length : whole;
    }

    private long WholeBytes(in ReadOnlySequence<byte> available, long room)
    {
        if (passThrough)
        {
            return available.Length;
        }

        long whole = left;
        bool currentIsShort = leftIsShort;
        if (headerHave > 0)
        {
            // A hand-over ended inside a header (the reader's buffer was full there): the rest of
            // that header and the body it announces complete the current record.
            int need = HeaderSize - headerHave;
            if (available.Length < need)
            {
                return 0;
            }

            Span<byte> started = stackalloc byte[HeaderSize];
            header.AsSpan(0, headerHave).CopyTo(started);
            available.Slice(0, need).CopyTo(started[headerHave..]);
            if (!TryReadLength(started, out int rest))
            {
                passThrough = true;
                return available.Length;
            }

            whole = need + rest;
            currentIsShort = rest < FullBody;
        }

        if (available.Length < whole)
        {
            return 0;
        }

        if (whole > 0 && currentIsShort)
        {
            return whole;
        }

        Span<byte> next = stackalloc byte[HeaderSize];
        while (whole < room || whole == 0)
        {
            if (available.Length - whole < HeaderSize)
            {
                break;
            }

            available.Slice(whole, HeaderSize).CopyTo(next);
            if (!TryReadLength(next, out int body))
            {
                passThrough = true;
                return available.Length;
            }

            // Whole records only, and after the first only those that fit in the reader's room.
            if (available.Length - whole < HeaderSize + body || (whole > 0 && whole + HeaderSize + body > room))
            {
                break;
            }

            whole += HeaderSize + body;
            if (body < FullBody)
            {
                break;
            }
        }

        return whole;
    }

    /// <summary>
    /// Moves past <paramref name="count"/> bytes handed to SslStream, the first
    /// <paramref name="count"/> of <paramref name="available"/>. They may end inside a record
    /// header (at the end of the stream, where whatever came is handed over): the header's first
    /// bytes are kept, and nothing is counted past them any more.
    /// </summary>
    /// <param name="available">The bytes <see cref="Ready"/> looked at.</param>
    /// <param name="count">How many of them were handed over.</param>
    public void Advance(in ReadOnlySequence<byte> available, long count)
    {
        foreach (var segment in available.Slice(0, count))
        {
            Advance(segment.Span);
            if (passThrough)
            {
                return;
            }
        }
    }

    private void Advance(ReadOnlySpan<byte> handed)
    {
        while (!handed.IsEmpty && !passThrough)
        {
            if (left > 0)
            {
                int skip = (int)Math.Min(left, handed.Length);
                left -= skip;
                handed = handed[skip..];
                continue;
            }

            int take = Math.Min(HeaderSize - headerHave, handed.Length);
            handed[..take].CopyTo(header.AsSpan(headerHave));
            headerHave += take;
            handed = handed[take..];
            if (headerHave < HeaderSize)
            {
                return;
            }

            headerHave = 0;
            if (!TryReadLength(header, out int body))
            {
                passThrough = true;
                return;
            }

            left = body;
            leftIsShort = body < FullBody;
        }
    }

    private static bool TryReadLength(ReadOnlySpan<byte> header, out int body)
    {
        body = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);

        // change_cipher_spec (20), alert (21), handshake (22), application_data (23); version 3.x.
        return header[0] is >= 20 and <= 23 && header[1] == 3 && body <= MaxBody;
    }
}
