namespace Rx.Network;

/// <summary>
/// A subscriber to <see cref="INetwork.Events"/> (or to a connection's frame trace,
/// <see cref="ConnectionTraceExtensions.TraceFrames"/>) fell further behind than its queue allows,
/// so its subscription was ended rather than letting memory grow or silently dropping events.
/// </summary>
public sealed class EventOverflowException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public EventOverflowException() : base("The event subscriber fell too far behind.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Why.</param>
    public EventOverflowException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">Why.</param>
    /// <param name="innerException">The underlying failure.</param>
    public EventOverflowException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a queue of <paramref name="capacity"/> items, with a message.</summary>
    /// <param name="capacity">The subscriber's queue bound.</param>
    /// <param name="message">Why.</param>
    public EventOverflowException(int capacity, string message)
        : base(message)
    {
        Capacity = capacity;
    }

    /// <summary>Creates the exception for a queue of <paramref name="capacity"/> events.</summary>
    /// <param name="capacity">The subscriber's queue bound.</param>
    public EventOverflowException(int capacity)
        : base($"The event subscriber fell more than {capacity} events behind; its subscription was ended.")
    {
        Capacity = capacity;
    }

    /// <summary>The queue bound that was exceeded.</summary>
    public int Capacity { get; }
}
