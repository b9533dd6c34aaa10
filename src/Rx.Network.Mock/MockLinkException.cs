namespace Rx.Network.Mock;

/// <summary>
/// A mock link failed what crossed it: the link was cut, taken down, partitioned, or a
/// <see cref="LinkRule"/> dropped a frame. Streams and connections over the link fail with it
/// (as the inner exception of the library's own typed exceptions where the API promises those).
/// </summary>
public class MockLinkException : TransportException
{
    /// <summary>Creates the exception with a default message.</summary>
    public MockLinkException() : base("The mock link failed.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public MockLinkException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public MockLinkException(string message, Exception innerException) : base(message, innerException) { }
}
