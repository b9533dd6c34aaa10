using System.Net;
using Rx.Network.Negotiation;

namespace Rx.Network.PerfTool.Attacks;

/// <summary>What a window fill achieved.</summary>
/// <param name="Connections">Connections upgraded.</param>
/// <param name="ConnectionsRefused">Connections the listener refused or dropped during the upgrade.</param>
/// <param name="StreamsAccepted">Streams the listener negotiated, each then sent a full window.</param>
/// <param name="StreamsRefused">Streams the listener reset or refused instead.</param>
/// <param name="StreamsUnanswered">Streams the listener neither negotiated nor reset in time.</param>
/// <param name="BytesSent">Stream data sent, negotiation included.</param>
/// <param name="ConnectionsDropped">Upgraded connections the listener has closed since.</param>
internal sealed record WindowFillResult(int Connections, int ConnectionsRefused, int StreamsAccepted, int StreamsRefused, int StreamsUnanswered, long BytesSent, int ConnectionsDropped);

/// <summary>
/// Issue #14's window fill: connections with fresh identities, each opening streams to
/// <c>/echo/1.0.0</c>, negotiating each, then sending exactly what the listener's receive window
/// allows (256 KiB at first, more whenever it grants more) and never granting window back: the echo
/// can answer only the first 256 KiB, then its writes wait, its reads stop, and the rest stays with
/// the listener. The connections are held, windows kept full, until disposed.
/// </summary>
internal sealed class WindowFill : IAsyncDisposable
{
    public const string Echo = "/echo/1.0.0";

    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    private readonly List<AttackConnection> connections = [];
    private int upgraded;
    private int refusedConnections;
    private int accepted;
    private int refused;
    private int unanswered;
    private long sent;

    public WindowFillResult Result
    {
        get
        {
            lock (connections)
            {
                return new(upgraded, refusedConnections, accepted, refused, unanswered, Interlocked.Read(ref sent) + connections.Sum(c => c.DataSent), connections.Count(c => c.Closed.IsCompleted));
            }
        }
    }

    /// <summary>Runs the fill; returns once every stream is filled or refused, connections still open.</summary>
    public static async Task<WindowFill> RunAsync(IPEndPoint target, IPAddress source, int connectionCount, int streamsPerConnection, int concurrency, CancellationToken cancellationToken)
    {
        var fill = new WindowFill();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, connectionCount).Select(_ => fill.AttackAsync(target, source, streamsPerConnection, concurrency, cancellationToken))).ConfigureAwait(false);
        }
        catch
        {
            await fill.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return fill;
    }

    /// <summary>The attackers leave: every connection is reset.</summary>
    public async ValueTask DisposeAsync()
    {
        List<AttackConnection> all;
        lock (connections)
        {
            all = [.. connections];
            connections.Clear();
        }

        foreach (var connection in all)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task AttackAsync(IPEndPoint target, IPAddress source, int streams, int concurrency, CancellationToken cancellationToken)
    {
        AttackConnection connection;
        try
        {
            connection = await AttackConnection.ConnectAsync(target, source, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            Interlocked.Increment(ref refusedConnections);
            return;
        }

        lock (connections)
        {
            connections.Add(connection);
        }

        Interlocked.Increment(ref upgraded);
        var proposal = MultistreamMessage.Frame(MultistreamSelect.ProtocolId, Echo);
        int next = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= streams && !connection.Closed.IsCompleted)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await FillOneAsync(connection, proposal, cancellationToken).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);

        // Returns once every window granted so far is full; the fill loop keeps it so afterwards.
        await connection.WaitForFillsAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task FillOneAsync(AttackConnection connection, ReadOnlyMemory<byte> proposal, CancellationToken cancellationToken)
    {
        var stream = await connection.OpenStreamAsync(proposal, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return;
        }

        Interlocked.Add(ref sent, proposal.Length);
        bool negotiated;
        try
        {
            negotiated = await stream.AnsweredAsync(proposal).WaitAsync(AnswerTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Interlocked.Increment(ref unanswered);
            return;
        }

        if (!negotiated)
        {
            Interlocked.Increment(ref refused);
            return;
        }

        Interlocked.Increment(ref accepted);
        stream.StartFilling(proposal.Length);
    }
}
