using Rx.Network.Identity;

namespace Rx.Network.Resources;

/// <summary>A refusal to report (coalesced): the scope's exception, whom it concerned, and how many refusals it stands for.</summary>
/// <param name="Error">The refusal, naming the scope, resource, amount and limit.</param>
/// <param name="Peer">The remote peer, when known.</param>
/// <param name="Address">The remote IP address, when known.</param>
/// <param name="Protocol">The protocol, when the refusal concerned one.</param>
/// <param name="Count">Refusals of the same scope and resource this report stands for (1 or more).</param>
internal sealed record ResourceRefusal(ResourceLimitExceededException Error, PeerId? Peer, System.Net.IPAddress? Address, string? Protocol, int Count);
