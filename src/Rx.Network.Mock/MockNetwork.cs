using System.Reactive.Concurrency;
using Rx.Network.Identity;
using Rx.Network.Mock.Peers;
using Rx.Network.Mock.Time;
using Rx.Network.Reactive;

namespace Rx.Network.Mock;

/// <summary>
/// An in-memory network of peers joined by links with latency, jitter, bandwidth and faults, on
/// the time of an <see cref="IScheduler"/>: the seed's mocknet, made deterministic. Every peer is
/// an <see cref="INetwork"/>, so services written against the network run on it unchanged.
/// </summary>
/// <remarks>
/// <para><b>Virtual time.</b> Constructed with a virtual-time scheduler (Microsoft.Reactive.Testing's
/// <c>TestScheduler</c>, or System.Reactive's <see cref="HistoricalScheduler"/> or any other
/// <see cref="VirtualTimeSchedulerBase{TAbsolute, TRelative}"/> over <c>long</c> ticks or
/// <see cref="DateTimeOffset"/>), nothing moves until
/// the test says so: <see cref="AdvanceByAsync"/> runs, in order, everything due up to the new
/// time — link deliveries, timers, and all the code they resume — on the calling thread, and
/// <see cref="RunAsync{T}(Func{Task{T}}, TimeSpan?, CancellationToken)"/> starts an operation and
/// moves the clock from one due item to the next until it completes. A message over a 100 ms link
/// is read exactly at +100 ms; 1 MB over a 1 MB/s link arrives at +1 s; with a
/// <see cref="MockNetworkOptions.Seed"/> the same test gives the same event log every time.
/// Start operations through <c>RunAsync</c> (or from handlers). Code of the run that leaves for the
/// thread pool (<c>Task.Run</c>, a contended <see cref="SemaphoreSlim"/>, <c>ConfigureAwait(false)</c>)
/// is waited for: the clock moves only when none of it runs or is queued (ADR 0011 §4).</para>
/// <para><b>Real time.</b> With any other scheduler (default: <see cref="DefaultScheduler"/>) links
/// deliver on timers and peers run on the thread pool; <c>RunAsync</c> simply awaits.</para>
/// <para>Thread safety: all members may be called from any thread in real time; in virtual time,
/// drive the network from one thread (a test); code of a run may call into the network from any
/// thread while it drives.</para>
/// </remarks>
public sealed partial class MockNetwork : IAsyncDisposable
{
    private readonly Lock gate = new();
    private readonly VirtualTimeDriver? driver;
    private readonly IScheduler clock;
    private readonly Random? keySource;
    private readonly Random linkSeeds;
    private Exception? fault;
    private bool disposed;

    /// <summary>Creates an empty mock network.</summary>
    /// <param name="scheduler">
    /// The clock: a virtual-time scheduler for virtual time (Microsoft.Reactive.Testing's <c>TestScheduler</c>,
    /// a <see cref="HistoricalScheduler"/>: any <see cref="VirtualTimeSchedulerBase{TAbsolute, TRelative}"/> of
    /// <c>long</c> ticks or of <see cref="DateTimeOffset"/>/<see cref="TimeSpan"/>); any other scheduler runs in real
    /// time; <see cref="DefaultScheduler.Instance"/> when null.
    /// </param>
    /// <param name="options">Settings; <see cref="MockNetworkOptions.Default"/> when null.</param>
    public MockNetwork(IScheduler? scheduler = null, MockNetworkOptions? options = null)
    {
        Scheduler = scheduler ?? DefaultScheduler.Instance;
        Options = options ?? MockNetworkOptions.Default;
        bool isVirtual = VirtualClock.TryCreate(Scheduler, out var virtualClock);

        // In virtual time everything the network schedules goes through the clock's lock: code of
        // a run may schedule from another thread while the driver steps the clock.
        clock = isVirtual ? new GuardedScheduler(Scheduler, virtualClock!) : Scheduler;
        TimeProvider = new SchedulerTimeProvider(clock);
        if (isVirtual)
        {
            driver = new VirtualTimeDriver(virtualClock!, Options.OperationTimeout);
            Work = new NetworkScheduler(TimeProvider, clock, driver.Post, runsInline: true);
        }
        else
        {
            Work = new NetworkScheduler(TimeProvider, clock);
        }

        linkDefaults = Options.DefaultLink;
        keySource = Options.Seed is { } seed ? new Random(seed) : null;
        linkSeeds = Options.Seed is { } linkSeed ? new Random(unchecked(linkSeed * 31 + 17)) : new Random();
    }

