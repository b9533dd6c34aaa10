namespace Rx.Network.Tests.Architecture;

/// <summary>
/// The APIs that send work to the thread pool behind a network's back (ADR 0011 §1), and the places
/// library code may still name them.
/// </summary>
public static class ThreadApiUse
{
    /// <summary>The forbidden APIs: a type's full name, and a member name or <c>*</c> for all of them.</summary>
    public static IReadOnlyList<(string Type, string Member)> Forbidden { get; } =
    [
        ("System.Threading.Tasks.Task", "Run"),
        ("System.Threading.Tasks.Task", "Yield"),
        ("System.Threading.Tasks.Task", "get_Factory"),
        ("System.Threading.Tasks.TaskFactory", "StartNew"),
        ("System.Threading.Tasks.TaskScheduler", "get_Default"),
        ("System.Threading.ThreadPool", "*"),
        ("System.IO.Pipelines.PipeScheduler", "get_ThreadPool"),
    ];

    /// <summary>
    /// References to <see cref="Forbidden"/> APIs, each as <c>Type::Member -> Api::Member</c>,
    /// except from the members <paramref name="allowed"/> names (<c>Type::Member</c>, or
    /// <c>Type::*</c> for the whole type; a compiler-generated member counts as the member it came from).
    /// </summary>
    /// <param name="references">The references compiled code makes.</param>
    /// <param name="allowed">The allowed places.</param>
    public static IReadOnlyList<string> Find(IEnumerable<CodeReference> references, IEnumerable<string> allowed)
    {
        var places = allowed.ToHashSet(StringComparer.Ordinal);
        return [.. references
            .Where(r => r.ToMember is not null && Forbidden.Any(f => f.Type == r.ToType && (f.Member == "*" || f.Member == r.ToMember)))
            .Where(r => !places.Contains($"{r.FromType}::*") && !places.Contains($"{r.FromType}::{SourceMember(r.FromMember)}"))
            .Select(r => r.ToString())
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The member a compiler-generated one came from: <c>&lt;RunAsync&gt;d__5.MoveNext</c> and
    /// <c>&lt;&gt;c__DisplayClass3_0.&lt;RunAsync&gt;b__0</c> come from <c>RunAsync</c>; a plain member is itself.
    /// </summary>
    /// <param name="member">A <see cref="CodeReference.FromMember"/>.</param>
    public static string SourceMember(string member)
    {
        for (int i = 0; i + 1 < member.Length; i++)
        {
            if (member[i] == '<' && (char.IsLetter(member[i + 1]) || member[i + 1] == '_'))
            {
                int close = member.IndexOf('>', i);
                return close < 0 ? member : member[(i + 1)..close];
            }
        }

        return member;
    }
}
