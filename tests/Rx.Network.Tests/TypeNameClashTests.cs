using System.Reflection;

namespace Rx.Network.Tests;

/// <summary>
/// A public type of ours whose simple name is also a public type in a namespace that network code
/// nearly always imports makes every such file ambiguous (CS0104) the moment it adds
/// <c>using Rx.Network;</c> (issue #15: <c>ProtocolViolationException</c> and
/// <c>System.Net.ProtocolViolationException</c>). None may clash.
/// </summary>
public sealed class TypeNameClashTests
{
    /// <summary>What a file of network code usually imports, besides the SDK's implicit usings.</summary>
    private static readonly string[] CommonNamespaces =
    [
        "System", "System.IO", "System.IO.Pipelines", "System.Net", "System.Net.Sockets", "System.Net.Security",
        "System.Threading", "System.Threading.Tasks", "System.Threading.Channels", "System.Threading.Tasks.Dataflow",
        "System.Collections.Generic", "System.Linq", "System.Net.Http", "System.Buffers", "System.Text",
        "System.Reactive", "System.Reactive.Linq", "System.Reactive.Concurrency", "System.Reactive.Subjects",
        "System.Security.Cryptography", "System.Diagnostics", "System.Diagnostics.Metrics",
    ];

    [Fact]
    public void NoPublicTypeOfTheLibrary_SharesItsNameWithACommonlyImportedType()
    {
        var framework = new[]
            {
                typeof(object), typeof(Stream), typeof(System.Net.IPAddress), typeof(System.Net.Sockets.Socket),
                typeof(System.Net.Security.SslStream), typeof(System.IO.Pipelines.Pipe), typeof(System.Threading.Channels.Channel),
                typeof(System.Threading.Tasks.Dataflow.BufferBlock<>), typeof(Enumerable), typeof(System.Net.Http.HttpClient),
                typeof(System.Buffers.ArrayPool<>), typeof(System.Text.Encoding), typeof(System.Reactive.Linq.Observable),
                typeof(System.Reactive.Unit), typeof(System.Security.Cryptography.RandomNumberGenerator),
                typeof(System.Diagnostics.Activity), typeof(System.Diagnostics.Metrics.Meter), typeof(List<>),
                typeof(System.Net.ProtocolViolationException),
            }
            .Select(t => t.Assembly)
            .Distinct()
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t.Namespace is not null && CommonNamespaces.Contains(t.Namespace))
            .Select(t => (Name: SimpleName(t), t.FullName))
            .ToLookup(t => t.Name, t => t.FullName);

        var ours = new[] { typeof(INetwork).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => !t.IsNested);

        var clashes = ours
            .Where(t => framework.Contains(SimpleName(t)))
            .Select(t => $"{t.FullName} vs {string.Join(", ", framework[SimpleName(t)])}")
            .ToList();

        Assert.Empty(clashes);
    }

    [Fact]
    public void TheSelfCheck_FindsTheClashThatMotivatedIt()
    {
        // The lookup above must contain System.Net's exception, or the test could not fail.
        var names = typeof(System.Net.ProtocolViolationException).Assembly.GetExportedTypes().Select(SimpleName);
        Assert.Contains("ProtocolViolationException", names);
        Assert.DoesNotContain(typeof(INetwork).Assembly.GetExportedTypes(), t => t.Name == "ProtocolViolationException");
    }

    private static string SimpleName(Type type)
    {
        int tick = type.Name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? type.Name : type.Name[..tick];
    }
}
