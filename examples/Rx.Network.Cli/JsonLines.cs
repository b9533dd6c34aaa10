using System.Text.Json.Nodes;

namespace Rx.Network.Cli;

/// <summary>Writes one JSON object per line, atomically, to stdout or stderr.</summary>
internal static class JsonLines
{
    private static readonly object Gate = new();

    public static void Out(JsonObject value) => Write(Console.Out, value);

    public static void Err(JsonObject value) => Write(Console.Error, value);

    private static void Write(TextWriter writer, JsonObject value)
    {
        // The default options (one line, no indentation): a new options instance per line would build
        // its metadata cache afresh each time, work a new process pays for on every event it logs.
        var line = value.ToJsonString();
        lock (Gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
