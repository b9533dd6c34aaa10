namespace Rx.Network.Mock.Links;

/// <summary>One frame in flight on a <see cref="LinkDirection"/>.</summary>
/// <param name="kind">What rules see it as; null for control frames, which rules never see.</param>
/// <param name="protocol">The stream's protocol, for rules.</param>
/// <param name="length">Payload bytes: what the link's bandwidth is spent on.</param>
/// <param name="deliver">Runs at arrival (null: a subclass overrides <see cref="Deliver"/>).</param>
/// <param name="lost">Runs instead when a rule drops the frame or the link goes down with it in flight.</param>
internal class Frame(LinkFrameKind? kind, string? protocol, int length, Action? deliver, Action<Exception>? lost)
{
    public LinkFrameKind? Kind { get; } = kind;

    public string? Protocol { get; } = protocol;

    public int Length { get; } = length;

    /// <summary>Arrival, in scheduler ticks; set when sent.</summary>
    public long Due { get; set; }

    /// <summary>The frame sent after this one on the same direction (its in-flight queue is a list through the frames).</summary>
    public Frame? Next { get; set; }

    public virtual void Deliver() => deliver?.Invoke();

    public void Lose(Exception reason) => lost?.Invoke(reason);
}
