using System.Reactive.Subjects;
using Google.Protobuf;
using Rx.Network.Examples.KeyValue.Proto;
using Rx.Network.Protocols;

namespace Rx.Network.Examples.KeyValue;

/// <summary>
/// Serves <see cref="KeyValueProtocol.ProtocolId"/> on a network: an in-memory map of string keys
/// to byte values that peers read and write with GET, PUT and DELETE. Every change is published
/// on <see cref="Changes"/>. Bounded: at most <c>maxEntries</c> keys and <c>maxValueSize</c> bytes
/// per value; requests past them are refused with a reason.
/// </summary>
public sealed class KeyValueStore : IDisposable
{
    private readonly Dictionary<string, byte[]> entries = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly ISubject<KeyValueChange> changes = Subject.Synchronize(new Subject<KeyValueChange>());
    private readonly RequestReplyService service;
    private readonly int maxEntries;
    private readonly int maxValueSize;

    /// <summary>Starts serving on <paramref name="network"/>.</summary>
    /// <param name="network">The network.</param>
    /// <param name="maxEntries">The most keys held; a PUT of a new key past it is refused. Default 10,000.</param>
    /// <param name="maxValueSize">The largest value accepted, at most <see cref="KeyValueProtocol.MaxValueSize"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public KeyValueStore(INetwork network, int maxEntries = 10_000, int maxValueSize = KeyValueProtocol.MaxValueSize)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxValueSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxValueSize, KeyValueProtocol.MaxValueSize);
        this.maxEntries = maxEntries;
        this.maxValueSize = maxValueSize;
        var options = new RequestReplyOptions
        {
            MaxRequestSize = KeyValueProtocol.MaxMessageSize,
            MaxReplySize = KeyValueProtocol.MaxMessageSize,
        };
        service = new RequestReplyService(network, KeyValueProtocol.ProtocolId, HandleAsync, options);
    }

    /// <summary>Hot: every change made on a peer's request, in the order made. Completes when the store is disposed.</summary>
    public IObservable<KeyValueChange> Changes => changes;

    /// <summary>How many keys the store holds.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    /// <summary>Stops serving and completes <see cref="Changes"/>.</summary>
    public void Dispose()
    {
        service.Dispose();
        changes.OnCompleted();
    }

    private Task<ReadOnlyMemory<byte>> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        // A request that does not parse throws here: the service resets the stream.
        var request = KeyValueCodec.DecodeRequest(context.Request);
        var (reply, change) = Apply(request, context);
        if (change is not null)
        {
            changes.OnNext(change);
        }

        return Task.FromResult(KeyValueCodec.Encode(reply));
    }

    private (KvReply Reply, KeyValueChange? Change) Apply(KvRequest request, RequestContext context)
    {
        lock (gate)
        {
            switch (request.Op)
            {
                case KvRequest.Types.Op.Get:
                    return entries.TryGetValue(request.Key, out var value)
                        ? (new KvReply { Status = KvReply.Types.Status.Ok, Value = ByteString.CopyFrom(value) }, null)
                        : (new KvReply { Status = KvReply.Types.Status.NotFound }, null);

                case KvRequest.Types.Op.Put:
                    if (request.Value.Length > maxValueSize)
                    {
                        return (Refused($"a value is at most {maxValueSize} bytes here, not {request.Value.Length}"), null);
                    }

                    if (!entries.ContainsKey(request.Key) && entries.Count >= maxEntries)
                    {
                        return (Refused($"the store is full ({maxEntries} keys)"), null);
                    }

                    var stored = request.Value.ToByteArray();
                    entries[request.Key] = stored;
                    return (new KvReply { Status = KvReply.Types.Status.Ok }, new KeyValueChange(context.RemotePeer, request.Key, stored));

                default:
                    return entries.Remove(request.Key)
                        ? (new KvReply { Status = KvReply.Types.Status.Ok }, new KeyValueChange(context.RemotePeer, request.Key, null))
                        : (new KvReply { Status = KvReply.Types.Status.NotFound }, null);
            }
        }
    }

    private static KvReply Refused(string reason) => new() { Status = KvReply.Types.Status.Refused, Error = reason };
}
