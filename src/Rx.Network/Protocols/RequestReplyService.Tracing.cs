using System.Diagnostics;
using Rx.Network.Identity;
using Rx.Network.Swarm;

namespace Rx.Network.Protocols;

/// <summary>The request/reply exchanges inside <c>rxnet.request</c> spans, taken only while something listens (<see cref="NetworkTracing"/>).</summary>
public sealed partial class RequestReplyService
{
    /// <summary><see cref="RequestCoreAsync"/>, inside a client span when traced.</summary>
    private Task<ReadOnlyMemory<byte>> RequestTracedAsync(PeerId peer, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        return NetworkTracing.IsEnabled ? TracedAsync() : RequestCoreAsync(peer, request, cancellationToken);

        async Task<ReadOnlyMemory<byte>> TracedAsync()
        {
            using var activity = NetworkTracing.StartRequest(ActivityKind.Client, Protocol, peer, request.Length);
            try
            {
                var reply = await RequestCoreAsync(peer, request, cancellationToken).ConfigureAwait(false);
                activity?.SetTag(NetworkTracing.ReplySizeTag, reply.Length);
                return reply;
            }
            catch (Exception e)
            {
                NetworkTracing.Failed(activity, e);
                throw;
            }
        }
    }

    /// <summary><see cref="ServeAsync"/>, inside a server span when traced.</summary>
    private Task ServeTracedAsync(IStream stream)
    {
        return NetworkTracing.IsEnabled ? TracedAsync() : ServeAsync(stream);

        async Task TracedAsync()
        {
            using var activity = NetworkTracing.StartRequest(ActivityKind.Server, Protocol, stream.Connection.RemotePeer, requestSize: -1);
            try
            {
                await ServeAsync(stream).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                NetworkTracing.Failed(activity, e);
                throw;
            }
        }
    }
}
