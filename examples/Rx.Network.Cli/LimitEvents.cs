using System.Reactive.Linq;
using System.Text.Json.Nodes;

namespace Rx.Network.Cli;

/// <summary>
/// <c>rxnet listen</c> prints every <see cref="ResourceLimitReached"/> event as one JSON line on
/// stdout, after its listening line: <c>{"event":"limit","scope":"address:127.0.0.2/32",
/// "kind":"Address","resource":"PendingConnections","requested":1,"limit":8,"count":3,…}</c>
/// (<c>peer</c>, <c>address</c> and <c>protocol</c> when known). The network already coalesces
/// repeated refusals of one scope into one event with a count, so a flood prints a few lines, not
/// one per refusal.
/// </summary>
internal static class LimitEvents
{
    public static IDisposable Print(INetwork network) =>
        network.Events.OfType<ResourceLimitReached>().Subscribe(e => JsonLines.Out(new JsonObject
        {
            ["event"] = "limit",
            ["time"] = e.Timestamp.ToString("O"),
            ["scope"] = e.Scope,
            ["kind"] = e.Kind.ToString(),
            ["resource"] = e.Resource.ToString(),
            ["requested"] = e.Requested,
            ["limit"] = e.Limit,
            ["count"] = e.Count,
            ["peer"] = e.Peer?.ToString(),
            ["address"] = e.Address?.ToString(),
            ["protocol"] = e.Protocol,
        }));
}
