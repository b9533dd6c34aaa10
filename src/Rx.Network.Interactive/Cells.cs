using System.Collections;
using System.Globalization;
using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network.Interactive;

/// <summary>How the values of Rx.Network read in one table cell.</summary>
internal static class Cells
{
    /// <summary>Characters of a peer ID kept at each end when a table shortens it (the whole ID is the cell's tooltip).</summary>
    private const int PeerIdEnds = 6;

    public static Cell Peer(PeerId peer)
    {
        string text = peer.ToString();
        return text.Length <= 2 * PeerIdEnds + 1
            ? new Cell(text, IsCode: true)
            : new Cell($"{text[..PeerIdEnds]}…{text[^PeerIdEnds..]}", text, IsCode: true);
    }

    public static Cell Address(Multiaddr address) => new(address.ToString(), IsCode: true);

    public static Cell Duration(TimeSpan? time) => time is { } value
        ? value.TotalSeconds >= 1
            ? value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s"
            : value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + " ms"
        : "";

    public static Cell Time(DateTimeOffset time) => time.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static Cell Error(Exception? error) => error is null ? "" : new Cell(error.GetType().Name, error.Message);

    /// <summary>Any value, as compactly as it reads: the library's own types by their short forms.</summary>
    public static Cell Of(object? value) => value switch
    {
        null => "",
        PeerId peer => Peer(peer),
        Multiaddr address => Address(address),
        PeerStatus status => new Cell(
            $"{status.Connectedness}, {status.ConnectionCount} conn." + (status.Latency is { } latency ? $", {Duration(latency).Text}" : "")),
        TimeSpan time => Duration(time),
        DateTimeOffset time => Time(time),
        string text => text,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => string.Join(", ", items.Cast<object?>().Select(item => Of(item).Text)),
        _ => value.ToString() ?? "",
    };
}
