namespace Rx.Network.Resources;

/// <summary>A stream whose reservations services can extend (request buffers) and that can be reset with the resource-limit code.</summary>
internal interface IResourceScoped
{
    /// <summary>The stream's reservations; null when nothing reserves for it.</summary>
    StreamScope? Resources { get; }

    /// <summary>Resets the stream with <paramref name="code"/> for the peer (when the muxer carries codes).</summary>
    /// <param name="code">The code, e.g. <see cref="ResourceLimitExceededException.StreamResetCode"/>.</param>
    void Reset(uint code);
}
