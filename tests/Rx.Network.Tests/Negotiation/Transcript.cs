using System.Buffers;
using System.IO.Pipelines;
using Rx.Network.Encoding;
using Rx.Network.Negotiation;

namespace Rx.Network.Tests.Negotiation;

/// <summary>Plays the remote side of a negotiation by hand, message by message.</summary>
internal static class Transcript
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public static byte[] Frames(params string[] messages) => MultistreamMessage.Frame(messages).ToArray();

    public static async Task SendAsync(IDuplexPipe end, params string[] messages) =>
        await end.Output.WriteAsync(MultistreamMessage.Frame(messages));

    public static async Task SendRawAsync(IDuplexPipe end, params byte[] bytes) => await end.Output.WriteAsync(bytes);

    /// <summary>Reads one message's payload (newline included), or null at the end.</summary>
    public static async Task<byte[]?> ReceiveRawAsync(IDuplexPipe end) =>
        await LengthPrefixed.ReadAsync(end.Input, 1 << 16).AsTask().WaitAsync(Wait);

    public static async Task<string?> ReceiveAsync(IDuplexPipe end)
    {
        var payload = await ReceiveRawAsync(end);
        return payload is null ? null : MultistreamMessage.Decode(new(payload));
    }

    /// <summary>Reads what is buffered in <paramref name="reader"/> right now, if anything, and consumes it.</summary>
    public static byte[] Drain(PipeReader reader)
    {
        if (!reader.TryRead(out var result))
        {
            return [];
        }

        var bytes = result.Buffer.ToArray();
        reader.AdvanceTo(result.Buffer.End);
        return bytes;
    }
}
