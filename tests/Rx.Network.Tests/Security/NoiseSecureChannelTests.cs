using Rx.Network.Identity;
using Rx.Network.Security;
using Rx.Network.Security.Noise;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Security;

/// <summary>The secure-channel contract over a real Noise handshake and the Noise frame codec.</summary>
public sealed class NoiseSecureChannelTests : SecureChannelConformance
{
    internal override async Task<(ISecureChannel A, ISecureChannel B)> CreatePairAsync(SecureChannelOptions? options = null)
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var (left, right) = DuplexPipe.CreatePair();
        var inbound = new NoiseSecurity(bob, channelOptions: options).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [], default);
        var outbound = await new NoiseSecurity(alice, channelOptions: options).SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), PeerId.FromPublicKey(bob.PublicKey), [], default).WaitAsync(Timeout);
        return (outbound, await inbound.WaitAsync(Timeout));
    }
}
