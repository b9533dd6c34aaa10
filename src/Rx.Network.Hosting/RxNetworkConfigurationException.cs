namespace Rx.Network.Hosting;

/// <summary>
/// A configuration value of the Rx.Network section cannot be used: an unknown key (a misspelt
/// setting is an error, not silently ignored), a value that does not convert to the setting's
/// type, or one the setting refuses (out of range).
/// </summary>
public sealed class RxNetworkConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RxNetworkConfigurationException()
        : this("An Rx.Network configuration value cannot be used.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    public RxNetworkConfigurationException(string message)
        : base(message)
    {
        Key = "";
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public RxNetworkConfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Key = "";
    }

    /// <summary>Creates the exception for the configuration key <paramref name="key"/>.</summary>
    /// <param name="key">The full configuration path of the value, e.g. <c>RxNetwork:Limits:MaxInbound</c>.</param>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public RxNetworkConfigurationException(string key, string message, Exception? innerException)
        : base(message, innerException)
    {
        Key = key;
    }

    /// <summary>The full configuration path of the value, e.g. <c>RxNetwork:Limits:MaxInbound</c>.</summary>
    public string Key { get; }
}
