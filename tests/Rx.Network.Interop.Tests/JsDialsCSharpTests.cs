using Rx.Network.Interop.Tests.Fixture;

namespace Rx.Network.Interop.Tests;

/// <summary>A js-libp2p 3.x dialer runs its checks against a C# listener.</summary>
[Trait("Category", "Interop")]
public sealed class JsDialsCSharpTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task JsDialer_PingEchoStreamsResetAndWrongPeer_AllPass()
    {
        await using var node = await InteropNode.StartAsync();
        var resets = new List<StreamClosed>();
        var sawJsReset = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = node.Network.Events.Subscribe(e =>
        {
            if (e is StreamClosed { Error: StreamResetException { Remote: true } } closed && closed.Stream.Protocol == InteropNode.Echo)
            {
                sawJsReset.TrySetResult();
            }
        });
        string[] checks = ["ping", "echo", "streams", "reset", "sink", "wrong-peer"];

        var result = await JsPeer.RunDialAsync(node.Address, checks, bytes: 8 * 1024 * 1024, streams: 200, streamBytes: 4096);

        Assert.True(result.AllPassed, result.Describe());
        Assert.Equal(8 * 1024 * 1024, result["echo"].GetInt64("bytes"));
        Assert.Equal(200, result["streams"].GetInt64("streams"));

        // js's reset check aborts an echo stream: the C# side must see a remote reset.
        await sawJsReset.Task.WaitAsync(Timeout);
    }
}
