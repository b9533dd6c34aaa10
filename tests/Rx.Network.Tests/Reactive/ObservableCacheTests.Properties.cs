using CsCheck;
using Rx.Network.Reactive;

namespace Rx.Network.Tests.Reactive;

/// <content>Random edit sequences checked against a plain dictionary.</content>
public sealed partial class ObservableCacheTests
{
    private enum OpKind
    {
        AddOrUpdate,
        Remove,
        Clear,
    }

    private sealed record Op(OpKind Kind, int Key, int Version);

    private static readonly Gen<Op> GenOp = Gen.Frequency(
        (6, Gen.Select(Gen.Int[0, 7], Gen.Int[0, 3], static (k, v) => new Op(OpKind.AddOrUpdate, k, v))),
        (3, Gen.Int[0, 9].Select(static k => new Op(OpKind.Remove, k, 0))),
        (1, Gen.Const(new Op(OpKind.Clear, 0, 0))));

    // A list of edits, each a list of operations, and the edit after which a late subscriber joins.
    private static readonly Gen<(Op[][] Edits, int JoinAt)> GenScript =
        GenOp.Array[0, 4].Array[0, 25].SelectMany(edits => Gen.Int[0, edits.Length].Select(join => (edits, join)));

    [Fact]
    public void Connect_RandomEdits_ReplayReproducesTheCache()
    {
        GenScript.Sample(script =>
        {
            var (edits, joinAt) = script;
            using var cache = NewCache();
            var model = new Dictionary<string, Item>();
            var all = new ChangeSetReplayer<string, Item>();
            var even = new ChangeSetReplayer<string, Item>();
            var late = new ChangeSetReplayer<string, Item>();
            var watched = new List<Change<string, Item>>();
            IReadOnlyCollection<Item>? collection = null;
            using var s1 = cache.Connect().Subscribe(all);
            using var s2 = cache.Connect(static item => item.Version % 2 == 0).Subscribe(even);
            using var s3 = cache.Watch("k0").Subscribe(watched.Add);
            using var s4 = cache.Connect().ToCollection().Subscribe(c => collection = c);
            IDisposable? s5 = null;
            int effectiveEdits = 0;

            for (int i = 0; i < edits.Length; i++)
            {
                if (i == joinAt)
                {
                    s5 = cache.Connect().Subscribe(late);
                }

                bool changed = false;
                foreach (var op in edits[i])
                {
                    changed |= op.Kind switch
                    {
                        OpKind.AddOrUpdate => Set(model, op),
                        OpKind.Remove => model.Remove($"k{op.Key}"),
                        _ => model.Count > 0 && Clear(model),
                    };
                }

                effectiveEdits += changed ? 1 : 0;
                cache.Edit(u =>
                {
                    foreach (var op in edits[i])
                    {
                        switch (op.Kind)
                        {
                            case OpKind.AddOrUpdate:
                                u.AddOrUpdate(new Item($"k{op.Key}", op.Version));
                                break;
                            case OpKind.Remove:
                                u.Remove($"k{op.Key}");
                                break;
                            default:
                                u.Clear();
                                break;
                        }
                    }
                });
            }

            s5 ??= cache.Connect().Subscribe(late);
            var final = Contents(cache);
            Assert.Equal(model.OrderBy(p => p.Key), final.OrderBy(p => p.Key));
            all.AssertState(final);
            Assert.Equal(effectiveEdits, all.ChangeSets.Count);
            late.AssertState(final);
            even.AssertState(final.Where(p => p.Value.Version % 2 == 0));
            Assert.Equal(
                model.GetValueOrDefault("k0"),
                watched.Count == 0 || watched[^1].Reason == ChangeReason.Remove ? null : watched[^1].Current);
            Assert.Equal(
                all.ChangeSets.Count == 0 ? null : final.Select(p => p.Value).OrderBy(i => i.Key),
                collection?.OrderBy(i => i.Key));
            s5.Dispose();
        }, iter: 300);
    }

    private static bool Set(Dictionary<string, Item> model, Op op)
    {
        model[$"k{op.Key}"] = new Item($"k{op.Key}", op.Version);
        return true;
    }

    private static bool Clear(Dictionary<string, Item> model)
    {
        model.Clear();
        return true;
    }
}
