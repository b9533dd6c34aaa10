using System.Text;

namespace Rx.Network.Examples.Chat;

/// <summary>The console side of a chat: typed lines go out, received messages are printed.</summary>
internal static class Conversation
{
    /// <summary>How long, after we left, to wait for the other peer to notice before exiting anyway.</summary>
    private static readonly TimeSpan LeaveGrace = TimeSpan.FromSeconds(10);

    /// <summary>Chats until our input ends or the other peer leaves; returns the exit code.</summary>
    public static async Task<int> RunAsync(ChatSession session, ConsoleLines input, CancellationToken cancellationToken)
    {
        await using (session)
        {
            var them = ChatMessage.ShortId(session.RemotePeer);
            Console.WriteLine($"* connected to {them} (you are {ChatMessage.ShortId(session.LocalPeer)}); type lines to send, end input to leave");
            var ended = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var subscription = session.Messages.Subscribe(
                message => Console.WriteLine($"{ChatMessage.ShortId(message.From)}: {Printable(message.Text)}"),
                error => ended.TrySetResult(error),
                () => ended.TrySetResult(null));

            var sending = SendLinesAsync(session, input, cancellationToken);
            if (await Task.WhenAny(sending, ended.Task).ConfigureAwait(false) == ended.Task)
            {
                var error = await ended.Task.ConfigureAwait(false);
                if (error is not null)
                {
                    Console.WriteLine($"* connection to {them} lost: {error.Message}");
                    return 1;
                }

                Console.WriteLine($"* {them} left");
                await LeaveQuietlyAsync(session).ConfigureAwait(false);
                return 0;
            }

            try
            {
                await sending.ConfigureAwait(false);
                await session.LeaveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                Console.WriteLine($"* connection to {them} lost: {e.Message}");
                return 1;
            }

            // Exiting at once could cut the connection before our last lines are through; the
            // other peer answers our leaving by leaving (or hanging up), which proves they are.
            try
            {
                await ended.Task.WaitAsync(LeaveGrace, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Console.WriteLine($"* {them} did not answer; leaving anyway");
            }

            Console.WriteLine("* bye");
            return 0;
        }
    }

    private static async Task SendLinesAsync(ChatSession session, ConsoleLines input, CancellationToken cancellationToken)
    {
        await foreach (var line in input.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                await session.SendAsync(line, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"* not sent: {e.Message}");
            }
        }
    }

    private static async Task LeaveQuietlyAsync(ChatSession session)
    {
        try
        {
            await session.LeaveAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // They are gone already; there is nobody left to tell.
        }
    }

    /// <summary>The text with control characters replaced, so a peer cannot drive our terminal with escape sequences.</summary>
    private static string Printable(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.ToString();
    }
}
