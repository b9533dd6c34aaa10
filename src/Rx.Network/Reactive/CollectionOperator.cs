namespace Rx.Network.Reactive;

/// <summary>
/// The state of one <see cref="ChangeSetExtensions.ToCollection"/> subscription: the collection
/// rebuilt by replaying the change sets.
/// </summary>
internal sealed class CollectionOperator<TKey, TValue>
    where TKey : notnull
{
    private readonly Dictionary<TKey, TValue> _items = [];

    internal IReadOnlyCollection<TValue> Process(IChangeSet<TKey, TValue> changes)
    {
        foreach (var change in changes)
        {
            if (change.Reason == ChangeReason.Remove)
            {
                _items.Remove(change.Key);
            }
            else
            {
                _items[change.Key] = change.Current;
            }
        }

        return _items.Values.ToArray();
    }
}
