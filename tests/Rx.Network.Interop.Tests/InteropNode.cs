using System.Security.Cryptography;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Peerstore;

namespace Rx.Network.Interop.Tests;

/// <summary>A C# node for interop tests, serving the same test protocols as the js peer.</summary>
internal sealed class InteropNode : IAsyncDisposable
{
    public const string Echo = "/echo/1.0.0";
    public const string Sink = "/sink/1.0.0";
    public const string Reset = "/reset/1.0.0";

    private InteropNode(INetwork network)
    {
        Network = network;
        network.SetStreamHandler(Echo, EchoAsync);
        network.SetStreamHandler(Reset, ResetAsync);
        network.SetStreamHandler(Sink, SinkAsync);
    }

    public INetwork Network { get; }

    public string Address => Network.ListenAddresses[0].WithPeerId(Network.LocalPeer).ToString();

    public static async Task<InteropNode> StartAsync(bool listen = true, string listenAddress = "/ip4/127.0.0.1/tcp/0", params SecurityProtocol[] security)
    {
        var builder = new NetworkBuilder();
        if (security.Length > 0)
        {
            builder.WithSecurity(security);
        }

        if (listen)
        {
            builder.ListenOn(listenAddress);
        }

        return new InteropNode(await builder.StartAsync());
    }

    /// <summary>Records the js peer's address and returns its peer ID.</summary>
    public PeerId AddPeer(string address)
    {
        var multiaddr = Multiaddr.Parse(address);
        var peer = multiaddr.PeerId!;
        Network.Peerstore.AddAddresses(peer, [multiaddr], AddressTtl.Temporary);
        return peer;
    }

    /// <summary>Echoes <paramref name="payload"/> on a new stream and returns what came back.</summary>
    public async Task<byte[]> EchoAsync(PeerId peer, byte[] payload, CancellationToken cancellationToken = default)
    {
        var stream = await Network.NewStreamAsync(peer, [Echo], cancellationToken);
        await using (stream)
        {
            var writing = Task.Run(
                async () =>
                {
                    for (int offset = 0; offset < payload.Length; offset += 65536)
                    {
                        await stream.WriteAsync(payload.AsMemory(offset, Math.Min(65536, payload.Length - offset)), cancellationToken);
                    }

                    await stream.CloseWriteAsync(cancellationToken);
                },
                cancellationToken);
            var received = new MemoryStream();
            var buffer = new byte[65536];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, read);
            }

            await writing;
            return received.ToArray();
        }
    }

    public ValueTask DisposeAsync() => Network.DisposeAsync();

    private static async Task EchoAsync(IStream stream)
    {
        var buffer = new byte[65536];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read));
        }

        await stream.CloseWriteAsync();
    }

    private static async Task ResetAsync(IStream stream)
    {
        await stream.ReadAsync(new byte[1]);
        stream.Reset();
    }

    private static async Task SinkAsync(IStream stream)
    {
        var buffer = new byte[65536];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        var count = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(count, (ulong)total);
        await stream.WriteAsync(count);
        await stream.CloseWriteAsync();
    }

    public static byte[] Random(int length) => RandomNumberGenerator.GetBytes(length);
}
