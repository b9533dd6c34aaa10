using Rx.Network.Identity;
using Rx.Network.Security;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Security;

public class PlaintextSecurityTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Handshake_ExchangesIdentities()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var (left, right) = DuplexPipe.CreatePair();
        var inbound = new PlaintextSecurity(bob).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [], default);
        var outbound = await new PlaintextSecurity(alice).SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), PeerId.FromPublicKey(bob.PublicKey), [], default).WaitAsync(Timeout);
        var accepted = await inbound.WaitAsync(Timeout);
        Assert.Equal(PeerId.FromPublicKey(bob.PublicKey), outbound.RemotePeer);
        Assert.Equal(alice.PublicKey, accepted.RemotePublicKey);
        Assert.Equal("/plaintext/2.0.0", accepted.SecurityProtocol);
        Assert.Null(accepted.EarlyMuxer);
    }

    [Fact]
    public async Task Handshake_WrongPeer_ThrowsPeerIdMismatch()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var (left, right) = DuplexPipe.CreatePair();
        _ = new PlaintextSecurity(bob).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [], default);
        await Assert.ThrowsAsync<PeerIdMismatchException>(() =>
            new PlaintextSecurity(alice).SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), PeerId.FromPublicKey(alice.PublicKey), [], default).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Handshake_Garbage_ThrowsHandshakeException()
    {
        using var alice = PrivateKey.Generate();
        var (left, right) = DuplexPipe.CreatePair();
        var handshake = new PlaintextSecurity(alice).SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), null, [], default);
        await right.Output.WriteAsync(new byte[] { 5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF });
        await Assert.ThrowsAsync<HandshakeException>(() => handshake.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Handshake_KeyNotMatchingClaimedId_ThrowsHandshakeException()
    {
        using var alice = PrivateKey.Generate();
        using var mallory = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var (left, right) = DuplexPipe.CreatePair();
        var handshake = new PlaintextSecurity(alice).SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), null, [], default);
        var lie = new Rx.Network.Encoding.Proto.Exchange
        {
            Id = Google.Protobuf.ByteString.CopyFrom(PeerId.FromPublicKey(bob.PublicKey).ToBytes()),
            Pubkey = Rx.Network.Encoding.Proto.PublicKey.Parser.ParseFrom(mallory.PublicKey.ToProtobuf()),
        };
        await Rx.Network.Encoding.LengthPrefixed.WriteAsync(right.Output, Google.Protobuf.MessageExtensions.ToByteArray(lie));
        await Assert.ThrowsAsync<HandshakeException>(() => handshake.WaitAsync(Timeout));
    }
}
