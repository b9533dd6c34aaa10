using System.Collections;
using System.Reflection;
using Rx.Network.Reactive;
using Rx.Network.Resources;

namespace Rx.Network.Interactive;

/// <summary>The tables a notebook shows for the library's values: one row per item.</summary>
internal static class Tables
{
    public static Table PeerStatuses(IEnumerable<PeerStatus> statuses)
    {
        var table = new Table("Peer", "Connectedness", "Connections", "Latency");
        foreach (var status in statuses)
        {
            table.Add(Cells.Peer(status.Peer), status.Connectedness.ToString(), Cells.Of(status.ConnectionCount), Cells.Duration(status.Latency));
        }

        return table;
    }

    /// <summary>The resource manager's scopes (<c>network.Resources.Scopes.Items</c>): usage against limit per resource.</summary>
    public static Table ResourceScopes(IEnumerable<ResourceScopeStatus> scopes)
    {
        var table = new Table("Scope", "Kind", "Memory", "Streams in", "Streams out", "Connections in", "Pending");
        foreach (var scope in scopes)
        {
            var (used, limit) = (scope.Usage, scope.Limits);
            table.Add(
                new Cell(scope.Name, IsCode: true),
                scope.Kind.ToString(),
                $"{Bytes(used.Memory)} / {(limit.Memory == long.MaxValue ? "∞" : Bytes(limit.Memory))}",
                Of(used.InboundStreams, limit.InboundStreams),
                Of(used.OutboundStreams, limit.OutboundStreams),
                Of(used.InboundConnections, limit.InboundConnections),
                Of(used.PendingConnections, limit.PendingConnections));
        }

        return table;

        static string Of(int used, int limit) => limit == int.MaxValue ? $"{used}" : $"{used} / {limit}";
        static string Bytes(long bytes) => bytes >= 1 << 20 ? $"{bytes / (double)(1 << 20):0.#} MiB" : bytes >= 1024 ? $"{bytes / 1024.0:0.#} KiB" : $"{bytes} B";
    }

    public static Table Events(IEnumerable<NetworkEvent> events)
    {
        var table = new Table("Time", "Event", "Peer", "Detail");
        foreach (var e in events)
        {
            table.Add([Cells.Time(e.Timestamp), e.GetType().Name, .. Describe(e)]);
        }

        return table;
    }

    public static Table Connections(IEnumerable<IConnection> connections)
    {
        var table = new Table("Peer", "Direction", "Remote address", "Security", "Muxer", "Streams");
        foreach (var connection in connections)
        {
            table.Add(
                Cells.Peer(connection.RemotePeer),
                connection.Direction.ToString(),
                Cells.Address(connection.RemoteAddress),
                connection.Security,
                connection.Muxer,
                Cells.Of(connection.Streams.Count));
        }

        return table;
    }

    public static Table Streams(IEnumerable<IStream> streams)
    {
        var table = new Table("Protocol", "Direction", "Peer", "Stream");
        foreach (var stream in streams)
        {
            table.Add(new Cell(stream.Protocol, IsCode: true), stream.Direction.ToString(), Cells.Peer(stream.Connection.RemotePeer), stream.Id);
        }

        return table;
    }

    /// <summary>
    /// Changes of any key and value type (a change set, or changes flattened from several): the
    /// formatter gets them as objects, so the four members of <see cref="Change{TKey, TValue}"/>
    /// are read by name.
    /// </summary>
    public static Table Changes(IEnumerable changes)
    {
        var table = new Table("Reason", "Key", "Current", "Previous");
        foreach (var change in changes)
        {
            if (change is null)
            {
                continue;
            }

            var type = change.GetType();
            var reason = (ChangeReason)Read(type, change, nameof(Change<int, int>.Reason))!;
            table.Add(
                reason.ToString(),
                Cells.Of(Read(type, change, nameof(Change<int, int>.Key))),
                Cells.Of(Read(type, change, nameof(Change<int, int>.Current))),
                reason == ChangeReason.Update ? Cells.Of(Read(type, change, nameof(Change<int, int>.Previous))) : "");
        }

        return table;
    }

    private static object? Read(Type type, object change, string property) =>
        (type.GetProperty(property, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new ArgumentException($"{type.Name} is not a Change<TKey, TValue>.", nameof(change)))
        .GetValue(change);

    private static Cell[] Describe(NetworkEvent e) => e switch
    {
        ListenStarted x => ["", Cells.Address(x.Address)],
        ListenClosed x => ["", Detail(Cells.Address(x.Address), x.Error)],
        Connected x => [Cells.Peer(x.Connection.RemotePeer), $"{x.Connection.Direction} {x.Connection.RemoteAddress}, {x.Connection.Security}, {x.Connection.Muxer}"],
        Disconnected x => [Cells.Peer(x.Connection.RemotePeer), Detail(x.Connection.Direction.ToString(), x.Error)],
        StreamOpened x => [Cells.Peer(x.Stream.Connection.RemotePeer), $"{x.Stream.Protocol} ({x.Stream.Direction})"],
        StreamClosed x => [Cells.Peer(x.Stream.Connection.RemotePeer), Detail($"{x.Stream.Protocol} ({x.Stream.Direction})", x.Error)],
        InboundRefused x => ["", Detail(Cells.Address(x.RemoteAddress), x.Reason)],
        _ => ["", e.ToString()],
    };

    private static Cell Detail(Cell what, Exception? error) =>
        error is null ? what : new Cell($"{what.Text}: {error.GetType().Name}", error.Message, what.IsCode);
}
