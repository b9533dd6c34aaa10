using Rx.Network.Identity;

namespace Rx.Network.Mock;

/// <summary>A frame about to cross a mock link, shown to the link's <see cref="LinkRule"/>s.</summary>
/// <param name="From">The sending peer.</param>
/// <param name="To">The receiving peer.</param>
/// <param name="Kind">What the frame carries.</param>
/// <param name="Protocol">The stream's protocol (for <see cref="LinkFrameKind.Open"/>, the first one proposed); null for a dial.</param>
/// <param name="Length">Payload bytes (0 except for <see cref="LinkFrameKind.Data"/>).</param>
/// <param name="Time">When the frame is sent, on the mock network's clock.</param>
public readonly record struct LinkFrame(PeerId From, PeerId To, LinkFrameKind Kind, string? Protocol, int Length, DateTimeOffset Time);
