using Rx.Network.Identity;

namespace Rx.Network.Examples.FileTransfer;

/// <summary>How one incoming transfer ended, as <see cref="FileReceiver.Transfers"/> reports it.</summary>
/// <param name="Peer">The sender.</param>
/// <param name="Name">The name it proposed (empty when its header was unreadable); untrusted text.</param>
/// <param name="Size">The size it announced.</param>
/// <param name="Path">Where the file was stored, when it was.</param>
/// <param name="Error">Why it was refused or failed, when it was.</param>
public sealed record TransferResult(PeerId Peer, string Name, long Size, string? Path, string? Error)
{
    /// <summary>Whether the file was received, verified and stored.</summary>
    public bool Succeeded => Error is null;
}
