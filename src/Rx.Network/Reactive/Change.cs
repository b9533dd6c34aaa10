namespace Rx.Network.Reactive;

/// <summary>
/// One change to one key of a keyed collection: what happened (<see cref="Reason"/>), to which key,
/// the value now (<see cref="Current"/>) and the value before (<see cref="Previous"/>).
/// </summary>
/// <remarks>
/// Replaying the changes of a sequence of change sets, in order, into an empty dictionary
/// reproduces the collection they describe: an <see cref="ChangeReason.Add"/> only ever names an
/// absent key, an <see cref="ChangeReason.Update"/> or <see cref="ChangeReason.Remove"/> only a
/// present one, and <see cref="Previous"/> is always the value the key had just before.
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly struct Change<TKey, TValue> : IEquatable<Change<TKey, TValue>>
    where TKey : notnull
{
    /// <summary>Creates an <see cref="ChangeReason.Add"/> or a <see cref="ChangeReason.Remove"/>.</summary>
    /// <param name="reason"><see cref="ChangeReason.Add"/> or <see cref="ChangeReason.Remove"/>.</param>
    /// <param name="key">The key that changed.</param>
    /// <param name="current">The value added, or the value removed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="reason"/> is <see cref="ChangeReason.Update"/>, which needs the previous value:
    /// use <see cref="Change(TKey, TValue, TValue)"/>.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reason"/> is not a defined <see cref="ChangeReason"/>.</exception>
    public Change(ChangeReason reason, TKey key, TValue current)
    {
        if (key is null)
        {
            throw new ArgumentNullException(nameof(key));
        }

        switch (reason)
        {
            case ChangeReason.Add:
                Previous = default;
                break;
            case ChangeReason.Remove:
                Previous = current;
                break;
            case ChangeReason.Update:
                throw new ArgumentException(
                    "An update needs the previous value: use the constructor that takes it.", nameof(reason));
            default:
                throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not a defined change reason.");
        }

        Reason = reason;
        Key = key;
        Current = current;
    }

    /// <summary>Creates an <see cref="ChangeReason.Update"/>.</summary>
    /// <param name="key">The key that changed.</param>
    /// <param name="current">The new value.</param>
    /// <param name="previous">The value it replaced.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    public Change(TKey key, TValue current, TValue previous)
    {
        if (key is null)
        {
            throw new ArgumentNullException(nameof(key));
        }

        Reason = ChangeReason.Update;
        Key = key;
        Current = current;
        Previous = previous;
    }

    /// <summary>What happened to <see cref="Key"/>.</summary>
    public ChangeReason Reason { get; }

    /// <summary>
    /// The key that changed, as the collection stores it (for a cache with a custom key comparer,
    /// the form under which the key was first added, not the form a caller passed to remove it).
    /// </summary>
    public TKey Key { get; }

    /// <summary>
    /// The value after the change; for a <see cref="ChangeReason.Remove"/>, the value removed (so
    /// that code reading <see cref="Current"/> sees the item whatever the reason).
    /// </summary>
    public TValue Current { get; }

    /// <summary>
    /// The value before the change: the replaced value for an <see cref="ChangeReason.Update"/>, the
    /// removed value for a <see cref="ChangeReason.Remove"/>, <see langword="default"/> for an
    /// <see cref="ChangeReason.Add"/>.
    /// </summary>
    public TValue? Previous { get; }

    /// <summary>Compares two changes field by field with the default equality comparers.</summary>
    /// <param name="left">A change.</param>
    /// <param name="right">Another change.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(Change<TKey, TValue> left, Change<TKey, TValue> right) => left.Equals(right);

    /// <summary>Compares two changes field by field with the default equality comparers.</summary>
    /// <param name="left">A change.</param>
    /// <param name="right">Another change.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(Change<TKey, TValue> left, Change<TKey, TValue> right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(Change<TKey, TValue> other) =>
        Reason == other.Reason
        && EqualityComparer<TKey>.Default.Equals(Key, other.Key)
        && EqualityComparer<TValue>.Default.Equals(Current, other.Current)
        && EqualityComparer<TValue>.Default.Equals(Previous, other.Previous);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Change<TKey, TValue> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Reason, Key, Current, Previous);

    /// <summary>Describes the change, e.g. <c>Update k: 1 -&gt; 2</c>, for logs and test failures.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => Reason == ChangeReason.Update
        ? $"Update {Key}: {Previous} -> {Current}"
        : $"{Reason} {Key}: {Current}";
}
