namespace Rx.Network.Mock.Testing;

/// <summary>
/// Thrown by <see cref="ReactiveAssert"/> when an assertion fails. Test frameworks report it as a
/// failed test like their own assertion exceptions.
/// </summary>
public class ReactiveAssertException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public ReactiveAssertException()
        : base("A reactive assertion failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was expected and what was found.</param>
    public ReactiveAssertException(string? message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">What was expected and what was found.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ReactiveAssertException(string? message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
