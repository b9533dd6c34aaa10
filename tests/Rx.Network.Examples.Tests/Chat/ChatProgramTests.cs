using System.Text.RegularExpressions;
using Rx.Network.Examples.Chat;
using Rx.Network.Examples.Tests.Fixture;

namespace Rx.Network.Examples.Tests.Chat;

/// <summary>The chat program itself: two `dotnet chat.dll` processes talking over loopback.</summary>
public sealed partial class ChatProgramTests
{
    [Fact]
    public async Task ListenAndConnect_ExchangeLinesBothWays_AndBothEndWhenOneLeaves()
    {
        await using var listener = ExampleProcess.Start("chat", AppContext.BaseDirectory, "listen");
        var (listenerId, address) = await listener.WaitForListeningAsync();
        await using var connector = ExampleProcess.Start("chat", AppContext.BaseDirectory, "connect", address);

        var (toListener, connectorShort) = ParseConnected(await connector.WaitForLineAsync(l => l.StartsWith("* connected", StringComparison.Ordinal), "connected line"));
        var (toConnector, listenerShort) = ParseConnected(await listener.WaitForLineAsync(l => l.StartsWith("* connected", StringComparison.Ordinal), "connected line"));
        Assert.Equal(ChatMessage.ShortId(Identity.PeerId.Parse(listenerId)), listenerShort);
        Assert.Equal(listenerShort, toListener);
        Assert.Equal(connectorShort, toConnector);

        await connector.WriteLineAsync("hello from the connector");
        Assert.Equal($"{connectorShort}: hello from the connector", await listener.WaitForLineAsync(IsMessage, "message"));

        await listener.WriteLineAsync("hello back \u001b[31m");
        Assert.Equal($"{listenerShort}: hello back ?[31m", await connector.WaitForLineAsync(IsMessage, "message"));

        connector.CloseInput();
        Assert.Equal($"* {connectorShort} left", await listener.WaitForLineAsync(l => l.EndsWith(" left", StringComparison.Ordinal), "left line"));
        Assert.Equal(0, await listener.WaitForExitAsync());
        Assert.Equal(0, await connector.WaitForExitAsync());
        Assert.Contains("* bye", connector.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_AddressWithoutPeerId_ExitsWithUsageError()
    {
        var (exitCode, output) = await ExampleProcess.RunAsync("chat", AppContext.BaseDirectory, "connect", "/ip4/127.0.0.1/tcp/1");

        Assert.Equal(2, exitCode);
        Assert.Contains("/p2p/<peer id>", output, StringComparison.Ordinal);
    }

    private static bool IsMessage(string line) => !line.StartsWith("* ", StringComparison.Ordinal);

    /// <summary>Parses "* connected to THEM (you are US); …".</summary>
    private static (string Them, string Us) ParseConnected(string line)
    {
        var match = ConnectedLine().Match(line);
        Assert.True(match.Success, line);
        return (match.Groups[1].Value, match.Groups[2].Value);
    }

    [GeneratedRegex(@"^\* connected to (\S+) \(you are (\S+)\)")]
    private static partial Regex ConnectedLine();
}
