using System.IO.Pipelines;

namespace Rx.Network.Resources;

/// <summary>
/// The bytes one direction of one connection holds below its muxer (socket pipe, secure-channel
/// queue, frames staged for sending), counted as they come and go, with memory reserved in the
/// connection's scopes for whatever exceeds an unreserved <see cref="Floor"/>.
/// </summary>
/// <remarks>
/// <para>The producer (the socket's receive pump, or the muxer's writer) asks for
/// <see cref="Room"/> before it adds bytes and <see cref="Hold">holds</see> what it added; each
/// consumer <see cref="Release">releases</see> what left. Growth beyond the floor is reserved in
/// whole <see cref="Batch"/>es, so the scopes see one reservation per 256 KiB, not one per read;
/// it is given back as the buffer drains (all of it once the buffer is empty). A refused
/// reservation never grows memory: the producer is limited to the floor and waits
/// (<see cref="WaitAsync"/>) while the floor is full — the socket is not read, so the remote's
/// TCP window closes, or the local writer waits — and retries the reservation once the buffer
/// has drained to half the floor.</para>
/// <para>Why a floor: without any room a connection could not finish the frame it is reading, and
/// its own control traffic (window updates, pings) would stall behind a budget other connections
/// hold. The floor is one maximal Noise frame on the wire (65,537 bytes), the largest unit any
/// layer must hold whole before it can pass bytes on, plus one idle receive segment (16 KiB):
/// within it a connection always makes progress, so exhaustion slows a connection down and never
/// deadlocks it. Unreserved, it is bounded by the number of connections (docs/guarantees.md).</para>
/// <para>Before <see cref="Attach"/> (a connection no resource manager governs, e.g. a transport
/// used on its own) and after <see cref="Stop"/> (the connection is ending) the room is unlimited:
/// the pipes' own bounds apply. Counting starts at creation, so bytes buffered before the
/// connection was attached are part of the count. A producer and one consumer per side run
/// concurrently; <see cref="WaitAsync"/> has one waiter at a time (the producer).</para>
/// </remarks>
internal sealed class TransportBuffer
{
    /// <summary>Bytes a connection may hold per direction without a reservation: one maximal Noise frame plus one 16 KiB receive segment.</summary>
    public const int Floor = 80 * 1024;

    /// <summary>The unit of reservations: the busy receive segment of the TCP transport.</summary>
    public const int Batch = 256 * 1024;

    /// <summary>
    /// Where a receive pump without room resumes: 64 KiB held. A pipe holding only the start of a
    /// frame (at most 65,536 bytes of a 65,537-byte Noise frame) is at or below it, so the pump
    /// resumes as soon as the layers above took what they can — waiting for less could wait for a
    /// frame that only the pump itself can complete.
    /// </summary>
    public const int ResumeAt = Floor - (16 * 1024);

    private readonly Lock gate = new();
    private long held;
    private long reserved;
    private ConnectionScope? owner;
    private ResourceScope[]? reservedIn;
    private volatile bool stopped;
    private bool refused;
    private TaskCompletionSource? waiter;
    private long wakeAt;

    /// <summary>Bytes held now.</summary>
    public long Held => Volatile.Read(ref held);

    /// <summary>Bytes reserved in the connection's scopes now (beyond the floor).</summary>
    public long Reserved => Volatile.Read(ref reserved);

    /// <summary>Whether a producer waits for room (for tests and diagnostics).</summary>
    internal bool IsWaiting => Volatile.Read(ref waiter) is not null;

    /// <summary>Governs the buffer by <paramref name="scope"/>'s reservations from now on. Once.</summary>
    public void Attach(ConnectionScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        lock (gate)
        {
            if (owner is not null)
            {
                throw new InvalidOperationException("The transport buffer is already attached to a connection scope.");
            }

            owner = scope;
        }
    }

    /// <summary>
    /// How many of <paramref name="wanted"/> bytes the producer may add now: all of them when they
    /// fit the floor and the reservation (grown here in batches when they do not), else what the
    /// floor still allows (possibly 0: wait with <see cref="WaitAsync"/>).
    /// </summary>
    public int Room(int wanted)
    {
        if (owner is null || stopped)
        {
            return wanted;
        }

        long room = Floor + Volatile.Read(ref reserved) - Volatile.Read(ref held);
        return room >= wanted ? wanted : Grow(wanted, room);
    }

    /// <summary>
    /// A receive pump's next segment: waits while there is no <see cref="Room"/> (the socket is not
    /// read meanwhile; the remote's window closes), then asks <paramref name="writer"/> for at most
    /// the room, so that a pump kept to its floor does not rent a busy-sized segment for a few bytes.
    /// The pump <see cref="Hold">holds</see> what it then reads into it.
    /// </summary>
    /// <param name="writer">The pipe the pump fills.</param>
    /// <param name="sizeHint">The segment the pump would like.</param>
    /// <returns>Memory of at least one byte and at most the room.</returns>
    public async ValueTask<Memory<byte>> NextReceiveSegmentAsync(PipeWriter writer, int sizeHint)
    {
        while (true)
        {
            int room = Room(sizeHint);
            if (room > 0)
            {
                var memory = writer.GetMemory(Math.Min(sizeHint, room));
                return memory.Length > room ? memory[..room] : memory;
            }

            await WaitAsync(ResumeAt).ConfigureAwait(false);
        }
    }

