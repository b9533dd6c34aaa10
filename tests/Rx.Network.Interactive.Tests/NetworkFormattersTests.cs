using System.Reactive.Concurrency;
using Microsoft.DotNet.Interactive.Formatting;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Mock;
using Rx.Network.Reactive;

namespace Rx.Network.Interactive.Tests;

public sealed class NetworkFormattersTests : IDisposable
{
    private const string Html = "text/html";
    private const string PlainText = "text/plain";

    public NetworkFormattersTests()
    {
        Formatter.ResetToDefault();
        NetworkFormatters.Register();
    }

    public void Dispose() => Formatter.ResetToDefault();

    [Fact]
    public void PeerId_ShowsItsWholeText()
    {
        var peer = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);

        Assert.Equal($"<code>{peer}</code>", peer.ToDisplayString(Html));
        Assert.Equal(peer.ToString(), peer.ToDisplayString(PlainText));
    }

    [Fact]
    public void Multiaddr_ShowsItsText_NotATree()
    {
        var address = Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001");

        Assert.Equal("<code>/ip4/127.0.0.1/tcp/4001</code>", address.ToDisplayString(Html));
        Assert.Equal("/ip4/127.0.0.1/tcp/4001", address.ToDisplayString(PlainText));
    }

    [Fact]
    public void PeerStatuses_AreOneTableRowEach()
    {
        var (a, b) = (PeerId.FromPublicKey(PrivateKey.Generate().PublicKey), PeerId.FromPublicKey(PrivateKey.Generate().PublicKey));
        PeerStatus[] rows = [new(a, Connectedness.Connected, 1, TimeSpan.FromMilliseconds(1.5)), new(b, Connectedness.CannotConnect, 0, null)];

        string html = rows.ToDisplayString(Html);
        string text = rows.ToDisplayString(PlainText);

        Assert.StartsWith("<table><thead><tr><th>Peer</th><th>Connectedness</th><th>Connections</th><th>Latency</th></tr>", html, StringComparison.Ordinal);
        Assert.Equal(2, CountOf(html, "<tr><td>"));
        Assert.Contains($"title=\"{a}\"", html, StringComparison.Ordinal);
        Assert.Contains("<span>1.5 ms</span>", html, StringComparison.Ordinal);
        var lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Matches(@"^Peer\s+Connectedness\s+Connections\s+Latency$", lines[0]);
        Assert.Contains("CannotConnect", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void ResourceScopes_ShowUsageAgainstLimit()
    {
        Rx.Network.Resources.ResourceScopeStatus[] scopes =
        [
            new("system", Rx.Network.Resources.ScopeKind.System, new(3L << 20, 2, 1, 1, 0, 0), Rx.Network.Resources.ResourceLimits.Default.System),
            new("connection:1", Rx.Network.Resources.ScopeKind.Connection, new(512 * 1024, 2, 0, 0, 0, 0), Rx.Network.Resources.ScopeLimits.Unlimited),
        ];

        string html = scopes.ToDisplayString(Html);
        string text = scopes.ToDisplayString(PlainText);

        Assert.StartsWith("<table><thead><tr><th>Scope</th><th>Kind</th><th>Memory</th>", html, StringComparison.Ordinal);
        Assert.Equal(2, CountOf(html, "<tr><td>"));
        Assert.Contains("3 MiB / 128 MiB", html, StringComparison.Ordinal);
        Assert.Contains("512 KiB / ∞", html, StringComparison.Ordinal);
        var lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Contains("2 / 4096", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void ChangeSet_ShowsReasonKeyCurrentAndPrevious_OnceEach()
    {
        var peer = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);
        var cache = new ObservableCache<PeerId, PeerStatus>(status => status.Peer);
        var changes = new List<IChangeSet<PeerId, PeerStatus>>();
        using var subscription = cache.Connect().Subscribe(changes.Add);
        cache.Edit(updater => updater.AddOrUpdate(new PeerStatus(peer, Connectedness.Connected, 1, null)));
        cache.Edit(updater => updater.AddOrUpdate(new PeerStatus(peer, Connectedness.CanConnect, 0, null)));

        string html = changes[^1].ToDisplayString(Html);

        Assert.StartsWith("<table><thead><tr><th>Reason</th><th>Key</th><th>Current</th><th>Previous</th></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<span>Update</span>", html, StringComparison.Ordinal);
        Assert.Contains("CanConnect, 0 conn.", html, StringComparison.Ordinal);
        Assert.Contains("Connected, 1 conn.", html, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(html, $"title=\"{peer}\""));
        Assert.True(html.Length < 1000, $"{html.Length} characters: {html}");
    }

    [Fact]
    public async Task NetworkEvents_AreATable_WithoutTheConnectionsInternals()
    {
        await using var net = new MockNetwork(new HistoricalScheduler(), new MockNetworkOptions { Seed = 1, Identify = null, Ping = false });
        var (a, b) = (net.GenPeer(), net.GenPeer());
        net.LinkPeers(a, b, new LinkOptions { Latency = TimeSpan.FromMilliseconds(10) });
        var events = new List<NetworkEvent>();
        using var recording = a.Events.Subscribe(events.Add);

        await net.ConnectPeersAsync(a, b);
        string one = events.OfType<Connected>().Single().ToDisplayString(Html);
        string all = events.ToDisplayString(Html);

        Assert.StartsWith("<table><thead><tr><th>Time</th><th>Event</th><th>Peer</th><th>Detail</th></tr>", one, StringComparison.Ordinal);
        Assert.Contains("<span>Connected</span>", one, StringComparison.Ordinal);
        Assert.Contains("Outbound /memory/", one, StringComparison.Ordinal);
        Assert.True(one.Length < 1000, $"{one.Length} characters: {one}");
        Assert.DoesNotContain("Task", all, StringComparison.Ordinal);
        Assert.Equal(events.Count, CountOf(all, "<tr><td>"));
    }

    [Fact]
    public void Register_Twice_StillFormatsOnce()
    {
        NetworkFormatters.Register();

        Assert.Equal("<code>/ip4/127.0.0.1/tcp/1</code>", Multiaddr.Parse("/ip4/127.0.0.1/tcp/1").ToDisplayString(Html));
    }

    [Fact]
    public void KernelWarnings_LowerToLevelOne_RefusesAnythingButAKernel()
    {
        Assert.Throws<ArgumentNullException>(() => KernelWarnings.LowerToLevelOne(null!));
        Assert.False(KernelWarnings.LowerToLevelOne(new object()));
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
