using Rx.Network.Identity;
using Rx.Network.Security;
using Rx.Network.Security.Tls;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Security;

/// <summary>The secure-channel contract over a real libp2p TLS 1.3 handshake (SslStream underneath).</summary>
public sealed class TlsSecureChannelTests : SecureChannelConformance
{
    internal override async Task<(ISecureChannel A, ISecureChannel B)> CreatePairAsync(SecureChannelOptions? options = null)
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var (left, right) = DuplexPipe.CreatePair();
        var inbound = new TlsSecurity(bob, channelOptions: options).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [], default);
        var outbound = await new TlsSecurity(alice, channelOptions: options).SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), PeerId.FromPublicKey(bob.PublicKey), [], default).WaitAsync(Timeout);
        return (outbound, await inbound.WaitAsync(Timeout));
    }
}
