using Rx.Network.Errors;

namespace Rx.Network.Negotiation;

/// <summary>
/// The two roles of multistream-select 1.0, written once over <see cref="IMessageChannel"/>
/// (<see href="https://github.com/libp2p/specs/blob/master/connections/README.md#protocol-negotiation">connections, protocol negotiation</see>;
/// <see href="https://github.com/multiformats/multistream-select">multistream-select</see>).
/// </summary>
internal static class Negotiator
{
    public static Task<string> SelectAsync(IMessageChannel channel, IReadOnlyList<string> protocols, MultistreamOptions options, CancellationToken cancellationToken) =>
        WithTimeoutAsync(options, (refused, ct) => SelectCoreAsync(channel, protocols, refused, ct), cancellationToken);

    public static Task<string> HandleAsync(IMessageChannel channel, Func<string, bool> accept, IReadOnlyCollection<string> listed, MultistreamOptions options, CancellationToken cancellationToken) =>
        WithTimeoutAsync(options, (refused, ct) => HandleCoreAsync(channel, accept, listed, options.MaxRefusals, refused, ct), cancellationToken);

    private static async Task<string> SelectCoreAsync(IMessageChannel channel, IReadOnlyList<string> protocols, List<string> refused, CancellationToken cancellationToken)
    {
        // The header and the first proposal travel in one write: when the first protocol is
        // accepted, negotiation costs one round trip.
        await WriteAsync(channel, MultistreamMessage.Frame(MultistreamSelect.ProtocolId, protocols[0]), refused, cancellationToken).ConfigureAwait(false);
        await ExpectHeaderAsync(channel, refused, cancellationToken).ConfigureAwait(false);

        for (int i = 0; ; i++)
        {
            string proposal = protocols[i];
            if (i > 0)
            {
                await WriteAsync(channel, MultistreamMessage.Frame(proposal), refused, cancellationToken).ConfigureAwait(false);
            }

            string answer = await ReadAsync(channel, refused, cancellationToken).ConfigureAwait(false);
            if (answer == proposal)
            {
                return proposal;
            }

            if (answer != MultistreamSelect.NotAvailable)
            {
                // go-multistream is equally strict; anything but the echo or "na" means the two
                // sides no longer agree on where they are in the exchange.
                throw Error.Protocol($"Expected '{proposal}' or '{MultistreamSelect.NotAvailable}' in answer to a proposal, received '{answer}'.");
            }

            refused.Add(proposal);
            if (i + 1 == protocols.Count)
            {
                throw Error.Negotiation(NegotiationFailure.NoCommonProtocol, refused);
            }
        }
    }

    private static async Task<string> HandleCoreAsync(IMessageChannel channel, Func<string, bool> accept, IReadOnlyCollection<string> listed, int maxRefusals, List<string> refused, CancellationToken cancellationToken)
    {
        // Both sides may send the header at once (connections spec); sending ours before reading
        // theirs saves the initiator a wait.
        await WriteAsync(channel, MultistreamMessage.Frame(MultistreamSelect.ProtocolId), refused, cancellationToken).ConfigureAwait(false);
        await ExpectHeaderAsync(channel, refused, cancellationToken).ConfigureAwait(false);

        int refusals = 0;
        while (true)
        {
            string proposal = await ReadAsync(channel, refused, cancellationToken).ConfigureAwait(false);
            bool list = proposal == MultistreamSelect.List;
            if (!list && accept(proposal))
            {
                await WriteAsync(channel, MultistreamMessage.Frame(proposal), refused, cancellationToken).ConfigureAwait(false);
                return proposal;
            }

            // ls answers count too: otherwise "ls" in a loop would hold the channel forever.
            refused.Add(proposal);
            if (++refusals > maxRefusals)
            {
                throw Error.Negotiation(NegotiationFailure.TooManyProposals, refused);
            }

            var answer = list ? MultistreamMessage.FrameList(listed) : MultistreamMessage.Frame(MultistreamSelect.NotAvailable);
            await WriteAsync(channel, answer, refused, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task ExpectHeaderAsync(IMessageChannel channel, List<string> refused, CancellationToken cancellationToken)
    {
        string header = await ReadAsync(channel, refused, cancellationToken).ConfigureAwait(false);
        if (header != MultistreamSelect.ProtocolId)
        {
            throw Error.Protocol($"Expected the header '{MultistreamSelect.ProtocolId}', received '{header}'.");
        }
    }

    private static async Task<string> ReadAsync(IMessageChannel channel, List<string> refused, CancellationToken cancellationToken) =>
        await channel.ReadAsync(cancellationToken).ConfigureAwait(false)
            ?? throw Error.Negotiation(NegotiationFailure.Closed, refused);

    private static async Task WriteAsync(IMessageChannel channel, ReadOnlyMemory<byte> frames, List<string> refused, CancellationToken cancellationToken)
    {
        if (!await channel.WriteAsync(frames, cancellationToken).ConfigureAwait(false))
        {
            throw Error.Negotiation(NegotiationFailure.Closed, refused);
        }
    }

    private static async Task<string> WithTimeoutAsync(MultistreamOptions options, Func<List<string>, CancellationToken, Task<string>> negotiate, CancellationToken cancellationToken)
    {
        var refused = new List<string>();
        if (options.Timeout == Timeout.InfiniteTimeSpan)
        {
            return await negotiate(refused, cancellationToken).ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(options.Timeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await negotiate(refused, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Error.Negotiation(NegotiationFailure.TimedOut, refused, new TimeoutException($"The negotiation did not finish within {options.Timeout}.", e));
        }
    }
}
