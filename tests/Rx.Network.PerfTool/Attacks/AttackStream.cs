using Rx.Network.Muxing;

namespace Rx.Network.PerfTool.Attacks;

/// <summary>
/// A stream an <see cref="AttackConnection"/> opened: counts what the listener sends on it and
/// tells when the first <c>expected</c> bytes (a multistream answer) arrived, or a reset.
/// </summary>
internal sealed class AttackStream
{
    private readonly AttackConnection connection;
    private readonly TaskCompletionSource<bool> answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<byte> head = [];
    private byte[] expected = [];

    // What the listener's receive window still lets us send: the initial window, plus its window
    // updates, minus what we sent. Only spent once filling started.
    private long window = YamuxHeader.InitialWindow;
    private bool filling;

    public AttackStream(AttackConnection connection, uint id)
    {
        this.connection = connection;
        Id = id;
    }

    public uint Id { get; }

    public AttackConnection Connection => connection;

    /// <summary>Bytes the listener sent on this stream.</summary>
    public long Received { get; private set; }

    public bool WasReset { get; private set; }

    /// <summary>True when the listener closed its side (FIN), false when it reset the stream or the connection closed.</summary>
    public Task<bool> Ended => ended.Task;

    /// <summary>
    /// True once the listener's first bytes equal <paramref name="answer"/>; false when they differ,
    /// or the stream is reset or the connection closes first.
    /// </summary>
    public Task<bool> AnsweredAsync(ReadOnlyMemory<byte> answer)
    {
        lock (head)
        {
            expected = answer.ToArray();
            Check();
        }

        return answered.Task;
    }

    /// <summary>Sends <paramref name="data"/>, then FIN when <paramref name="fin"/>.</summary>
    public async Task<bool> WriteAsync(ReadOnlyMemory<byte> data, bool fin, CancellationToken cancellationToken)
    {
        for (int sent = 0; sent < data.Length; sent += AttackConnection.MaxPayload)
        {
            int length = Math.Min(AttackConnection.MaxPayload, data.Length - sent);
            if (WasReset || !await connection.SendAsync([(YamuxHeader.Data(Id, (uint)length), data.Slice(sent, length))], cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return !fin || await connection.SendAsync([(YamuxHeader.Data(Id, 0, YamuxFlags.Fin), ReadOnlyMemory<byte>.Empty)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// From now on, keeps the listener's receive window for this stream exhausted: sends what it
    /// allows, and again whenever it grants more (the connection's fill loop sends it).
    /// </summary>
    /// <param name="alreadySent">Bytes of data already sent on the stream (the proposal).</param>
    public void StartFilling(int alreadySent)
    {
        lock (head)
        {
            filling = true;
            window -= alreadySent;
        }

        connection.RequestFill(this);
    }

    /// <summary>Takes up to <paramref name="max"/> bytes of the window to send; 0 when none is left.</summary>
    internal int TakeWindow(int max)
    {
        lock (head)
        {
            if (!filling || WasReset)
            {
                return 0;
            }

            int take = (int)Math.Min(max, window);
            window -= take;
            return take;
        }
    }

    internal void OnFrame(YamuxHeader header, ReadOnlySpan<byte> payload)
    {
        lock (head)
        {
            if (header.Type == YamuxFrameType.WindowUpdate && header.Length > 0)
            {
                window += header.Length;
                if (filling)
                {
                    connection.RequestFill(this);
                }
            }

            if (header.Has(YamuxFlags.Rst))
            {
                WasReset = true;
                answered.TrySetResult(false);
                ended.TrySetResult(false);
                return;
            }

            if (header.Has(YamuxFlags.Fin))
            {
                ended.TrySetResult(true);
            }

            Received += payload.Length;
            if (head.Count < 256)
            {
                head.AddRange(payload[..Math.Min(payload.Length, 256 - head.Count)].ToArray());
            }

            Check();
        }
    }

    internal void OnClosed()
    {
        answered.TrySetResult(false);
        ended.TrySetResult(false);
    }

    private void Check()
    {
        if (expected.Length > 0 && head.Count >= expected.Length)
        {
            answered.TrySetResult(head.Take(expected.Length).SequenceEqual(expected));
        }
    }
}
