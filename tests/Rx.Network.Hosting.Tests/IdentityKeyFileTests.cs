using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rx.Network.Identity;

namespace Rx.Network.Hosting.Tests;

public sealed class IdentityKeyFileTests
{
    private static Dictionary<string, string?> Settings(string keyFile) => new()
    {
        ["Listen:0"] = "/ip4/127.0.0.1/tcp/0",
        ["IdentityKeyFile"] = keyFile,
    };

    [Fact]
    public async Task IdentityKeyFile_CreatedOnFirstStartOwnerOnly_KeepsThePeerIdAcrossRestarts()
    {
        using var temp = TestHost.Create();
        string path = Path.Combine(temp.ContentRoot, "keys", "identity.key");

        PeerId first;
        using (var host = temp.Build(Settings("keys/identity.key")))
        {
            await host.StartAsync();
            first = host.Services.GetRequiredService<INetwork>().LocalPeer;
            await host.StopAsync();
        }

        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        // The file is the libp2p protobuf private key of that peer.
        using (var stored = PrivateKey.FromProtobuf(File.ReadAllBytes(path)))
        {
            Assert.Equal(first, PeerId.FromPublicKey(stored.PublicKey));
        }

        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
        byte[] bytes = File.ReadAllBytes(path);

        using (var host = temp.Build(Settings(path)))
        {
            await host.StartAsync();
            Assert.Equal(first, host.Services.GetRequiredService<INetwork>().LocalPeer);
            await host.StopAsync();
        }

        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Contains(temp.Logs.Lines, line => line.Contains($"Created the identity key file {path} for the new peer {first}", StringComparison.Ordinal));
        Assert.Contains(temp.Logs.Lines, line => line.Contains($"Loaded peer {first} from the identity key file {path}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IdentityKeyFile_WrittenByAnotherLibp2pImplementation_IsUsedAsIs()
    {
        using var temp = TestHost.Create();
        using var key = PrivateKey.FromSeed(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        string path = Path.Combine(temp.ContentRoot, "identity.key");
        File.WriteAllBytes(path, key.ToProtobuf());

        using var host = temp.Build(Settings("identity.key"));
        await host.StartAsync();

        Assert.Equal(PeerId.FromPublicKey(key.PublicKey), host.Services.GetRequiredService<INetwork>().LocalPeer);
        await host.StopAsync();
    }

    public static TheoryData<string, byte[]> UnusableFiles => new()
    {
        { "empty", [] },
        { "text", "not a key\n"u8.ToArray() },
        { "truncated", [0x08, 0x01, 0x12, 0x40, 0x01, 0x02] },
        // A well-formed libp2p PrivateKey of another type (Secp256k1 = 2): a foreign key, not ours.
        { "secp256k1", [0x08, 0x02, 0x12, 0x20, .. Enumerable.Repeat((byte)7, 32)] },
        // An Ed25519 key whose public half does not match its seed.
        { "mismatched", [0x08, 0x01, 0x12, 0x40, .. Enumerable.Repeat((byte)1, 32), .. Enumerable.Repeat((byte)2, 32)] },
        { "too large", new byte[64 * 1024] },
    };

    [Theory]
    [MemberData(nameof(UnusableFiles))]
    public async Task IdentityKeyFile_NotAUsableKey_FailsTheStartAndIsLeftAlone(string name, byte[] content)
    {
        using var temp = TestHost.Create();
        string path = Path.Combine(temp.ContentRoot, "identity.key");
        File.WriteAllBytes(path, content);

        using var host = temp.Build(Settings("identity.key"));
        var error = await Assert.ThrowsAsync<IdentityKeyFileException>(() => host.StartAsync());

        Assert.Equal(path, error.Path);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(temp.ContentRoot));
        _ = name;
    }

    [Fact]
    public async Task IdentityKeyFile_InAFolderThatCannotBeCreated_FailsTheStart()
    {
        using var temp = TestHost.Create();
        File.WriteAllText(Path.Combine(temp.ContentRoot, "file"), "a file, not a folder");

        using var host = temp.Build(Settings("file/identity.key"));
        var error = await Assert.ThrowsAsync<IdentityKeyFileException>(() => host.StartAsync());

        Assert.Equal(Path.Combine(temp.ContentRoot, "file", "identity.key"), error.Path);
    }

    [Fact]
    public async Task IdentityKeyFile_ReadableByOthers_IsUsedWithAWarning()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = TestHost.Create();
        using var key = PrivateKey.Generate();
        string path = Path.Combine(temp.ContentRoot, "identity.key");
        File.WriteAllBytes(path, key.ToProtobuf());
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using var host = temp.Build(Settings("identity.key"));
        await host.StartAsync();
        await host.StopAsync();

        Assert.Contains(temp.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("can be read by other users", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IdentityKeyFile_TwoHostsStartingAtOnce_ShareOneIdentity()
    {
        using var temp = TestHost.Create();
        using var a = temp.Build(Settings("identity.key"));
        using var b = temp.Build(Settings("identity.key"));

        await Task.WhenAll(a.StartAsync(), b.StartAsync());

        Assert.Equal(a.Services.GetRequiredService<INetwork>().LocalPeer, b.Services.GetRequiredService<INetwork>().LocalPeer);
        await Task.WhenAll(a.StopAsync(), b.StopAsync());
    }
}
