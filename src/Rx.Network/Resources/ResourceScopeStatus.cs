namespace Rx.Network.Resources;

/// <summary>A row of <see cref="IResourceManager.Scopes"/>: one scope with its usage and limits.</summary>
/// <param name="Name">
/// The scope's name, its key in the cache: <c>system</c>, <c>transient</c>,
/// <c>address:203.0.113.7/32</c> (or an IPv6 <c>/56</c> or <c>/48</c> prefix), <c>peer:&lt;id&gt;</c>,
/// <c>connection:&lt;id&gt;</c>, <c>protocol:&lt;id&gt;</c>, <c>protocol-peer:&lt;protocol&gt;@&lt;peer&gt;</c>.
/// </param>
/// <param name="Kind">The scope's kind.</param>
/// <param name="Usage">What it held when the row was published.</param>
/// <param name="Limits">Its limits.</param>
public sealed record ResourceScopeStatus(string Name, ScopeKind Kind, ScopeUsage Usage, ScopeLimits Limits);
