namespace Rx.Network.Cli;

/// <summary><c>/echo/1.0.0</c>: every byte is sent back; the remote's half-close is answered with ours.</summary>
internal static class EchoProtocol
{
    public const string Id = "/echo/1.0.0";

    public static async Task ServeAsync(IStream stream)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read));
        }

        await stream.CloseWriteAsync();
    }
}
