namespace Rx.Network.Examples.KeyValue;

/// <summary>The store refused a request because of one of its limits (too many keys, a value too large).</summary>
public sealed class KeyValueRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KeyValueRefusedException() : base("The key-value store refused the request.") { }

    /// <summary>Creates the exception with the store's reason.</summary>
    /// <param name="message">The reason.</param>
    public KeyValueRefusedException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">The reason.</param>
    /// <param name="innerException">The cause.</param>
    public KeyValueRefusedException(string message, Exception innerException) : base(message, innerException) { }
}
