using Rx.Network.Reactive;

namespace Rx.Network.Tests.Reactive;

/// <summary>
/// Records the change sets an observable sends and replays them into a dictionary, checking each
/// change against the state so far: an Add names an absent key, an Update or Remove a present key
/// whose value is the change's Previous. Any violation (a duplicate, a gap, a broken Previous
/// chain, an empty change set, concurrent delivery) is kept in <see cref="Violations"/>.
/// </summary>
internal sealed class ChangeSetReplayer<TKey, TValue> : IObserver<IChangeSet<TKey, TValue>>
    where TKey : notnull
{
    private readonly Dictionary<TKey, TValue> _state;
    private int _inside;

    public ChangeSetReplayer(IEqualityComparer<TKey>? comparer = null) => _state = new(comparer);

    public List<IChangeSet<TKey, TValue>> ChangeSets { get; } = [];

    public List<string> Violations { get; } = [];

    public Exception? Error { get; private set; }

    public bool Completed { get; private set; }

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyDictionary<TKey, TValue> State => _state;

    public void OnNext(IChangeSet<TKey, TValue> value)
    {
        if (Interlocked.Exchange(ref _inside, 1) != 0)
        {
            Violations.Add("OnNext called concurrently");
        }

        if (Completed || Error is not null)
        {
            Violations.Add("OnNext after the end of the sequence");
        }

        if (value.Count == 0)
        {
            Violations.Add("empty change set");
        }

        if (value.Adds + value.Updates + value.Removes != value.Count)
        {
            Violations.Add("counts do not add up");
        }

        ChangeSets.Add(value);
        foreach (var change in value)
        {
            Apply(change);
        }

        Volatile.Write(ref _inside, 0);
    }

    public void OnError(Exception error)
    {
        Error = error;
        Done.TrySetResult();
    }

    public void OnCompleted()
    {
        Completed = true;
        Done.TrySetResult();
    }

    /// <summary>Asserts no violation, no error, and that the replayed state is <paramref name="expected"/>.</summary>
    public void AssertState(IEnumerable<KeyValuePair<TKey, TValue>> expected)
    {
        Assert.Empty(Violations);
        Assert.Null(Error);
        Assert.Equal(
            expected.OrderBy(p => p.Key).ToArray(),
            _state.OrderBy(p => p.Key).ToArray());
    }

    private void Apply(Change<TKey, TValue> change)
    {
        bool present = _state.TryGetValue(change.Key, out var current);
        switch (change.Reason)
        {
            case ChangeReason.Add:
                if (present)
                {
                    Violations.Add($"{change}: key already present");
                }

                _state[change.Key] = change.Current;
                break;
            case ChangeReason.Update:
                if (!present || !EqualityComparer<TValue>.Default.Equals(current, change.Previous))
                {
                    Violations.Add($"{change}: previous value was {(present ? current : "absent")}");
                }

                _state[change.Key] = change.Current;
                break;
            case ChangeReason.Remove:
                if (!present || !EqualityComparer<TValue>.Default.Equals(current, change.Previous)
                    || !EqualityComparer<TValue>.Default.Equals(change.Current, change.Previous))
                {
                    Violations.Add($"{change}: previous value was {(present ? current : "absent")}");
                }

                _state.Remove(change.Key);
                break;
            default:
                Violations.Add($"{change}: unknown reason");
                break;
        }
    }
}
