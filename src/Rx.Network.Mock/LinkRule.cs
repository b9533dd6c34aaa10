namespace Rx.Network.Mock;

/// <summary>
/// A per-link fault rule: decides, for each <see cref="LinkFrameKind.Dial"/>, <see cref="LinkFrameKind.Open"/>
/// and <see cref="LinkFrameKind.Data"/> frame about to cross a link, whether it passes, is dropped
/// or is delayed. Rules run in the order added; the first verdict that is not
/// <see cref="LinkVerdict.Pass"/> wins. Control frames (acknowledgements, window credit, closes)
/// are not shown to rules.
/// </summary>
/// <param name="frame">The frame.</param>
/// <returns>The verdict.</returns>
public delegate LinkVerdict LinkRule(LinkFrame frame);
