using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Reactive.Threading.Tasks;
using System.Security.Cryptography;
using Rx.Network.Encoding;
using Rx.Network.Examples.FileTransfer;
using Rx.Network.Examples.Tests.Fixture;

namespace Rx.Network.Examples.Tests.FileTransfer;

/// <summary>FileReceiver fed by FileSender (or by a bare stream) between two real peers on loopback.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes through IAsyncLifetime.DisposeAsync.")]
public sealed class FileReceiverTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = LoopbackPeers.Timeout;
    private readonly TemporaryDirectory temp = new();
    private LoopbackPeers peers = null!;
    private FileReceiver receiver = null!;
    private IConnectableObservable<TransferResult> results = null!;
    private IDisposable resultsConnection = null!;

    private string Inbox => receiver.Directory;

    public async Task InitializeAsync()
    {
        peers = await LoopbackPeers.StartAsync();
        StartReceiver(maxFileSize: 8 << 20);
    }

    public async Task DisposeAsync()
    {
        receiver.Dispose();
        resultsConnection.Dispose();
        await peers.DisposeAsync();
        temp.Dispose();
    }

    [Fact]
    public async Task SendFileAsync_FewMegabytes_IsStoredWithItsNameAndVerified()
    {
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var source = temp["outgoing.bin"];
        await File.WriteAllBytesAsync(source, content);
        var reports = new List<long>();

        var confirmation = await FileSender.SendFileAsync(peers.Dialer, peers.Listener.LocalPeer, source, new Reporter(reports.Add)).WaitAsync(Timeout);

        var result = await NextResultAsync();
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(peers.Dialer.LocalPeer, result.Peer);
        Assert.Equal(("outgoing.bin", content.LongLength), (result.Name, result.Size));
        Assert.Equal(Path.Combine(Inbox, "outgoing.bin"), result.Path);
        Assert.Equal(content, await File.ReadAllBytesAsync(result.Path!));
        Assert.Equal(["outgoing.bin"], temp.Entries("inbox"));
        Assert.Contains("verified", confirmation, StringComparison.Ordinal);
        Assert.Equal(content.LongLength, reports[^1]);
        Assert.Equal(reports.Order(), reports);
    }

    [Fact]
    public async Task SendFileAsync_EmptyFile_IsStored()
    {
        var source = temp["empty.txt"];
        await File.WriteAllBytesAsync(source, []);

        await FileSender.SendFileAsync(peers.Dialer, peers.Listener.LocalPeer, source).WaitAsync(Timeout);

        Assert.Empty(await File.ReadAllBytesAsync(Path.Combine(Inbox, "empty.txt")));
    }

    [Fact]
    public async Task SendAsync_SeveralAtOnce_AreAllStored()
    {
        var contents = Enumerable.Range(0, 4).Select(i => RandomNumberGenerator.GetBytes(200_000 + i)).ToArray();

        await Task.WhenAll(contents.Select((content, i) => SendAsync(Header($"part{i}", content), content))).WaitAsync(Timeout);

        for (int i = 0; i < contents.Length; i++)
        {
            Assert.Equal(contents[i], await File.ReadAllBytesAsync(Path.Combine(Inbox, $"part{i}")));
        }

        Assert.Equal(contents.Length, temp.Entries("inbox").Length);
    }

    [Theory]
    [InlineData("../escaped.txt")]
    [InlineData("..")]
    [InlineData("nested/file.txt")]
    [InlineData("..\\escaped.txt")]
    [InlineData("/tmp/absolute.txt")]
    [InlineData("bell\u0007.txt")]
    public async Task SendAsync_NameThatIsNotAPlainFileName_IsRefusedBeforeAnyByteIsStored(string name)
    {
        var content = RandomNumberGenerator.GetBytes(1000);

        var error = await Assert.ThrowsAsync<FileTransferException>(() => SendAsync(Header(name, content), content));

        Assert.Contains("only a plain file name", error.Message, StringComparison.Ordinal);
        Assert.False((await NextResultAsync()).Succeeded);
        Assert.Equal(["inbox", "sentinel"], temp.Entries());
        Assert.Empty(temp.Entries("inbox"));
    }

    [Fact]
    public async Task SendAsync_WrongChecksum_FailsAndLeavesNoFileBehind()
    {
        var content = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        var header = new FileHeader("corrupt.bin", content.Length, SHA256.HashData(content.AsSpan(1)));

        var error = await Assert.ThrowsAsync<FileTransferException>(() => SendAsync(header, content));

        Assert.Contains("checksum mismatch", error.Message, StringComparison.Ordinal);
        var result = await NextResultAsync();
        Assert.Contains("checksum mismatch", result.Error, StringComparison.Ordinal);
        Assert.Null(result.Path);
        Assert.Empty(temp.Entries("inbox"));
    }

    [Fact]
    public async Task SendAsync_FewerBytesThanAnnounced_FailsAndLeavesNoFileBehind()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        var header = new FileHeader("short.bin", content.Length + 10, SHA256.HashData(content));

        var error = await Assert.ThrowsAsync<FileTransferException>(() => SendAsync(header, content));

        Assert.Contains($"ended after {content.Length} of {content.Length + 10} bytes", error.Message, StringComparison.Ordinal);
        Assert.Empty(temp.Entries("inbox"));
    }

    [Fact]
    public async Task SendAsync_MoreBytesThanAnnounced_FailsAndLeavesNoFileBehind()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        var header = new FileHeader("long.bin", content.Length - 1, SHA256.HashData(content.AsSpan(0, content.Length - 1)));

        var error = await Assert.ThrowsAsync<FileTransferException>(() => SendAsync(header, content));

        Assert.Contains("more than the announced", error.Message, StringComparison.Ordinal);
        Assert.Empty(temp.Entries("inbox"));
    }

    [Fact]
    public async Task SendAsync_AboveTheMaximumSize_IsRefused()
    {
        receiver.Dispose();
        StartReceiver(maxFileSize: 1000);
        var content = RandomNumberGenerator.GetBytes(1001);

        var error = await Assert.ThrowsAsync<FileTransferException>(() => SendAsync(Header("big.bin", content), content));

        Assert.Contains("above the limit of 1000", error.Message, StringComparison.Ordinal);
        Assert.Empty(temp.Entries("inbox"));
    }

    [Fact]
    public async Task SendAsync_ExistingName_IsRefusedAndTheFileKept()
    {
        await File.WriteAllTextAsync(Path.Combine(Inbox, "taken.txt"), "original");
        var content = RandomNumberGenerator.GetBytes(10);

        var error = await Assert.ThrowsAsync<FileTransferException>(() => SendAsync(Header("taken.txt", content), content));

        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
        Assert.Equal("original", await File.ReadAllTextAsync(Path.Combine(Inbox, "taken.txt")));
    }

    [Fact]
    public async Task SendAsync_CanceledMidway_ResetsAndTheReceiverKeepsNothing()
    {
        using var cancel = new CancellationTokenSource();
        var content = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
        var reports = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FileSender.SendAsync(
            peers.Dialer,
            peers.Listener.LocalPeer,
            Header("cut.bin", content),
            new MemoryStream(content),
            new Reporter(_ =>
            {
                if (++reports == 3)
                {
                    cancel.Cancel();
                }
            }),
            cancel.Token).WaitAsync(Timeout));

        var result = await NextResultAsync();
        Assert.False(result.Succeeded);
        Assert.Empty(temp.Entries("inbox"));
    }

    [Fact]
    public async Task Receiver_MalformedHeader_RepliesWithAFailure()
    {
        var stream = await peers.Dialer.NewStreamAsync(peers.Listener.LocalPeer, ["/file/1.0.0"]).WaitAsync(Timeout);
        await using (stream)
        {
            await stream.WriteAsync(LengthPrefixed.Frame([0, 0, 0])).AsTask().WaitAsync(Timeout);

            var reply = TransferReply.Decode((await LengthPrefixed.ReadAsync(stream.AsStream()).AsTask().WaitAsync(Timeout))!);

            Assert.False(reply.Ok);
            Assert.StartsWith("malformed header", reply.Message, StringComparison.Ordinal);
            Assert.False((await NextResultAsync()).Succeeded);
        }
    }

    [Theory]
    [InlineData("a.txt", true)]
    [InlineData("no extension", true)]
    [InlineData(".hidden", true)]
    [InlineData("файл.bin", true)]
    [InlineData("", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("../a", false)]
    [InlineData("a/b", false)]
    [InlineData("a\\b", false)]
    [InlineData("/abs", false)]
    [InlineData("C:x", false)]
    [InlineData("nul\0byte", false)]
    [InlineData("new\nline", false)]
    [InlineData("trailing.", false)]
    [InlineData("trailing ", false)]
    public void IsSafeFileName_AcceptsOnlyPlainFileNames(string name, bool safe)
    {
        Assert.Equal(safe, FileReceiver.IsSafeFileName(name));
    }

    [Fact]
    public async Task Dispose_CompletesTransfers()
    {
        var completed = receiver.Transfers.LastOrDefaultAsync().ToTask();

        receiver.Dispose();

        Assert.Null(await completed.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Members_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new FileReceiver(null!, temp.Path));
        Assert.Throws<ArgumentNullException>(() => new FileReceiver(peers.Listener, null!));
        Assert.Throws<ArgumentException>(() => new FileReceiver(peers.Listener, ""));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FileReceiver(peers.Listener, temp.Path, -1));
        Assert.Throws<ArgumentNullException>(() => FileReceiver.IsSafeFileName(null!));
        var header = Header("x", []);
        var peer = peers.Listener.LocalPeer;
        await Assert.ThrowsAsync<ArgumentNullException>(() => FileSender.SendAsync(null!, peer, header, Stream.Null));
        await Assert.ThrowsAsync<ArgumentNullException>(() => FileSender.SendAsync(peers.Dialer, null!, header, Stream.Null));
        await Assert.ThrowsAsync<ArgumentNullException>(() => FileSender.SendAsync(peers.Dialer, peer, null!, Stream.Null));
        await Assert.ThrowsAsync<ArgumentNullException>(() => FileSender.SendAsync(peers.Dialer, peer, header, null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => FileSender.SendFileAsync(null!, peer, temp["x"]));
        await Assert.ThrowsAsync<ArgumentNullException>(() => FileSender.SendFileAsync(peers.Dialer, null!, temp["x"]));
        await Assert.ThrowsAsync<ArgumentNullException>(() => FileSender.SendFileAsync(peers.Dialer, peer, null!));
    }

    private void StartReceiver(long maxFileSize)
    {
        // A sibling of the inbox, so a name escaping it would land somewhere the tests look.
        File.WriteAllText(temp["sentinel"], "");
        receiver = new FileReceiver(peers.Listener, temp["inbox"], maxFileSize);
        resultsConnection?.Dispose();
        results = receiver.Transfers.Replay();
        resultsConnection = results.Connect();
    }

    private Task<TransferResult> NextResultAsync() => results.FirstAsync().ToTask().WaitAsync(Timeout);

    private Task<string> SendAsync(FileHeader header, byte[] content) =>
        FileSender.SendAsync(peers.Dialer, peers.Listener.LocalPeer, header, new MemoryStream(content)).WaitAsync(Timeout);

    private static FileHeader Header(string name, byte[] content) => new(name, content.Length, SHA256.HashData(content));

    /// <summary>Reports synchronously, in order (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class Reporter(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
