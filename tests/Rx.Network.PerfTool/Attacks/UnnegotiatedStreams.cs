using System.Net;

namespace Rx.Network.PerfTool.Attacks;

/// <summary>
/// Issue #14's unnegotiated streams: connections that open streams (SYN, no byte) and never
/// propose a protocol. The listener should reset them once its negotiation timeout passes.
/// </summary>
internal sealed class UnnegotiatedStreams : IAsyncDisposable
{
    private readonly List<AttackConnection> connections = [];
    private readonly List<AttackStream> streams = [];

    /// <summary>Streams opened.</summary>
    public int Opened => streams.Count;

    /// <summary>Streams the listener reset (or whose connection it closed) so far.</summary>
    public int Ended => streams.Count(s => s.Ended.IsCompleted);

    /// <summary>Completes when every stream was reset or its connection closed.</summary>
    public Task AllEnded => Task.WhenAll(streams.Select(s => s.Ended));

    public static async Task<UnnegotiatedStreams> OpenAsync(IPEndPoint target, IPAddress source, int connectionCount, int streamsPerConnection, CancellationToken cancellationToken)
    {
        var attack = new UnnegotiatedStreams();
        try
        {
            for (int c = 0; c < connectionCount; c++)
            {
                AttackConnection connection;
                try
                {
                    connection = await AttackConnection.ConnectAsync(target, source, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    continue;
                }

                attack.connections.Add(connection);
                for (int s = 0; s < streamsPerConnection; s++)
                {
                    if (await connection.OpenStreamAsync(ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false) is { } stream)
                    {
                        attack.streams.Add(stream);
                    }
                }
            }
        }
        catch
        {
            await attack.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return attack;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        connections.Clear();
    }
}
