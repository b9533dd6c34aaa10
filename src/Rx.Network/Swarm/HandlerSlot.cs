namespace Rx.Network.Swarm;

/// <summary>
/// One registered handler (the network's connection handler): setting replaces the current one,
/// and disposing a registration removes its handler only if it is still the current one, so an
/// old registration cannot remove a newer handler.
/// </summary>
/// <typeparam name="T">The handler's delegate type.</typeparam>
internal sealed class HandlerSlot<T>
    where T : class
{
    private Registration? current;

    /// <summary>The current handler, or null.</summary>
    public T? Handler => Volatile.Read(ref current)?.Handler;

    /// <summary>Makes <paramref name="handler"/> the current one.</summary>
    /// <returns>Dispose to remove it (if it is still the current one).</returns>
    public IDisposable Set(T handler)
    {
        var registration = new Registration(this, handler);
        Volatile.Write(ref current, registration);
        return registration;
    }

    private sealed class Registration(HandlerSlot<T> slot, T handler) : IDisposable
    {
        public T Handler { get; } = handler;

        public void Dispose() => Interlocked.CompareExchange(ref slot.current, null, this);
    }
}
