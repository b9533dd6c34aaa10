using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;

namespace Rx.Network.Muxing;

/// <summary>
/// The source side of the frame block (<see cref="YamuxWriter"/>): the one target it is linked to
/// (the secure channel's seal block) and the one chunk on offer to it. A chunk the target
/// postpones stays on offer while the writer's run ends; the target later consumes it (the chunk
/// was sent) or reserves and releases it (it will not take it: offer again), and either wakes
/// the writer through <c>resume</c>, so a full target stops the writer without a thread or a task
/// waiting for it.
/// </summary>
/// <remarks>
/// One chunk is on offer at a time, by the writer's run only; the target may call back from any
/// thread, before or after the run sees the <see cref="DataflowMessageStatus.Postponed"/> answer.
/// A frame stream has one destination, so the block links one target at a time.
/// </remarks>
internal sealed class FrameOutput
{
    private readonly ISourceBlock<PooledBuffer> owner;
    private readonly Action resume;
    private readonly Lock gate = new();
    private ITargetBlock<PooledBuffer>? target;
    private bool propagateCompletion;

    // The chunk on offer and what became of it; under the lock.
    private PooledBuffer chunk;
    private long offerId;
    private State state;
    private bool parked;
    private bool interrupted;

    /// <summary>Creates the source side of <paramref name="owner"/>.</summary>
    /// <param name="owner">The block whose offers these are (the source the target consumes from).</param>
    /// <param name="resume">Starts the owner's run again once a parked chunk was consumed or released, or a target linked.</param>
    public FrameOutput(ISourceBlock<PooledBuffer> owner, Action resume)
    {
        this.owner = owner;
        this.resume = resume;
    }

    /// <summary>What <see cref="Offer"/> or <see cref="Resume"/> found.</summary>
    public enum Outcome
    {
        /// <summary>The target has the chunk.</summary>
        Sent,

        /// <summary>The chunk waits (postponed, or no target linked yet): end the run; <c>resume</c> starts the next.</summary>
        Waiting,

        /// <summary>The target refused the chunk: it is still the caller's.</summary>
        Refused,

        /// <summary>(<see cref="Resume"/> only) The target released the chunk: offer it again.</summary>
        OfferAgain,

        /// <summary>The owner faulted (<see cref="Interrupt"/>) while the chunk was on offer: it stays on offer until <see cref="Withdraw"/>.</summary>
        Interrupted,
    }

    private enum State
    {
        None,
        Offered,
        Reserved,
        Consumed,
        Released,
        Unlinked,
    }

    /// <summary>Whether a chunk waits on offer with no run of the owner going (for tests and diagnostics).</summary>
    public bool IsParked => Volatile.Read(ref parked);

