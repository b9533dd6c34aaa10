using System.Buffers.Binary;

namespace Rx.Network.Cli;

/// <summary><c>/sink/1.0.0</c>: reads everything until the remote half-closes, replies with the 8-byte big-endian count, closes.</summary>
internal static class SinkProtocol
{
    public const string Id = "/sink/1.0.0";

    public static async Task ServeAsync(IStream stream)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        var count = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(count, (ulong)total);
        await stream.WriteAsync(count);
        await stream.CloseWriteAsync();
    }
}
