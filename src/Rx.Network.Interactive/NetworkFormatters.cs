using System.Collections;
using Microsoft.DotNet.Interactive.Formatting;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Reactive;
using Rx.Network.Resources;

namespace Rx.Network.Interactive;

/// <summary>
/// .NET Interactive formatters for the values of Rx.Network that a notebook shows: peer IDs and
/// multiaddrs as their text, <see cref="PeerStatus"/> rows, resource scopes, change sets, network events,
/// connections and streams as tables (HTML in a notebook, aligned columns as plain text) instead
/// of the kernel's default tree of every property.
/// </summary>
/// <remarks>
/// Referencing the package in a notebook (<c>#r "nuget: Rx.Network.Interactive, …"</c>) calls
/// <see cref="Register"/> through the package's <c>interactive-extensions/dotnet/extension.dib</c>;
/// call it yourself where the package is referenced another way. The kernel supplies
/// Microsoft.DotNet.Interactive.Formatting: outside a kernel there is nothing to register with.
/// </remarks>
public static class NetworkFormatters
{
    private const string Html = "text/html";
    private const string PlainText = "text/plain";

    /// <summary>
    /// Registers the formatters with <see cref="Formatter"/> for <c>text/html</c> and <c>text/plain</c>.
    /// Calling it again registers them again (the newest registration wins), which is harmless.
    /// </summary>
    public static void Register()
    {
        Register<PeerId>(peer => new Cell(peer.ToString(), IsCode: true), peer => peer.ToString());
        Register<Multiaddr>(Cells.Address, address => address.ToString());
        Register<PeerStatus>(status => Tables.PeerStatuses([status]));
        Register<IEnumerable<PeerStatus>>(Tables.PeerStatuses);
        Register<NetworkEvent>(e => Tables.Events([e]));
        Register<IEnumerable<NetworkEvent>>(Tables.Events);
        Register<IConnection>(connection => Tables.Connections([connection]));
        Register<IEnumerable<IConnection>>(Tables.Connections);
        Register<IStream>(stream => Tables.Streams([stream]));
        Register<IEnumerable<IStream>>(Tables.Streams);
        Register<ResourceScopeStatus>(scope => Tables.ResourceScopes([scope]));
        Register<IEnumerable<ResourceScopeStatus>>(Tables.ResourceScopes);
        RegisterOpen(typeof(Change<,>), change => Tables.Changes(new[] { change }));
        RegisterOpen(typeof(IChangeSet<,>), changes => Tables.Changes((IEnumerable)changes));
    }

    private static void Register<T>(Func<T, Table> table)
    {
        Formatter.Register<T>((value, writer) => table(value).WriteHtml(writer), Html);
        Formatter.Register<T>((value, writer) => table(value).WritePlainText(writer), PlainText);
    }

    private static void Register<T>(Func<T, Cell> html, Func<T, string> text)
    {
        Formatter.Register<T>((value, writer) => html(value).WriteHtml(writer), Html);
        Formatter.Register<T>((value, writer) => writer.Write(text(value)), PlainText);
    }

    private static void RegisterOpen(Type type, Func<object, Table> table)
    {
        Formatter.Register(type, (value, writer) => table(value).WriteHtml(writer), Html);
        Formatter.Register(type, (value, writer) => table(value).WritePlainText(writer), PlainText);
    }
}
