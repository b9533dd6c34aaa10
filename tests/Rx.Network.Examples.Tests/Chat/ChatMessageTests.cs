using Rx.Network.Examples.Chat;
using Rx.Network.Identity;

namespace Rx.Network.Examples.Tests.Chat;

public sealed class ChatMessageTests
{
    [Fact]
    public void ShortId_IsTheLastCharactersOfThePeerId()
    {
        using var key = PrivateKey.Generate();
        var peer = PeerId.FromPublicKey(key.PublicKey);

        var shortId = ChatMessage.ShortId(peer);

        Assert.Equal(ChatMessage.ShortIdLength, shortId.Length);
        Assert.EndsWith(shortId, peer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_IsTheLineTheProgramPrints()
    {
        using var key = PrivateKey.Generate();
        var peer = PeerId.FromPublicKey(key.PublicKey);

        Assert.Equal($"{ChatMessage.ShortId(peer)}: hi there", new ChatMessage(peer, "hi there").ToString());
    }

    [Fact]
    public void ShortId_NullPeer_Throws() => Assert.Throws<ArgumentNullException>(() => ChatMessage.ShortId(null!));
}
