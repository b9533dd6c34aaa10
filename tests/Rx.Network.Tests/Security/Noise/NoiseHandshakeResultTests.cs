using Rx.Network.Identity;
using Rx.Network.Security.Noise;

namespace Rx.Network.Tests.Security.Noise;

public class NoiseHandshakeResultTests
{
    private static NoiseHandshakeResult Create()
    {
        using var key = PrivateKey.Generate();
        var send = new CipherState();
        var receive = new CipherState();
        send.InitializeKey(new byte[32]);
        receive.InitializeKey(new byte[32]);
        return new NoiseHandshakeResult(key.PublicKey, PeerId.FromPublicKey(key.PublicKey), null, [], new byte[32], send, receive);
    }

    [Fact]
    public void CreateCodec_MovesTheKeysOnce()
    {
        var result = Create();
        var send = result.SendCipher!;
        using var codec = result.CreateCodec();
        Assert.Null(result.SendCipher);
        Assert.Null(result.ReceiveCipher);
        Assert.Same(send, codec.SendCipher);
        Assert.Throws<InvalidOperationException>(() => result.CreateCodec());

        // Disposing the result afterwards leaves the codec's keys alone.
        result.Dispose();
        Assert.True(codec.SendCipher.HasKey);
    }

    [Fact]
    public void Dispose_WipesUnclaimedKeys()
    {
        var result = Create();
        var send = result.SendCipher!;
        result.Dispose();
        Assert.False(send.HasKey);
        Assert.Throws<InvalidOperationException>(() => result.CreateCodec());
    }
}
