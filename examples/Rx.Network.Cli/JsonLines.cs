using System.Text.Json;
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
        var line = value.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
        lock (Gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
