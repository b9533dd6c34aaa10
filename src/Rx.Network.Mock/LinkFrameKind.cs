namespace Rx.Network.Mock;

/// <summary>What a frame crossing a mock link carries, as seen by a <see cref="LinkRule"/>.</summary>
public enum LinkFrameKind
{
    /// <summary>A connection attempt. Dropped: the dial fails as if refused.</summary>
    Dial = 0,

    /// <summary>A stream being opened, with the protocols proposed. Dropped: the stream is reset at both ends.</summary>
    Open,

    /// <summary>Stream data. Dropped: the stream is reset at both ends (a reliable stream cannot lose bytes silently).</summary>
    Data,
}
