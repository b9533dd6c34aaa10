namespace Rx.Network.Tests.Architecture;

/// <summary>
/// One reference that compiled code makes: the member of a type of the assembly that makes it, and
/// the type (and member, when a member is named) it refers to.
/// </summary>
/// <param name="FromType">The referring type's outermost declaring type, full name (<c>Namespace.Type</c>).</param>
/// <param name="FromMember">Where in that type the reference is: a member name, <c>(type)</c> for the
/// type's own base, interfaces and attributes; inside a nested or compiler-generated type, its name
/// first (<c>&lt;RunAsync&gt;d__5.MoveNext</c>).</param>
/// <param name="ToType">The referenced type's full name, nested names after <c>+</c>
/// (<c>Rx.Network.Swarm.SwarmNetwork+Dial</c>); generic arguments are separate references.</param>
/// <param name="ToMember">The referenced member's name (<c>Run</c>, <c>get_Default</c>, <c>.ctor</c>),
/// or null when only the type is named (a signature, a cast, a base type).</param>
public sealed record CodeReference(string FromType, string FromMember, string ToType, string? ToMember)
{
    /// <summary>The namespace of <see cref="FromType"/>.</summary>
    public string FromNamespace => NamespaceOf(FromType);

    /// <summary>The namespace of <see cref="ToType"/>.</summary>
    public string ToNamespace => NamespaceOf(ToType);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{FromType}::{FromMember} -> {ToType}{(ToMember is null ? string.Empty : "::" + ToMember)}";

    /// <summary>The namespace part of a full type name (empty for the global namespace).</summary>
    public static string NamespaceOf(string fullName)
    {
        int plus = fullName.IndexOf('+', StringComparison.Ordinal);
        string outer = plus < 0 ? fullName : fullName[..plus];
        int dot = outer.LastIndexOf('.');
        return dot < 0 ? string.Empty : outer[..dot];
    }
}
