namespace Rx.Network.Tests.Architecture;

/// <summary>A reference the layer rule forbids, and why.</summary>
/// <param name="Reference">The reference, as compiled code makes it.</param>
/// <param name="Why">What it breaks: the layers it runs up between, or the namespace cycle it closes.</param>
public sealed record LayerViolation(CodeReference Reference, string Why)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Reference}: {Why}";
}
