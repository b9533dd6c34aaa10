using Rx.Network.Identity;

namespace Rx.Network.Examples.Chat;

/// <summary>One chat line received from a peer.</summary>
/// <param name="From">The peer that sent it.</param>
/// <param name="Text">The text, exactly as sent (it may contain any character, control characters included).</param>
public sealed record ChatMessage(PeerId From, string Text)
{
    /// <summary>The number of trailing peer-ID characters <see cref="ShortId"/> keeps.</summary>
    public const int ShortIdLength = 6;

    /// <summary>
    /// A short name for <paramref name="peer"/>: the last <see cref="ShortIdLength"/> characters
    /// of its base58 ID. The start is useless for this: every Ed25519 peer ID begins with
    /// <c>12D3KooW</c>.
    /// </summary>
    /// <param name="peer">The peer.</param>
    /// <returns>The short name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/> is null.</exception>
    public static string ShortId(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var text = peer.ToString();
        return text.Length <= ShortIdLength ? text : text[^ShortIdLength..];
    }

    /// <summary>The line as the chat program prints it: <c>&lt;short id&gt;: text</c>.</summary>
    /// <returns>The line.</returns>
    public override string ToString() => $"{ShortId(From)}: {Text}";
}