    /// <summary>Links the target; one at a time (the frames of a connection have one destination).</summary>
    /// <param name="to">The target.</param>
    /// <param name="options">Only <see cref="DataflowLinkOptions.PropagateCompletion"/> applies; <see cref="DataflowLinkOptions.MaxMessages"/> must be unbounded.</param>
    /// <returns>Unlinks.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="DataflowLinkOptions.MaxMessages"/> is bounded.</exception>
    /// <exception cref="InvalidOperationException">A target is linked already.</exception>
    public IDisposable LinkTo(ITargetBlock<PooledBuffer> to, DataflowLinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxMessages != DataflowBlockOptions.Unbounded)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The frame block's link carries every frame: MaxMessages must be unbounded.");
        }

        bool wake;
        lock (gate)
        {
            if (target is not null)
            {
                throw new InvalidOperationException("The frame block is linked already: a connection's frames have one destination.");
            }

            target = to;
            propagateCompletion = options.PropagateCompletion;
            wake = state == State.Unlinked && parked;
            if (wake)
            {
                state = State.Released;
                parked = false;
            }
        }

        if (wake)
        {
            resume();
        }

        return new Link(this, to);
    }

    /// <summary>Offers <paramref name="value"/> to the target (again, if it was released). For the owner's run only.</summary>
    /// <param name="value">The chunk; the target's once <see cref="Outcome.Sent"/>.</param>
    /// <returns>What became of it.</returns>
    public Outcome Offer(PooledBuffer value)
    {
        while (true)
        {
            ITargetBlock<PooledBuffer>? to;
            long id;
            lock (gate)
            {
                to = target;
                chunk = value;
                id = ++offerId;
                if (to is null)
                {
                    state = State.Unlinked;
                    parked = true;
                    return Outcome.Waiting;
                }

                state = State.Offered;
            }

            var status = to.OfferMessage(new DataflowMessageHeader(id), value, owner, consumeToAccept: false);
            lock (gate)
            {
                if (status == DataflowMessageStatus.Accepted || state == State.Consumed)
                {
                    Clear();
                    return Outcome.Sent;
                }

                if (status != DataflowMessageStatus.Postponed)
                {
                    Clear();
                    return Outcome.Refused;
                }

                if (state == State.Released)
                {
                    continue;
                }

                if (interrupted)
                {
                    return Outcome.Interrupted;
                }

                parked = true;
                return Outcome.Waiting;
            }
        }
    }

    /// <summary>At the start of a run after a <see cref="Outcome.Waiting"/>: what became of the parked chunk.</summary>
    /// <returns><see cref="Outcome.Sent"/>, <see cref="Outcome.OfferAgain"/>, or <see cref="Outcome.Waiting"/> (still parked: a run started for another reason).</returns>
    public Outcome Resume()
    {
        lock (gate)
        {
            switch (state)
            {
                case State.Consumed:
                    Clear();
                    return Outcome.Sent;
                case State.Released:
                    Clear();
                    return Outcome.OfferAgain;
                default:
                    if (interrupted)
                    {
                        return Outcome.Interrupted;
                    }

                    // Still on offer: the target's answer starts the next run.
                    parked = true;
                    return Outcome.Waiting;
            }
        }
    }

    /// <summary>The owner faulted: a run parked on the target starts again now (to withdraw the chunk), and later runs do not park.</summary>
    public void Interrupt()
    {
        bool wake;
        lock (gate)
        {
            interrupted = true;
            wake = parked;
            parked = false;
        }

        if (wake)
        {
            resume();
        }
    }

    /// <summary>Takes back the chunk on offer (the owner faulted): a later consume gets nothing.</summary>
    /// <returns>Whether it was still on offer (then it is the caller's again); false when the target already has it.</returns>
    public bool Withdraw()
    {
        lock (gate)
        {
            bool ours = state is State.Offered or State.Reserved or State.Released or State.Unlinked;
            if (state != State.None)
            {
                Clear();
            }

            return ours;
        }
    }

    /// <summary>Completes or faults the target if the link propagates completion.</summary>
    /// <param name="error">Null to complete, else the fault.</param>
    public void Complete(Exception? error)
    {
        ITargetBlock<PooledBuffer>? to;
        lock (gate)
        {
            to = propagateCompletion ? target : null;
        }

        if (to is null)
        {
            return;
        }

        if (error is null)
        {
            to.Complete();
        }
        else
        {
            to.Fault(error);
        }
    }

    /// <summary><see cref="ISourceBlock{TOutput}.ConsumeMessage"/>: the target takes the chunk on offer.</summary>
    public PooledBuffer Consume(DataflowMessageHeader header, out bool consumed)
    {
        PooledBuffer value;
        bool wake;
        lock (gate)
        {
            if (header.Id != offerId || state is not (State.Offered or State.Reserved))
            {
                consumed = false;
                return default;
            }

            value = chunk;
            chunk = default;
            state = State.Consumed;
            wake = parked;
            parked = false;
        }

        consumed = true;
        if (wake)
        {
            resume();
        }

        return value;
    }

    /// <summary><see cref="ISourceBlock{TOutput}.ReserveMessage"/>: holds the chunk on offer for the target.</summary>
    public bool Reserve(DataflowMessageHeader header)
    {
        lock (gate)
        {
            if (header.Id != offerId || state != State.Offered)
            {
                return false;
            }

            state = State.Reserved;
            return true;
        }
    }

    /// <summary><see cref="ISourceBlock{TOutput}.ReleaseReservation"/>: the target will not take it; the writer offers it again.</summary>
    /// <exception cref="InvalidOperationException">The chunk was not reserved.</exception>
    public void Release(DataflowMessageHeader header)
    {
        bool wake;
        lock (gate)
        {
            if (header.Id != offerId || state != State.Reserved)
            {
                throw new InvalidOperationException("The message is not reserved.");
            }

            state = State.Released;
            wake = parked;
            parked = false;
        }

        if (wake)
        {
            resume();
        }
    }

    private void Clear()
    {
        chunk = default;
        state = State.None;
        parked = false;
    }

    private void Unlink(ITargetBlock<PooledBuffer> from)
    {
        lock (gate)
        {
            if (ReferenceEquals(target, from))
            {
                target = null;
            }
        }
    }

    private sealed class Link(FrameOutput output, ITargetBlock<PooledBuffer> target) : IDisposable
    {
        public void Dispose() => output.Unlink(target);
    }
}