    /// <summary>The clock.</summary>
    public IScheduler Scheduler { get; }

    /// <summary>The clock as a <see cref="System.TimeProvider"/>: give it to code under test (timeouts, RTTs, delays).</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The settings.</summary>
    public MockNetworkOptions Options { get; }

    /// <summary>Whether time is virtual (the scheduler is a virtual-time scheduler).</summary>
    public bool IsVirtual => driver is not null;

    /// <summary>The current time on the network's clock.</summary>
    public DateTimeOffset Now => Scheduler.Now;

    /// <summary>
    /// Where the network's peers and the services on them run their work: the driver's ready queue
    /// and the virtual clock in virtual time, the thread pool and the scheduler in real time.
    /// </summary>
    internal NetworkScheduler Work { get; }

    internal long NowTicks => Scheduler.Now.UtcTicks;

    /// <summary>How waiters complete: inline in virtual time (the driver orders everything), asynchronously in real time.</summary>
    internal TaskCreationOptions ContinuationOptions =>
        driver is null ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None;

    /// <summary>
    /// Disposes every peer (each closes its connections gracefully). Never throws: a peer whose
    /// disposal fails, or virtual time that cannot finish it within
    /// <see cref="MockNetworkOptions.OperationTimeout"/>, leaves the rest disposed.
    /// </summary>
    /// <returns>A task that completes when every peer is disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        INetwork[] all;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            all = [.. peers];
        }

        if (driver is null)
        {
            await DisposeAllAsync(all).ConfigureAwait(false);
            return;
        }

        if (driver.OnDriverThread || driver.DrivenElsewhere)
        {
            // From inside the run (a handler), or while another thread drives: the driver finishes it.
            _ = DisposeAllAsync(all);
            return;
        }

        try
        {
            await RunAsync(() => DisposeAllAsync(all)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            // What could not finish in time stays as it is; the network is disposed regardless.
        }
    }

    private static async Task DisposeAllAsync(INetwork[] all)
    {
        foreach (var peer in all)
        {
            try
            {
                await peer.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // One peer's failure to close must not keep the others open.
            }
        }
    }

    /// <summary>Delivers <paramref name="frame"/> as <see cref="Guard(Action)"/> runs an action (without a delegate per frame).</summary>
    internal void Guard(Links.Frame frame)
    {
        try
        {
            frame.Deliver();
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref fault, e, null);
        }
    }

    /// <summary>Records a failure of the mock's own machinery (never expected); the next drive throws it.</summary>
    internal void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref fault, e, null);
        }
    }

    /// <summary>Whether a frame due at <paramref name="ticks"/> may be delivered now.</summary>
    internal bool IsDue(long ticks) =>
        ticks <= (driver is null ? NowTicks + TimeSpan.TicksPerMillisecond : NowTicks);

    /// <summary>Runs <paramref name="action"/> at <paramref name="ticks"/> (posted at once when due).</summary>
    internal void ScheduleAt(long ticks, Action action)
    {
        if (IsDue(ticks))
        {
            Work.Post(action);
            return;
        }

        clock.Schedule(action, new DateTimeOffset(ticks, TimeSpan.Zero), static (_, a) =>
        {
            a();
            return System.Reactive.Disposables.Disposable.Empty;
        });
    }

    private void ThrowIfFaulted()
    {
        if (Interlocked.Exchange(ref fault, null) is { } e)
        {
            throw new InvalidOperationException("The mock network's machinery failed; this is a bug in Rx.Network.Mock.", e);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);

    private PrivateKey NextKey()
    {
        if (keySource is null)
        {
            return PrivateKey.Generate();
        }

        Span<byte> seed = stackalloc byte[PrivateKey.SeedLength];
        lock (keySource)
        {
            keySource.NextBytes(seed);
        }

        return PrivateKey.FromSeed(seed);
    }
}
