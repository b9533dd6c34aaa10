namespace Rx.Network.Benchmarks.Support;

/// <summary>
/// A connected pair that moves bytes one way: set up once, then <see cref="TransferAsync"/>
/// repeatedly, so each measured operation is steady-state traffic on an open connection.
/// </summary>
public interface ITransferScenario : IAsyncDisposable
{
    /// <summary>Writes <paramref name="bytes"/> on one end and returns once the other end has read them all.</summary>
    /// <param name="bytes">The payload, a multiple of <see cref="Payload.ChunkSize"/>.</param>
    Task TransferAsync(long bytes);
}
