using Rx.Network.Identity;
using Rx.Network.Security;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Security;

/// <summary>The secure-channel contract over the pass-through codec on in-memory pipes.</summary>
public sealed class PlaintextSecureChannelTests : SecureChannelConformance
{
    private static readonly PeerId PeerA = PeerId.Parse("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA");
    private static readonly PeerId PeerB = PeerId.Parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");

    internal override Task<(ISecureChannel A, ISecureChannel B)> CreatePairAsync(SecureChannelOptions? options = null)
    {
        var (pa, pb) = DuplexPipe.CreatePair();
        ISecureChannel a = new SecureChannel(pa, PassThroughCodec.Instance, PassThroughCodec.Instance, new SecureSession(PeerA, PeerB, "/plaintext/2.0.0", null), options);
        ISecureChannel b = new SecureChannel(pb, PassThroughCodec.Instance, PassThroughCodec.Instance, new SecureSession(PeerB, PeerA, "/plaintext/2.0.0", null), options);
        return Task.FromResult((a, b));
    }
}
