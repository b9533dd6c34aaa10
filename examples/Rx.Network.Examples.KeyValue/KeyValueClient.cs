using Google.Protobuf;
using Rx.Network.Examples.KeyValue.Proto;
using Rx.Network.Identity;
using Rx.Network.Protocols;

namespace Rx.Network.Examples.KeyValue;

/// <summary>Reads and writes the keys of a <see cref="KeyValueStore"/> on another peer (dialing it as needed).</summary>
public sealed class KeyValueClient : IDisposable
{
    private readonly RequestReplyService service;

    /// <summary>Creates a client that sends its requests through <paramref name="network"/>.</summary>
    /// <param name="network">The network.</param>
    /// <param name="requestTimeout">How long one request may take; 30 s when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    public KeyValueClient(INetwork network, TimeSpan? requestTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        service = new RequestReplyService(network, KeyValueProtocol.ProtocolId, new RequestReplyOptions
        {
            MaxRequestSize = KeyValueProtocol.MaxMessageSize,
            MaxReplySize = KeyValueProtocol.MaxMessageSize,
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30),
        });
    }

    /// <summary>Reads <paramref name="key"/> from the store on <paramref name="store"/>.</summary>
    /// <param name="store">The peer serving the store.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The value, or <see langword="null"/> if the store does not hold the key.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or above <see cref="KeyValueProtocol.MaxKeyBytes"/>.</exception>
    /// <exception cref="IOException">The peer could not be reached, failed the request or does not serve the protocol.</exception>
    /// <exception cref="FormatException">The reply broke the protocol.</exception>
    public async Task<byte[]?> GetAsync(PeerId store, string key, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(store, KvRequest.Types.Op.Get, key, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        return reply.Status == KvReply.Types.Status.Ok ? reply.Value.ToByteArray() : null;
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, replacing what was there.</summary>
    /// <param name="store">The peer serving the store.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, at most <see cref="KeyValueProtocol.MaxValueSize"/> bytes.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes once the store has the value.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> or <paramref name="value"/> is out of the protocol's limits.</exception>
    /// <exception cref="KeyValueRefusedException">The store refused it (full, or a value above its own limit).</exception>
    /// <exception cref="IOException">The peer could not be reached, failed the request or does not serve the protocol.</exception>
    /// <exception cref="FormatException">The reply broke the protocol.</exception>
    public async Task PutAsync(PeerId store, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        if (value.Length > KeyValueProtocol.MaxValueSize)
        {
            throw new ArgumentException($"A value is at most {KeyValueProtocol.MaxValueSize} bytes.", nameof(value));
        }

        await SendAsync(store, KvRequest.Types.Op.Put, key, value, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes <paramref name="key"/> from the store.</summary>
    /// <param name="store">The peer serving the store.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>Whether the store held the key.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty or above <see cref="KeyValueProtocol.MaxKeyBytes"/>.</exception>
    /// <exception cref="IOException">The peer could not be reached, failed the request or does not serve the protocol.</exception>
    /// <exception cref="FormatException">The reply broke the protocol.</exception>
    public async Task<bool> DeleteAsync(PeerId store, string key, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(store, KvRequest.Types.Op.Delete, key, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        return reply.Status == KvReply.Types.Status.Ok;
    }

    /// <summary>Cancels requests still waiting for replies.</summary>
    public void Dispose() => service.Dispose();

    private async Task<KvReply> SendAsync(PeerId store, KvRequest.Types.Op op, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        if (KeyValueCodec.KeyProblem(key) is { } problem)
        {
            throw new ArgumentException(problem, nameof(key));
        }

        var request = new KvRequest { Op = op, Key = key, Value = ByteString.CopyFrom(value.Span) };
        var reply = await service.RequestAsync(store, request, KeyValueCodec.Encode, KeyValueCodec.DecodeReply, cancellationToken).ConfigureAwait(false);
        return reply.Status == KvReply.Types.Status.Refused
            ? throw new KeyValueRefusedException($"The store on {store} refused the {op.ToString().ToUpperInvariant()}: {reply.Error}")
            : reply;
    }
}
