using System.Reactive.Linq;

namespace Rx.Network.Swarm;

/// <summary>
/// The <see cref="IStream.Incoming"/> observable of a stream: each subscription reads the stream
/// in chunks until its end (OnCompleted), a failure (OnError) or unsubscription; one subscriber at
/// a time, each chunk a copy of its own.
/// </summary>
internal static class IncomingBytes
{
    /// <summary>Size of the buffer behind each read.</summary>
    private const int Chunk = 16 * 1024;

    /// <summary>Creates the observable over <paramref name="stream"/>'s <see cref="IStream.ReadAsync"/>.</summary>
    public static IObservable<ReadOnlyMemory<byte>> Of(IStream stream)
    {
        int subscribed = 0;
        return Observable.Create<ReadOnlyMemory<byte>>(async (observer, cancellationToken) =>
        {
            if (Interlocked.Exchange(ref subscribed, 1) == 1)
            {
                observer.OnError(new InvalidOperationException("Incoming allows one subscriber at a time."));
                return;
            }

            try
            {
                var buffer = new byte[Chunk];
                while (true)
                {
                    int read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        observer.OnCompleted();
                        return;
                    }

                    observer.OnNext(buffer.AsSpan(0, read).ToArray());
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The subscriber left; the stream stays open.
            }
            catch (Exception e)
            {
                observer.OnError(e);
            }
            finally
            {
                Volatile.Write(ref subscribed, 0);
            }
        });
    }
}
