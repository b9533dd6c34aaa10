using System.Collections.Frozen;
using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using Rx.Network.Encoding;
using Rx.Network.Errors;

namespace Rx.Network.Addressing;

/// <summary>
/// One protocol a multiaddr can name: its multicodec code, its text name, the size of its value and
/// how that value converts between text and bytes.
/// </summary>
/// <remarks>
/// <para>
/// Codes and sizes come from the multiaddr
/// <see href="https://github.com/multiformats/multiaddr/blob/master/protocols.csv">protocols.csv</see>
/// (mirrored in the multicodec <c>table.csv</c>); value encodings follow go-multiaddr and
/// js-multiaddr. Instances are the static members of this class; compare them by reference or by
/// <see cref="Code"/>.
/// </para>
/// <para>
/// Protocols the table does not list (<c>onion</c>, <c>onion3</c>, <c>garlic32</c>,
/// <c>garlic64</c>, <c>http-path</c>) make an address unparseable; adding one is one line in
/// <c>MultiaddrProtocol.Table.cs</c> plus a <c>ValueCodec</c> if it carries a value.
/// </para>
/// </remarks>
public sealed partial class MultiaddrProtocol
{
    /// <summary>The <see cref="Size"/> of a protocol whose value is length-prefixed (a varint byte count, then the bytes).</summary>
    public const int VariableSize = -1;

    private readonly ReadOnlyCollection<string> aliases;

    private MultiaddrProtocol(int code, string name, int size, ValueCodec? codec, bool isPath = false, params string[] aliases)
    {
        Code = code;
        Name = name;
        Size = size;
        Codec = codec;
        IsPath = isPath;
        this.aliases = Array.AsReadOnly(aliases);
        EncodedCode = Varint.Encode((ulong)code);
    }

    /// <summary>The multicodec code that identifies the protocol in the binary form.</summary>
    public int Code { get; }

    /// <summary>The name that identifies the protocol in the text form, e.g. <c>tcp</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// The size of the value in bits when fixed (e.g. 32 for <c>ip4</c>), 0 when the protocol has no
    /// value (e.g. <c>ws</c>), or <see cref="VariableSize"/> when the value is length-prefixed.
    /// </summary>
    public int Size { get; }

    /// <summary>Whether a component of this protocol carries a value.</summary>
    public bool HasValue => Size != 0;

    /// <summary>Whether the value is length-prefixed rather than of fixed size.</summary>
    public bool IsVariableSize => Size == VariableSize;

    /// <summary>
    /// Whether the value is a path that takes the rest of the text form (<c>unix</c>); a path
    /// protocol can only be the last component of an address.
    /// </summary>
    public bool IsPath { get; }

    /// <summary>Other names accepted when parsing text (e.g. <c>ipfs</c> for <c>p2p</c>); output always uses <see cref="Name"/>.</summary>
    public IReadOnlyList<string> Aliases => aliases;

    /// <summary>Converts values of this protocol; null when it has none.</summary>
    internal ValueCodec? Codec { get; }

    /// <summary>The code as a varint, ready to write.</summary>
    internal byte[] EncodedCode { get; }

    /// <summary>Every protocol the library knows, in code order.</summary>
    public static IReadOnlyList<MultiaddrProtocol> All => Lookup.All;

    /// <summary>Returns the protocol with a given code.</summary>
    /// <param name="code">The multicodec code.</param>
    /// <returns>The protocol.</returns>
    /// <exception cref="ArgumentOutOfRangeException">No known protocol has that code.</exception>
    public static MultiaddrProtocol FromCode(int code) =>
        TryFromCode(code, out var protocol)
            ? protocol
            : throw new ArgumentOutOfRangeException(nameof(code), code, "No known multiaddr protocol has this code.");

    /// <summary>Looks up the protocol with a given code.</summary>
    /// <param name="code">The multicodec code.</param>
    /// <param name="protocol">The protocol when the result is <see langword="true"/>.</param>
    /// <returns>Whether a known protocol has that code.</returns>
    public static bool TryFromCode(int code, [NotNullWhen(true)] out MultiaddrProtocol? protocol) =>
        Lookup.ByCode.TryGetValue(code, out protocol);

    /// <summary>Returns the protocol with a given name or alias (case-sensitive, as in the references).</summary>
    /// <param name="name">The name, e.g. <c>tcp</c>, or an alias such as <c>ipfs</c>.</param>
    /// <returns>The protocol.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException">No known protocol has that name.</exception>
    public static MultiaddrProtocol FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryFromName(name, out var protocol)
            ? protocol
            : throw new ArgumentException($"No known multiaddr protocol is named '{AddressText.Shorten(name)}'.", nameof(name));
    }

    /// <summary>Looks up the protocol with a given name or alias (case-sensitive).</summary>
    /// <param name="name">The name, possibly null.</param>
    /// <param name="protocol">The protocol when the result is <see langword="true"/>.</param>
    /// <returns>Whether a known protocol has that name.</returns>
    public static bool TryFromName([NotNullWhen(true)] string? name, [NotNullWhen(true)] out MultiaddrProtocol? protocol)
    {
        protocol = null;
        return name is not null && Lookup.ByName.TryGetValue(name, out protocol);
    }

    /// <summary>Converts a value from its text form to its binary form (without the length prefix).</summary>
    /// <param name="value">The text form, e.g. <c>127.0.0.1</c> for <c>ip4</c>.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The protocol has no value.</exception>
    /// <exception cref="FormatException">The text is not a valid value for this protocol.</exception>
    public byte[] ValueToBytes(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return RequireCodec().Parse(value);
    }

    /// <summary>Converts a value from its binary form (without the length prefix) to its canonical text form.</summary>
    /// <param name="value">The bytes.</param>
    /// <returns>The text form.</returns>
    /// <exception cref="InvalidOperationException">The protocol has no value.</exception>
    /// <exception cref="FormatException">The bytes are not a valid value for this protocol.</exception>
    public string BytesToValue(ReadOnlySpan<byte> value)
    {
        var codec = RequireCodec();
        if (Size > 0 && value.Length != Size / 8)
        {
            throw Error.Format($"A /{Name} value is {Size / 8} bytes, not {value.Length}.");
        }

        if (Size < 0 && value.IsEmpty)
        {
            throw Error.Format($"A /{Name} value cannot be empty.");
        }

        return codec.Format(value);
    }

    /// <summary>The protocol's name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    private ValueCodec RequireCodec() =>
        Codec ?? throw new InvalidOperationException($"The /{Name} protocol has no value.");

    // Built on first use rather than in a static constructor of the partial class, because field
    // initialisers in different partial files run in an unspecified order.
    private static class Lookup
    {
        internal static readonly ReadOnlyCollection<MultiaddrProtocol> All = Array.AsReadOnly(Table().OrderBy(p => p.Code).ToArray());

        internal static readonly FrozenDictionary<int, MultiaddrProtocol> ByCode = All.ToFrozenDictionary(p => p.Code);

        internal static readonly FrozenDictionary<string, MultiaddrProtocol> ByName = All
            .SelectMany(p => p.aliases.Prepend(p.Name).Select(name => KeyValuePair.Create(name, p)))
            .ToFrozenDictionary(StringComparer.Ordinal);
    }
}
