using Rx.Network.Identity;
using Rx.Network.Security;
using Rx.Network.Security.Noise;
using Rx.Network.Transports;

namespace Rx.Network.Benchmarks.Pipeline;

/// <summary>Connected secure-channel pairs over in-memory pipes: the connection stack without sockets.</summary>
internal static class ChannelPairs
{
    private static readonly PrivateKey KeyA = PrivateKey.FromSeed(new byte[32]);
    private static readonly PrivateKey KeyB = PrivateKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());

    /// <summary>The pass-through codec (what <c>/plaintext/2.0.0</c> runs after its handshake).</summary>
    public static (ISecureChannel A, ISecureChannel B) Plaintext()
    {
        var (pa, pb) = DuplexPipe.CreatePair(Pipes.ConnectionLike);
        var peerA = PeerId.FromPublicKey(KeyA.PublicKey);
        var peerB = PeerId.FromPublicKey(KeyB.PublicKey);
        var a = new SecureChannel(pa, PassThroughCodec.Instance, PassThroughCodec.Instance, new SecureSession(peerA, peerB, KeyB.PublicKey, "/plaintext/2.0.0", null), TaskScheduler.Default);
        var b = new SecureChannel(pb, PassThroughCodec.Instance, PassThroughCodec.Instance, new SecureSession(peerB, peerA, KeyA.PublicKey, "/plaintext/2.0.0", null), TaskScheduler.Default);
        return (a, b);
    }

    /// <summary>A real Noise XX handshake, then the Noise frame codec.</summary>
    public static async Task<(ISecureChannel A, ISecureChannel B)> NoiseAsync()
    {
        var (pa, pb) = DuplexPipe.CreatePair(Pipes.ConnectionLike);
        var inbound = new NoiseSecurity(KeyB).SecureInboundAsync(new RawConnection(pb, null, TaskScheduler.Default), [], default);
        var outbound = await new NoiseSecurity(KeyA)
            .SecureOutboundAsync(new RawConnection(pa, null, TaskScheduler.Default), PeerId.FromPublicKey(KeyB.PublicKey), [], default)
            .ConfigureAwait(false);
        return (outbound, await inbound.ConfigureAwait(false));
    }
}
