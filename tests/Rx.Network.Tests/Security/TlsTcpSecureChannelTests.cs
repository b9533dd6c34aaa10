using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Security;
using Rx.Network.Security.Tls;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Security;

/// <summary>
/// The secure-channel contract over TLS on real TCP connections (the in-memory suite,
/// <see cref="TlsSecureChannelTests"/>, has no transport bound) with the smallest receive and send
/// bounds a transport accepts (16 KiB), below a full TLS record (16,406 bytes): the pipe's bound is
/// known (<see cref="IAccountedPipe.InputBound"/>), so SslStream is handed a record in part only
/// once the pipe holds that much. How often a record straddles a full pipe here is up to the
/// socket; PipeStreamTests pins that case exactly.
/// </summary>
public sealed class TlsTcpSecureChannelTests : SecureChannelConformance
{
    private static readonly TcpTransportOptions Smallest = new()
    {
        MaxReceiveBufferSize = TcpTransportOptions.MinBufferSize,
        MaxSendBufferSize = TcpTransportOptions.MinBufferSize,
    };

    internal override async Task<(ISecureChannel A, ISecureChannel B)> CreatePairAsync(SecureChannelOptions? options = null)
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var transport = new TcpTransport(Smallest);
        IRawConnection dialed, accepted;
        await using (var listener = await transport.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")))
        {
            var accepting = listener.AcceptAsync().AsTask();
            dialed = await transport.DialAsync(listener.LocalAddress).WaitAsync(Timeout);
            accepted = (await accepting.WaitAsync(Timeout))!;
        }

        Assert.Equal(TcpTransportOptions.MinBufferSize, ((IAccountedPipe)dialed.Pipe).InputBound);
        var inbound = new TlsSecurity(bob, channelOptions: options).SecureInboundAsync(new RawConnection(accepted.Pipe, accepted, TaskScheduler.Default), [], default);
        var outbound = await new TlsSecurity(alice, channelOptions: options).SecureOutboundAsync(new RawConnection(dialed.Pipe, dialed, TaskScheduler.Default), PeerId.FromPublicKey(bob.PublicKey), [], default).WaitAsync(Timeout);
        return (outbound, await inbound.WaitAsync(Timeout));
    }

    /// <summary>The in-memory bound plus what the kernel may hold for one loopback connection (both socket buffers at their autotuning maximum).</summary>
    internal override long BufferBound(SecureChannelOptions options, int chunk) =>
        base.BufferBound(options, chunk) + KernelMaximum("tcp_rmem") + KernelMaximum("tcp_wmem");

    private static long KernelMaximum(string setting)
    {
        var path = $"/proc/sys/net/ipv4/{setting}";
        return File.Exists(path) && long.TryParse(File.ReadAllText(path).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Last(), out long max) ? max : 64L * 1024 * 1024;
    }
}
