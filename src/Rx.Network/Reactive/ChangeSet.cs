using System.Collections;

namespace Rx.Network.Reactive;

/// <summary>An immutable list of changes; takes ownership of the list it is given.</summary>
internal sealed class ChangeSet<TKey, TValue> : IChangeSet<TKey, TValue>
    where TKey : notnull
{
    private readonly List<Change<TKey, TValue>> _changes;

    internal ChangeSet(List<Change<TKey, TValue>> changes)
    {
        _changes = changes;
        foreach (var change in changes)
        {
            switch (change.Reason)
            {
                case ChangeReason.Add:
                    Adds++;
                    break;
                case ChangeReason.Update:
                    Updates++;
                    break;
                default:
                    Removes++;
                    break;
            }
        }
    }

    public int Adds { get; }

    public int Updates { get; }

    public int Removes { get; }

    public int Count => _changes.Count;

    public Change<TKey, TValue> this[int index] => _changes[index];

    public IEnumerator<Change<TKey, TValue>> GetEnumerator() => _changes.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{Count} changes ({Adds} adds, {Updates} updates, {Removes} removes)";
}
