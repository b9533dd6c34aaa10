using System.Text;

namespace Rx.Network.Notebooks.Tests.Harness;

/// <summary>
/// Collects what a running notebook prints and displays, per cell, in the order it happens.
/// Writes from background threads (event handlers of a network, say) land in the cell running at
/// that moment, or in the next one when they come between cells, as in a live notebook.
/// </summary>
internal sealed class CellCapture
{
    private readonly Lock gate = new();
    private List<CellOutput> outputs = [];
    private readonly StringBuilder pending = new();
    private CellOutputKind pendingKind = CellOutputKind.Stdout;

    public CellCapture()
    {
        Out = new Writer(this, CellOutputKind.Stdout);
        Error = new Writer(this, CellOutputKind.Stderr);
    }

    /// <summary>Stands in for <see cref="Console.Out"/>.</summary>
    public TextWriter Out { get; }

    /// <summary>Stands in for <see cref="Console.Error"/>.</summary>
    public TextWriter Error { get; }

    /// <summary>Records a <c>display(…)</c> call.</summary>
    public void Display(object? value) => Add(CellOutputKind.Display, OutputFormatter.Format(value));

    /// <summary>Records the value of a cell's trailing expression.</summary>
    public void Result(object? value) => Add(CellOutputKind.Result, OutputFormatter.Format(value));

    /// <summary>Ends the current cell: returns its outputs and starts collecting for the next.</summary>
    public IReadOnlyList<CellOutput> TakeOutputs()
    {
        lock (gate)
        {
            Flush();
            var taken = outputs;
            outputs = [];
            return taken;
        }
    }

    private void Add(CellOutputKind kind, string text)
    {
        lock (gate)
        {
            Flush();
            outputs.Add(new CellOutput(kind, text));
        }
    }

    private void Write(CellOutputKind kind, ReadOnlySpan<char> text)
    {
        lock (gate)
        {
            if (pendingKind != kind)
            {
                Flush();
                pendingKind = kind;
            }

            pending.Append(text);
        }
    }

    // Consecutive writes to one stream make one output, as Jupyter shows them.
    private void Flush()
    {
        if (pending.Length > 0)
        {
            outputs.Add(new CellOutput(pendingKind, pending.ToString()));
            pending.Clear();
        }
    }

    private sealed class Writer(CellCapture capture, CellOutputKind kind) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value) => capture.Write(kind, [value]);

        public override void Write(string? value) => capture.Write(kind, value);

        public override void Write(char[] buffer, int index, int count) => capture.Write(kind, buffer.AsSpan(index, count));

        public override void Write(ReadOnlySpan<char> buffer) => capture.Write(kind, buffer);
    }
}
