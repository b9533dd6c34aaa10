using System.Net;

namespace Rx.Network.Interactive;

/// <summary>One table cell: the text shown, and optionally a longer text shown on hover (HTML) and marked as code.</summary>
/// <param name="Text">What the cell shows.</param>
/// <param name="Title">The full text behind a shortened one (an HTML tooltip), or null.</param>
/// <param name="IsCode">Whether the text is an identifier or address, shown in a monospace font.</param>
internal readonly record struct Cell(string Text, string? Title = null, bool IsCode = false)
{
    public static implicit operator Cell(string text) => new(text);

    public void WriteHtml(TextWriter writer)
    {
        string tag = IsCode ? "code" : "span";
        writer.Write('<');
        writer.Write(tag);
        if (Title is not null)
        {
            writer.Write(" title=\"");
            writer.Write(WebUtility.HtmlEncode(Title));
            writer.Write('"');
        }

        writer.Write('>');
        writer.Write(WebUtility.HtmlEncode(Text));
        writer.Write("</");
        writer.Write(tag);
        writer.Write('>');
    }
}
