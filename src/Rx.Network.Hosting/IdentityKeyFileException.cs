namespace Rx.Network.Hosting;

/// <summary>
/// The identity key file (<see cref="RxNetworkOptions.IdentityKeyFile"/>) exists but cannot be
/// used as the node's identity: unreadable, empty, too large, or not a libp2p Ed25519 private key.
/// The host does not start; the file is left as it is, never replaced by a new identity.
/// </summary>
public sealed class IdentityKeyFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IdentityKeyFileException()
        : this("The identity key file cannot be used.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    public IdentityKeyFileException(string message)
        : base(message)
    {
        Path = "";
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public IdentityKeyFileException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Path = "";
    }

    /// <summary>Creates the exception for the file at <paramref name="path"/>.</summary>
    /// <param name="path">The file's full path.</param>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public IdentityKeyFileException(string path, string message, Exception? innerException)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }
}
