namespace Rx.Network.Cli;

/// <summary><c>/reset/1.0.0</c>: reads one byte, then resets the stream — for testing that resets are observed.</summary>
internal static class ResetProtocol
{
    public const string Id = "/reset/1.0.0";

    public static async Task ServeAsync(IStream stream)
    {
        await stream.ReadAsync(new byte[1]);
        stream.Reset();
    }
}
