using Microsoft.Extensions.Time.Testing;
using Rx.Network.Identity;
using Rx.Network.Security;
using Rx.Network.Security.Noise;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Security.Noise;

public class NoiseSecurityTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Constructor_ChecksArguments()
    {
        using var key = PrivateKey.Generate();
        Assert.Equal("/noise", new NoiseSecurity(key).ProtocolId);
        Assert.Throws<ArgumentNullException>(() => new NoiseSecurity(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NoiseSecurity(key, handshakeTimeout: TimeSpan.Zero));
        _ = new NoiseSecurity(key, handshakeTimeout: Timeout.InfiniteTimeSpan);
    }

    [Fact]
    public async Task SecureOutboundAndInbound_GiveConnectedChannels()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var (left, right) = DuplexPipe.CreatePair();
        var inbound = new NoiseSecurity(bob).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), ["/yamux/1.0.0"], default);
        var outbound = await new NoiseSecurity(alice).SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), PeerId.FromPublicKey(bob.PublicKey), ["/yamux/1.0.0"], default).WaitAsync(TestTimeout);
        var accepted = await inbound.WaitAsync(TestTimeout);

        Assert.Equal(PeerId.FromPublicKey(bob.PublicKey), outbound.RemotePeer);
        Assert.Equal(PeerId.FromPublicKey(alice.PublicKey), accepted.RemotePeer);
        Assert.Equal(alice.PublicKey, accepted.RemotePublicKey);
        Assert.Equal("/yamux/1.0.0", outbound.EarlyMuxer);
        Assert.Equal("/yamux/1.0.0", accepted.EarlyMuxer);

        await SecureChannelConformance.SendAllAsync(outbound, [1, 2, 3], 1);
        Assert.Equal([1, 2, 3], await SecureChannelConformance.ReadAllAsync(accepted, 3));
        outbound.Abort(new IOException("done"));
        accepted.Abort(new IOException("done"));
    }

    [Fact]
    public async Task SecureOutbound_WrongPeer_ThrowsPeerIdMismatch()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        using var carol = PrivateKey.Generate();
        var (left, right) = DuplexPipe.CreatePair();
        var inbound = new NoiseSecurity(bob).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [], default);
        var e = await Assert.ThrowsAsync<PeerIdMismatchException>(() => new NoiseSecurity(alice).SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), PeerId.FromPublicKey(carol.PublicKey), [], default).WaitAsync(TestTimeout));
        Assert.Equal(PeerId.FromPublicKey(bob.PublicKey), e.Actual);
        left.Output.Complete();
        await Assert.ThrowsAsync<HandshakeException>(() => inbound.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task SecureOutbound_UsesConfiguredTimeProvider()
    {
        using var alice = PrivateKey.Generate();
        var time = new FakeTimeProvider();
        var dialer = new NoiseSecurity(alice, timeProvider: time, handshakeTimeout: TimeSpan.FromSeconds(5));
        var (left, right) = NoiseTestKit.CreateConnection();
        var handshake = dialer.SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), null, [], default);
        await NoiseTestKit.ReadFramedAsync(right.Input);
        time.Advance(TimeSpan.FromSeconds(5));
        var e = await Record.ExceptionAsync(() => handshake.WaitAsync(TestTimeout));
        Assert.IsType<TimeoutException>(Assert.IsType<HandshakeException>(e).InnerException);
    }

    [Fact]
    public async Task Handshake_OverManySmallPipeSegments_Succeeds()
    {
        // Regression: a handshake message spanning several pipe segments was measured after the
        // reader advanced past it, when the pipe had already recycled the segments.
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var options = new System.IO.Pipelines.PipeOptions(pool: new TinySegmentPool(), minimumSegmentSize: 16);
        var (left, right) = DuplexPipe.CreatePair(options);
        var inbound = new NoiseSecurity(bob).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), ["/yamux/1.0.0"], default);
        var outbound = await new NoiseSecurity(alice).SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), PeerId.FromPublicKey(bob.PublicKey), ["/yamux/1.0.0"], default).WaitAsync(TestTimeout);
        var accepted = await inbound.WaitAsync(TestTimeout);

        var payload = new byte[100_000];
        Random.Shared.NextBytes(payload);
        var sending = SecureChannelConformance.SendAllAsync(outbound, payload, 3);
        Assert.Equal(payload, await SecureChannelConformance.ReadAllAsync(accepted, payload.Length));
        await sending;
        outbound.Abort(new IOException("done"));
        accepted.Abort(new IOException("done"));
    }
}
