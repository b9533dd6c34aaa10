using System.Buffers;
using System.Collections.Concurrent;
using Rx.Network.Encoding;
using Rx.Network.Security;

namespace Rx.Network.Tests.Security;

/// <summary>
/// Pass-through framing whose first seal waits for <see cref="Release"/> (unless made open),
/// recording each frame's length: lets a test hold the seal stage mid-burst.
/// </summary>
/// <param name="open">Whether <see cref="Release"/> starts set (no seal waits).</param>
internal sealed class GatedCodec(bool open = false) : IFrameCodec
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public ManualResetEventSlim FirstSealStarted { get; } = new();

    public ManualResetEventSlim Release { get; } = new(open);

    public ConcurrentQueue<int> Sealed { get; } = new();

    public int MaxPlaintextPerFrame => 64 * 1024;

    public int FrameOverhead => 0;

    public int Seal(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (!FirstSealStarted.IsSet)
        {
            FirstSealStarted.Set();
            Assert.True(Release.Wait(Timeout));
        }

        Sealed.Enqueue(plaintext.Length);
        plaintext.CopyTo(destination);
        return plaintext.Length;
    }

    public bool TryOpen(ref ReadOnlySequence<byte> buffer, out PooledBuffer plaintext) => PassThroughCodec.Instance.TryOpen(ref buffer, out plaintext);
}
