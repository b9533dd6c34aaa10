namespace Rx.Network.Reactive;

/// <summary>
/// The state of one <see cref="ChangeSetExtensions.Filter"/> subscription: the items currently
/// passed downstream, so that updates can turn into adds or removes as items enter or leave.
/// </summary>
/// <remarks>
/// Deciding from what was passed, rather than by testing the previous value again, keeps the
/// output consistent even when the predicate is not a pure function of the value.
/// </remarks>
internal sealed class FilterOperator<TKey, TValue>(Func<TValue, bool> predicate)
    where TKey : notnull
{
    private readonly Dictionary<TKey, TValue> _passed = [];

    internal ChangeSet<TKey, TValue> Process(IChangeSet<TKey, TValue> changes)
    {
        var output = new List<Change<TKey, TValue>>();
        foreach (var change in changes)
        {
            bool wasIn = _passed.TryGetValue(change.Key, out var passed);
            bool isIn = change.Reason != ChangeReason.Remove && predicate(change.Current);
            if (isIn)
            {
                _passed[change.Key] = change.Current;
                output.Add(wasIn
                    ? new Change<TKey, TValue>(change.Key, change.Current, passed!)
                    : new Change<TKey, TValue>(ChangeReason.Add, change.Key, change.Current));
            }
            else if (wasIn)
            {
                _passed.Remove(change.Key);
                output.Add(new Change<TKey, TValue>(ChangeReason.Remove, change.Key, passed!));
            }
        }

        return new ChangeSet<TKey, TValue>(output);
    }
}
