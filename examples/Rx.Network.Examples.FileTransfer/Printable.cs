using System.Text;

namespace Rx.Network.Examples.FileTransfer;

/// <summary>Text from peers made safe to print.</summary>
internal static class Printable
{
    /// <summary>The text with control characters replaced, so a peer cannot drive our terminal with escape sequences.</summary>
    public static string Of(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.ToString();
    }
}
