using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Addressing;
using Rx.Network.Interop.Tests.Fixture;

namespace Rx.Network.Interop.Tests;

/// <summary>
/// A real browser: js-libp2p 3.3 with @libp2p/websockets, Noise and yamux, bundled by esbuild and
/// run in Debian's headless Chromium (puppeteer-core), dials a .NET node over /ws: ping, identify,
/// a 1 MiB echo, 50 concurrent streams, and the node opens a stream back to the browser over the
/// same connection (tests/interop/js-peer/browser).
/// </summary>
[Trait("Category", "Interop")]
public sealed class BrowserInteropTests
{
    private const string BrowserEcho = "/rxnet/browser-echo/1.0.0";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Chromium_DialsTheNodeOverWs_AndTheNodeStreamsBack()
    {
        var chromium = await Chromium.EnsureInstalledAsync();
        await JsPeerEnvironment.EnsureInstalledAsync();
        await using var node = await InteropNode.StartAsync(listenAddress: "/ip4/127.0.0.1/tcp/0/ws");

        // As soon as the browser's connection is up, open a stream back to it on that connection.
        var reverse = node.Network.Events.OfType<Connected>()
            .Where(c => c.Connection.Direction == Direction.Inbound)
            .FirstAsync()
            .SelectMany(c => EchoBackAsync(c.Connection))
            .ToTask();

        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(
            "node",
            [Path.Combine(JsPeerEnvironment.PeerDirectory, "browser", "run.mjs"), node.Address, "--chromium", chromium, "--timeout-ms", "120000"],
            JsPeerEnvironment.PeerDirectory,
            Timeout);
        var result = JsDialResult.Parse(exitCode, stdout, stderr);

        Assert.True(result.AllPassed, result.Describe());
        Assert.Contains("HeadlessChrome", result["start"].GetString("userAgent"), StringComparison.Ordinal);
        Assert.Contains("/ws/p2p/", result["dial"].GetString("remoteAddr"), StringComparison.Ordinal);
        Assert.Equal("/noise", result["dial"].GetString("encryption"));
        Assert.StartsWith("rx-network/", result["identify"].GetString("agentVersion"), StringComparison.Ordinal);
        Assert.Contains(InteropNode.Echo, result["identify"].GetStrings("protocols"));
        Assert.Contains("/ipfs/ping/1.0.0", result["identify"].GetStrings("protocols"));
        Assert.Equal(1024 * 1024, result["echo"].GetInt64("bytes"));
        Assert.Equal(50, result["streams"].GetInt64("streams"));
        Assert.Equal(1, result["reverse"].GetInt64("connections"));

        var (connection, echoed) = await reverse.WaitAsync(Timeout);
        Assert.True(connection.RemoteAddress.Contains(MultiaddrProtocol.Ws));
        Assert.Equal(ReversePayload.Length, echoed);
        Assert.Equal(ReversePayload.Length, result["reverse"].GetInt64("bytes"));
    }

    private static readonly byte[] ReversePayload = InteropNode.Random(64 * 1024 + 3);

    /// <summary>Sends <see cref="ReversePayload"/> on a new stream to the browser and checks its echo.</summary>
    private static async Task<(IConnection Connection, int Echoed)> EchoBackAsync(IConnection connection)
    {
        var stream = await connection.NewStreamAsync([BrowserEcho]).WaitAsync(Timeout);
        await using (stream)
        {
            await stream.WriteAsync(ReversePayload);
            await stream.CloseWriteAsync();
            var received = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout)) > 0)
            {
                received.Write(buffer, 0, read);
            }

            Assert.Equal(ReversePayload, received.ToArray());
            return (connection, (int)received.Length);
        }
    }
}
