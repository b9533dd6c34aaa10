using System.Security.Cryptography;
using Rx.Network.Examples.Tests.Fixture;

namespace Rx.Network.Examples.Tests.FileTransfer;

/// <summary>The file transfer program itself: `dotnet filetransfer.dll receive` and `send` as processes.</summary>
public sealed class FileTransferProgramTests : IDisposable
{
    private readonly TemporaryDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task SendAndReceive_FewMegabytes_ArriveVerified_WithPlainProgressLines()
    {
        var content = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        await File.WriteAllBytesAsync(temp["payload.bin"], content);
        await using var receiver = ExampleProcess.Start("filetransfer", temp.Path, "receive", "--dir", temp["inbox"]);
        var (_, address) = await receiver.WaitForListeningAsync();

        var (exitCode, output) = await ExampleProcess.RunAsync("filetransfer", temp.Path, "send", temp["payload.bin"], "--to", address);

        Assert.True(exitCode == 0, output);
        Assert.Contains("sent 50% (", output, StringComparison.Ordinal);
        Assert.Contains($"ok: stored 'payload.bin' ({content.Length} bytes, SHA-256 verified)", output, StringComparison.Ordinal);
        var received = await receiver.WaitForLineAsync(l => l.StartsWith("received ", StringComparison.Ordinal), "received line");
        Assert.Contains("'payload.bin'", received, StringComparison.Ordinal);
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(temp["inbox"], "payload.bin")));
        Assert.Equal(["payload.bin"], temp.Entries("inbox"));
        receiver.CloseInput();
        Assert.Equal(0, await receiver.WaitForExitAsync());
    }

    [Fact]
    public async Task Send_FileAboveTheReceiversLimit_FailsWithExitCodeOne()
    {
        await File.WriteAllBytesAsync(temp["big.bin"], new byte[5000]);
        await using var receiver = ExampleProcess.Start("filetransfer", temp.Path, "receive", "--dir", temp["inbox"], "--max-size", "4096");
        var (_, address) = await receiver.WaitForListeningAsync();

        var (exitCode, output) = await ExampleProcess.RunAsync("filetransfer", temp.Path, "send", temp["big.bin"], "--to", address);

        Assert.True(exitCode == 1, output);
        Assert.Contains("failed: refused 'big.bin': 5000 bytes is above the limit of 4096", output, StringComparison.Ordinal);
        Assert.Contains("failed 'big.bin'", await receiver.WaitForLineAsync(l => l.StartsWith("failed ", StringComparison.Ordinal), "failed line"), StringComparison.Ordinal);
        Assert.Empty(temp.Entries("inbox"));
    }
}
