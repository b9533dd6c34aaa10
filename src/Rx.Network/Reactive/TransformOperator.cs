namespace Rx.Network.Reactive;

/// <summary>
/// The state of one <see cref="ChangeSetExtensions.Transform"/> subscription: the results produced
/// so far, so that an update or remove reports the result actually sent as its previous value
/// (and the selector runs once per value, never again on an old one).
/// </summary>
internal sealed class TransformOperator<TKey, TValue, TResult>(Func<TValue, TResult> selector)
    where TKey : notnull
{
    private readonly Dictionary<TKey, TResult> _results = [];

    internal ChangeSet<TKey, TResult> Process(IChangeSet<TKey, TValue> changes)
    {
        var output = new List<Change<TKey, TResult>>(changes.Count);
        foreach (var change in changes)
        {
            bool had = _results.TryGetValue(change.Key, out var previous);
            if (change.Reason == ChangeReason.Remove)
            {
                if (had)
                {
                    _results.Remove(change.Key);
                    output.Add(new Change<TKey, TResult>(ChangeReason.Remove, change.Key, previous!));
                }

                continue;
            }

            var result = selector(change.Current);
            _results[change.Key] = result;
            output.Add(had
                ? new Change<TKey, TResult>(change.Key, result, previous!)
                : new Change<TKey, TResult>(ChangeReason.Add, change.Key, result));
        }

        return new ChangeSet<TKey, TResult>(output);
    }
}
