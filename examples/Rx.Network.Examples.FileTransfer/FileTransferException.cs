namespace Rx.Network.Examples.FileTransfer;

/// <summary>The receiver refused a file, or could not store it (its reply says why).</summary>
public sealed class FileTransferException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public FileTransferException()
        : base("The receiver refused the file.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The receiver's reason.</param>
    public FileTransferException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The receiver's reason.</param>
    /// <param name="innerException">The cause.</param>
    public FileTransferException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
