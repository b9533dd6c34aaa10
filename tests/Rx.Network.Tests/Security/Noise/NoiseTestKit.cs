using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace Rx.Network.Tests.Security.Noise;

/// <summary>Plumbing for Noise tests: connected pipes and raw 2-byte-length-framed messages.</summary>
internal static class NoiseTestKit
{
    /// <summary>Two ends of an in-memory connection: what one writes, the other reads.</summary>
    public static (IDuplexPipe Left, IDuplexPipe Right) CreateConnection()
    {
        var leftToRight = new Pipe();
        var rightToLeft = new Pipe();
        return (new DuplexPipe(rightToLeft.Reader, leftToRight.Writer), new DuplexPipe(leftToRight.Reader, rightToLeft.Writer));
    }

    /// <summary>Writes one framed message (length prefix plus body).</summary>
    public static async Task WriteFramedAsync(PipeWriter writer, ReadOnlyMemory<byte> message)
    {
        var framed = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed.AsMemory(2));
        await writer.WriteAsync(framed);
    }

    /// <summary>Reads one framed message, or null at end of stream.</summary>
    public static async Task<byte[]?> ReadFramedAsync(PipeReader reader)
    {
        while (true)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            if (buffer.Length >= 2)
            {
                var prefix = new byte[2];
                buffer.Slice(0, 2).CopyTo(prefix);
                int length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
                if (buffer.Length >= 2 + length)
                {
                    var message = buffer.Slice(2, length).ToArray();
                    reader.AdvanceTo(buffer.GetPosition(2 + length));
                    return message;
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>Closes both directions of one end, as a caller does after a failed handshake.</summary>
    public static async Task CloseAsync(IDuplexPipe pipe)
    {
        await pipe.Output.CompleteAsync();
        await pipe.Input.CompleteAsync();
    }

    /// <summary>
    /// Sits between an initiator and a responder and forwards the three handshake messages, passing
    /// message <paramref name="mutateIndex"/> through <paramref name="mutate"/>. When one side
    /// closes, the other side's input is closed too, as a real connection would be.
    /// </summary>
    public static async Task RelayHandshakeAsync(IDuplexPipe initiatorFacing, IDuplexPipe responderFacing, int mutateIndex, Func<byte[], byte[]> mutate)
    {
        for (int i = 0; i < 3; i++)
        {
            var (from, to) = i % 2 == 0 ? (initiatorFacing, responderFacing) : (responderFacing, initiatorFacing);
            var message = await ReadFramedAsync(from.Input);
            if (message is null)
            {
                await to.Output.CompleteAsync();
                await from.Output.CompleteAsync();
                return;
            }

            await WriteFramedAsync(to.Output, i == mutateIndex ? mutate(message) : message);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
