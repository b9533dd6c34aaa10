using System.Text.Json;

namespace Rx.Network.Interop.Tests.Fixture;

/// <summary>One result line of the js dialer: <c>{"check":NAME,"ok":BOOL,...}</c>.</summary>
/// <param name="Name">The check's name (ping, echo, streams, reset, identify, wrong-peer, sink).</param>
/// <param name="Ok">Whether the check passed.</param>
/// <param name="Error">The failure reason when <paramref name="Ok"/> is false.</param>
/// <param name="Json">The whole line, for check-specific fields (rttMs, bytes, protocols, …).</param>
public sealed record JsCheckResult(string Name, bool Ok, string? Error, JsonElement Json)
{
    /// <summary>A string field of the line, or null when absent.</summary>
    public string? GetString(string property) =>
        Json.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A numeric field of the line, or null when absent.</summary>
    public long? GetInt64(string property) =>
        Json.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    /// <summary>A string-array field of the line (empty when absent).</summary>
    public IReadOnlyList<string> GetStrings(string property) =>
        Json.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.Array
            ? [.. v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
            : [];
}
