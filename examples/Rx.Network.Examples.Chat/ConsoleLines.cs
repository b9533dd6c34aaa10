using System.Threading.Channels;

namespace Rx.Network.Examples.Chat;

/// <summary>
/// Standard input as an asynchronous sequence of lines, read on a background task, so the chat
/// can wait for "the next line or the other peer leaving" at once.
/// </summary>
internal sealed class ConsoleLines
{
    // Bounded so piping a huge file into the chat slows the reading instead of buffering it all.
    private readonly Channel<string> lines = Channel.CreateBounded<string>(new BoundedChannelOptions(64) { SingleWriter = true });

    private ConsoleLines()
    {
    }

    /// <summary>Completes when input has ended and every line was taken.</summary>
    public Task Completion => lines.Reader.Completion;

    /// <summary>Starts reading <paramref name="input"/> until it ends.</summary>
    public static ConsoleLines Start(TextReader input)
    {
        var result = new ConsoleLines();

        // The reader blocks a pool thread; it is abandoned (not awaited) if the chat ends first.
        _ = Task.Run(async () =>
        {
            try
            {
                while (await input.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    await result.lines.Writer.WriteAsync(line).ConfigureAwait(false);
                }

                result.lines.Writer.TryComplete();
            }
            catch (IOException e)
            {
                result.lines.Writer.TryComplete(e);
            }
        });
        return result;
    }

    /// <summary>The lines, as they are typed.</summary>
    public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => lines.Reader.ReadAllAsync(cancellationToken);
}
