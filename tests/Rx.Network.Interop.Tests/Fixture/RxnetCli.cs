using System.Text.Json;

namespace Rx.Network.Interop.Tests.Fixture;

/// <summary>Runs the <c>rxnet</c> CLI (built next to the tests) as a child process.</summary>
internal sealed class RxnetCli : IAsyncDisposable
{
    private readonly TaskCompletionSource<JsonElement> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ChildProcess process = null!;

    public string PeerId { get; private set; } = "";

    public string Address { get; private set; } = "";

    /// <summary>Every address the listening line printed.</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    public ChildProcess Process => process;

    private static string Dll => Path.Combine(AppContext.BaseDirectory, "rxnet.dll");

    /// <summary>Starts <c>rxnet listen</c> and waits for its listening line.</summary>
    public static async Task<RxnetCli> ListenAsync(params string[] extraArguments)
    {
        var cli = new RxnetCli();
        cli.process = ChildProcess.Start("dotnet", [Dll, "listen", .. extraArguments], AppContext.BaseDirectory, cli.OnStdoutLine);
        try
        {
            var line = await cli.listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            cli.PeerId = line.GetProperty("peerId").GetString()!;
            cli.Address = line.GetProperty("addrs")[0].GetString()!;
            cli.Addresses = [.. line.GetProperty("addrs").EnumerateArray().Select(a => a.GetString()!)];
            return cli;
        }
        catch
        {
            var stderr = cli.process.StandardError;
            await cli.DisposeAsync();
            throw new InvalidOperationException($"rxnet listen did not start.\nstderr:\n{ChildProcess.Tail(stderr)}");
        }
    }

    /// <summary>Runs <c>rxnet dial</c> to completion and parses its check lines.</summary>
    public static async Task<JsDialResult> DialAsync(string address, string checks, params string[] extraArguments)
    {
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(
            "dotnet", [Dll, "dial", address, "--test", checks, .. extraArguments], AppContext.BaseDirectory, TimeSpan.FromMinutes(4));
        return JsDialResult.Parse(exitCode, stdout, stderr);
    }

    public async ValueTask DisposeAsync() => await process.DisposeAsync();

    private void OnStdoutLine(string line)
    {
        if (JsEventLog.TryParse(line, out var json) && json.TryGetProperty("peerId", out _))
        {
            listening.TrySetResult(json);
        }
    }
}