    /// <summary>The producer added <paramref name="bytes"/>.</summary>
    public void Hold(long bytes) => Interlocked.Add(ref held, bytes);

    /// <summary>A consumer took <paramref name="bytes"/> away (or they were sent): wakes a waiting producer and gives back surplus reservations.</summary>
    public void Release(long bytes)
    {
        long now = Interlocked.Add(ref held, -bytes);
        if (Volatile.Read(ref waiter) is not null && now <= Volatile.Read(ref wakeAt))
        {
            Wake();
        }

        // Surplus: more than one batch beyond the need, or anything once the buffer is empty.
        long reservedNow = Volatile.Read(ref reserved);
        if (reservedNow > 0 && (now <= 0 || reservedNow - Needed(now) > Batch))
        {
            Shrink();
        }
        else if (now <= Floor / 2 && Volatile.Read(ref refused))
        {
            lock (gate)
            {
                refused = false;
            }
        }
    }

    /// <summary>Completes once at most <paramref name="heldAtMost"/> bytes are held, or the buffer stopped.</summary>
    public ValueTask WaitAsync(long heldAtMost)
    {
        TaskCompletionSource next;
        lock (gate)
        {
            if (stopped || Volatile.Read(ref held) <= heldAtMost)
            {
                return default;
            }

            next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref wakeAt, heldAtMost);
            Volatile.Write(ref waiter, next);
        }

        // A release between the check above and publishing the waiter would not have seen it.
        Interlocked.MemoryBarrier();
        if (stopped || Volatile.Read(ref held) <= heldAtMost)
        {
            Wake();
        }

        return new ValueTask(next.Task);
    }

    /// <summary>
    /// The producer's whole step for a chunk it cannot split (the muxer's writer): waits until
    /// <paramref name="bytes"/> fit (or the buffer is empty, so a chunk larger than the floor
    /// still goes), then holds them.
    /// </summary>
    public ValueTask HoldAsync(int bytes)
    {
        if (Room(bytes) >= bytes || Volatile.Read(ref held) <= 0)
        {
            Hold(bytes);
            return default;
        }

        return HoldSlowAsync(bytes);
    }

    /// <summary>
    /// The connection is ending: the room is unlimited from now on (the pipes' own bounds apply)
    /// and a waiting producer is woken. Reservations stay until <see cref="Close"/>.
    /// </summary>
    public void Stop()
    {
        stopped = true;
        Wake();
    }

    /// <summary>The connection's scope ended: stops and gives back every reservation. Idempotent.</summary>
    public void Close()
    {
        lock (gate)
        {
            stopped = true;
            ReleaseLocked(reserved);
        }

        Wake();
    }

    private static long RoundUp(long bytes) => (bytes + Batch - 1) / Batch * Batch;

    private static long Needed(long heldNow) => RoundUp(Math.Max(0, heldNow - Floor));

    private async ValueTask HoldSlowAsync(int bytes)
    {
        while (true)
        {
            await WaitAsync(Math.Max(0, Floor - bytes)).ConfigureAwait(false);
            if (Room(bytes) >= bytes || Volatile.Read(ref held) <= 0)
            {
                Hold(bytes);
                return;
            }
        }
    }

    private int Grow(int wanted, long room)
    {
        ResourceLimitExceededException? error = null;
        ConnectionScope? scope;
        lock (gate)
        {
            scope = owner;
            if (stopped || scope is null)
            {
                return wanted;
            }

            room = Floor + reserved - Volatile.Read(ref held);
            if (room >= wanted)
            {
                return wanted;
            }

            // After a refusal, the next try waits until the buffer drained to half the floor: a
            // connection limited to its floor does not ask (and get refused) on every read.
            if (!refused)
            {
                long amount = RoundUp(wanted - room);
                var chain = scope.TryReserveTransport(amount, out error);
                if (chain is not null)
                {
                    reservedIn ??= chain;
                    if (ReferenceEquals(reservedIn, chain))
                    {
                        Volatile.Write(ref reserved, reserved + amount);
                        return wanted;
                    }

                    // The connection's chain changed (cannot after its peer is set): keep one chain.
                    ConnectionScope.ReleaseTransport(chain, amount);
                }
                else
                {
                    refused = true;
                }
            }
        }

        if (error is not null)
        {
            scope.ReportTransportRefusal(error);
        }

        return (int)Math.Clamp(room, 0, wanted);
    }

    private void Shrink()
    {
        lock (gate)
        {
            long now = Volatile.Read(ref held);
            long keep = now <= 0 ? 0 : Needed(now) + Batch;
            if (reserved > keep)
            {
                ReleaseLocked(reserved - keep);
            }

            if (now <= Floor / 2)
            {
                refused = false;
            }
        }
    }

    private void ReleaseLocked(long amount)
    {
        if (amount <= 0 || reservedIn is null)
        {
            return;
        }

        ConnectionScope.ReleaseTransport(reservedIn, amount);
        Volatile.Write(ref reserved, reserved - amount);
    }

    private void Wake()
    {
        TaskCompletionSource? woken;
        lock (gate)
        {
            woken = waiter;
            Volatile.Write(ref waiter, null);
        }

        woken?.TrySetResult();
    }
}
