using System.Globalization;
using System.Net;

namespace Rx.Network.Interactive;

/// <summary>
/// A small table of text cells, written as an HTML <c>&lt;table&gt;</c> (what a notebook shows)
/// or as aligned plain text (what a console or <c>ToDisplayString()</c> shows).
/// </summary>
internal sealed class Table
{
    private readonly List<Cell[]> rows = [];

    public Table(params string[] headers) => Headers = headers;

    public IReadOnlyList<string> Headers { get; }

    public IReadOnlyList<Cell[]> Rows => rows;

    public void Add(params Cell[] cells)
    {
        if (cells.Length != Headers.Count)
        {
            throw new ArgumentException($"A row of this table has {Headers.Count} cells, not {cells.Length}.", nameof(cells));
        }

        rows.Add(cells);
    }

    public void WriteHtml(TextWriter writer)
    {
        writer.Write("<table><thead><tr>");
        foreach (var header in Headers)
        {
            writer.Write("<th>");
            writer.Write(WebUtility.HtmlEncode(header));
            writer.Write("</th>");
        }

        writer.Write("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            writer.Write("<tr>");
            foreach (var cell in row)
            {
                writer.Write("<td>");
                cell.WriteHtml(writer);
                writer.Write("</td>");
            }

            writer.Write("</tr>");
        }

        writer.Write("</tbody></table>");
    }

    public void WritePlainText(TextWriter writer)
    {
        var widths = Headers.Select((header, i) => Math.Max(header.Length, rows.Count == 0 ? 0 : rows.Max(row => row[i].Text.Length))).ToArray();
        WriteLine(writer, Headers, widths);
        WriteLine(writer, widths.Select(width => new string('-', width)).ToArray(), widths);
        foreach (var row in rows)
        {
            WriteLine(writer, row.Select(cell => cell.Text).ToArray(), widths);
        }
    }

    public override string ToString()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WritePlainText(writer);
        return writer.ToString();
    }

    private static void WriteLine(TextWriter writer, IReadOnlyList<string> cells, int[] widths)
    {
        for (int i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                writer.Write("  ");
            }

            writer.Write(i == cells.Count - 1 ? cells[i] : cells[i].PadRight(widths[i]));
        }

        writer.WriteLine();
    }
}
