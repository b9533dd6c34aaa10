using System.Buffers;
using System.IO.Pipelines;
using NSec.Cryptography;
using Rx.Network.Errors;
using Rx.Network.Identity;

namespace Rx.Network.Security.Noise;

/// <summary>
/// The libp2p Noise handshake (<c>/noise</c>, <c>Noise_XX_25519_ChaChaPoly_SHA256</c>) over a raw
/// byte pipe, as the dialer (<c>InitiateAsync</c>) or the listener (<c>RespondAsync</c>)
/// (<see href="https://github.com/libp2p/specs/blob/master/noise/README.md">libp2p noise spec</see>).
/// </summary>
/// <remarks>
/// <para>Flow: <c>-&gt; e</c> (empty payload); <c>&lt;- e, ee, s, es</c> with the responder's signed
/// payload; <c>-&gt; s, se</c> with the initiator's. Each message on the wire is a 2-byte
/// big-endian length and at most 65535 bytes. The prologue is empty. The overloads taking a
/// <see cref="PrivateKey"/> make a fresh static X25519 key for the handshake; those taking a
/// <see cref="NoiseStaticKey"/> reuse the node's key and its signed payload (see there why that is
/// safe).</para>
/// <para>Failures: anything the remote gets wrong (malformed messages, failed authentication, a bad
/// signature, an unreadable identity key, closing early, the transport failing) throws
/// <see cref="HandshakeException"/>, with a <see cref="WireProtocolViolationException"/> inside for
/// malformed bytes; a dialed peer that proves another identity throws
/// <see cref="PeerIdMismatchException"/>; the timeout elapsing throws a
/// <see cref="HandshakeException"/> wrapping a <see cref="TimeoutException"/>; cancellation
/// through the caller's token throws <see cref="OperationCanceledException"/>. The pipe is left
/// as it is: closing the connection after a failure is the caller's job.</para>
/// <para>On success the reader has consumed exactly the handshake bytes: transport frames the
/// remote sent right behind its last handshake message stay in the pipe for the codec.</para>
/// </remarks>
internal static partial class NoiseHandshake
{
    /// <summary>The protocol id negotiated by multistream-select (spec, Negotiation).</summary>
    public const string ProtocolId = "/noise";

    /// <summary>A handshake timeout that suits most networks (three messages, one and a half round trips).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the handshake as the initiator (the dialer).</summary>
    /// <param name="pipe">The raw connection.</param>
    /// <param name="identity">Our libp2p identity key, which signs our Noise static key.</param>
    /// <param name="expectedRemote">The peer we dialed, or <see langword="null"/> to accept any.</param>
    /// <param name="muxers">Muxers to offer in the handshake, in order of preference; empty to negotiate them later with multistream-select.</param>
    /// <param name="timeProvider">The clock for <paramref name="timeout"/>.</param>
    /// <param name="timeout">How long the whole handshake may take, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>The remote's identity, the early muxer and the transport keys.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is neither positive nor infinite.</exception>
    /// <exception cref="ArgumentException"><paramref name="muxers"/> holds a null or empty entry, or too much to fit in a handshake message.</exception>
    /// <exception cref="HandshakeException">The handshake failed or timed out.</exception>
    /// <exception cref="PeerIdMismatchException">The remote is not <paramref name="expectedRemote"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<NoiseHandshakeResult> InitiateAsync(
        IDuplexPipe pipe,
        PrivateKey identity,
        PeerId? expectedRemote,
        IReadOnlyList<string> muxers,
        TimeProvider timeProvider,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ValidateArguments(pipe, identity, muxers, timeProvider, timeout);
        return RunAsync(new Session(Initiator: true, pipe, identity, expectedRemote, [.. muxers]), shared: null, timeProvider, timeout, cancellationToken);
    }

    /// <summary>As <see cref="InitiateAsync(IDuplexPipe, PrivateKey, PeerId?, IReadOnlyList{string}, TimeProvider, TimeSpan, CancellationToken)"/>, with the node's static key.</summary>
    /// <param name="pipe">The raw connection.</param>
    /// <param name="staticKey">The node's static key and identity; the caller keeps ownership.</param>
    /// <param name="expectedRemote">The peer we dialed, or <see langword="null"/> to accept any.</param>
    /// <param name="muxers">Muxers to offer in the handshake, in order of preference.</param>
    /// <param name="timeProvider">The clock for <paramref name="timeout"/>.</param>
    /// <param name="timeout">How long the whole handshake may take, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>The remote's identity, the early muxer and the transport keys.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is neither positive nor infinite.</exception>
    /// <exception cref="ArgumentException"><paramref name="muxers"/> holds a null or empty entry, or too much to fit in a handshake message.</exception>
    /// <exception cref="HandshakeException">The handshake failed or timed out.</exception>
    /// <exception cref="PeerIdMismatchException">The remote is not <paramref name="expectedRemote"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<NoiseHandshakeResult> InitiateAsync(
        IDuplexPipe pipe,
        NoiseStaticKey staticKey,
        PeerId? expectedRemote,
        IReadOnlyList<string> muxers,
        TimeProvider timeProvider,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(staticKey);
        ValidateArguments(pipe, staticKey.Identity, muxers, timeProvider, timeout);
        return RunAsync(new Session(Initiator: true, pipe, staticKey.Identity, expectedRemote, [.. muxers]), staticKey, timeProvider, timeout, cancellationToken);
    }

    /// <summary>Runs the handshake as the responder (the listener).</summary>
    /// <param name="pipe">The raw connection.</param>
    /// <param name="identity">Our libp2p identity key, which signs our Noise static key.</param>
    /// <param name="muxers">Muxers to offer in the handshake; empty to negotiate them later with multistream-select.</param>
    /// <param name="timeProvider">The clock for <paramref name="timeout"/>.</param>
    /// <param name="timeout">How long the whole handshake may take, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>The remote's identity, the early muxer and the transport keys.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is neither positive nor infinite.</exception>
    /// <exception cref="ArgumentException"><paramref name="muxers"/> holds a null or empty entry, or too much to fit in a handshake message.</exception>
    /// <exception cref="HandshakeException">The handshake failed or timed out.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<NoiseHandshakeResult> RespondAsync(
        IDuplexPipe pipe,
        PrivateKey identity,
        IReadOnlyList<string> muxers,
        TimeProvider timeProvider,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ValidateArguments(pipe, identity, muxers, timeProvider, timeout);
        return RunAsync(new Session(Initiator: false, pipe, identity, ExpectedRemote: null, [.. muxers]), shared: null, timeProvider, timeout, cancellationToken);
    }

    /// <summary>As <see cref="RespondAsync(IDuplexPipe, PrivateKey, IReadOnlyList{string}, TimeProvider, TimeSpan, CancellationToken)"/>, with the node's static key.</summary>
    /// <param name="pipe">The raw connection.</param>
    /// <param name="staticKey">The node's static key and identity; the caller keeps ownership.</param>
    /// <param name="muxers">Muxers to offer in the handshake.</param>
    /// <param name="timeProvider">The clock for <paramref name="timeout"/>.</param>
    /// <param name="timeout">How long the whole handshake may take, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>The remote's identity, the early muxer and the transport keys.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is neither positive nor infinite.</exception>
    /// <exception cref="ArgumentException"><paramref name="muxers"/> holds a null or empty entry, or too much to fit in a handshake message.</exception>
    /// <exception cref="HandshakeException">The handshake failed or timed out.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<NoiseHandshakeResult> RespondAsync(
        IDuplexPipe pipe,
        NoiseStaticKey staticKey,
        IReadOnlyList<string> muxers,
        TimeProvider timeProvider,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(staticKey);
        ValidateArguments(pipe, staticKey.Identity, muxers, timeProvider, timeout);
        return RunAsync(new Session(Initiator: false, pipe, staticKey.Identity, ExpectedRemote: null, [.. muxers]), staticKey, timeProvider, timeout, cancellationToken);
    }

    /// <summary>
    /// The early muxer rule of <c>connections/inlined-muxer-negotiation.md</c>: the first of the
    /// initiator's muxers that the responder also offers. Both sides compute it from the same two
    /// lists, so they agree. <see langword="null"/> (fall back to multistream-select) when either
    /// side offered none or nothing matches.
    /// </summary>
    /// <remarks>
    /// The spec says a handshake without a common muxer MUST fail; go-libp2p instead falls back to
    /// multistream-select, as we do, which can only widen what connects. js-libp2p fails the
    /// connection there, and walks the <em>remote's</em> list rather than the initiator's, which
    /// picks the same muxer whenever the two lists agree in order (always, with yamux alone).
    /// </remarks>
    /// <param name="initiatorMuxers">The initiator's list, in its order of preference.</param>
    /// <param name="responderMuxers">The responder's list.</param>
    /// <returns>The chosen muxer, or <see langword="null"/>.</returns>
    public static string? ChooseMuxer(IReadOnlyList<string> initiatorMuxers, IReadOnlyList<string> responderMuxers)
    {
        ArgumentNullException.ThrowIfNull(initiatorMuxers);
        ArgumentNullException.ThrowIfNull(responderMuxers);
        foreach (var muxer in initiatorMuxers)
        {
            foreach (var candidate in responderMuxers)
            {
                if (string.Equals(muxer, candidate, StringComparison.Ordinal))
                {
                    return muxer;
                }
            }
        }

        return null;
    }

    private static void ValidateArguments(IDuplexPipe pipe, PrivateKey identity, IReadOnlyList<string> muxers, TimeProvider timeProvider, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(muxers);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        }

        foreach (var muxer in muxers)
        {
            ArgumentException.ThrowIfNullOrEmpty(muxer, nameof(muxers));
        }
    }

    private static Task<NoiseHandshakeResult> RunAsync(Session session, NoiseStaticKey? shared, TimeProvider timeProvider, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Keys are made and our payload is signed before any I/O, so caller mistakes (a disposed
        // identity, too many muxers) throw here, not from the task. A shared key stays with its owner.
        var freshKey = shared is null ? X25519KeyPair.Create() : null;
        HandshakeState? state = null;
        try
        {
            state = new HandshakeState(session.Initiator, ReadOnlySpan<byte>.Empty, shared?.Key ?? freshKey!);
            var localPayload = shared is null
                ? BuildPayload(session.Identity, state.LocalStaticPublicKey, session.Muxers)
                : shared.GetPayload(session.Muxers);
            return RunAsync(session, freshKey, state, localPayload, timeProvider, timeout, cancellationToken);
        }
        catch
        {
            state?.Dispose();
            freshKey?.Dispose();
            throw;
        }
    }

    private static async Task<NoiseHandshakeResult> RunAsync(
        Session session,
        X25519KeyPair? staticKey,
        HandshakeState state,
        byte[] localPayload,
        TimeProvider timeProvider,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        using var ownedKey = staticKey;
        using var ownedState = state;
        using var timeoutSource = timeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource?.Token ?? CancellationToken.None);
        var buffers = new Buffers(
            ArrayPool<byte>.Shared.Rent(LengthPrefixSize + HandshakeState.MaxMessageSize),
            ArrayPool<byte>.Shared.Rent(HandshakeState.MaxMessageSize));
        try
        {
            return await ExchangeAsync(session, state, localPayload, buffers, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested && timeoutSource?.IsCancellationRequested == true)
        {
            throw Error.Handshake($"The Noise handshake did not complete within {timeout}.", new TimeoutException(exception.Message, exception));
        }
        catch (FormatException exception)
        {
            // WireProtocolViolationException and the identity layer's FormatException alike.
            throw Error.Handshake($"The Noise handshake failed: {exception.Message}", exception);
        }
        catch (IOException exception) when (exception is not HandshakeException)
        {
            throw Error.Handshake("The connection failed during the Noise handshake.", exception);
        }
        finally
        {
            // The payload buffer held the remote's decrypted payload: nothing secret, but cleared anyway.
            ArrayPool<byte>.Shared.Return(buffers.Message);
            ArrayPool<byte>.Shared.Return(buffers.Payload, clearArray: true);
        }
    }

    private static async Task<NoiseHandshakeResult> ExchangeAsync(
        Session session, HandshakeState state, byte[] localPayload, Buffers buffers, CancellationToken cancellationToken)
    {
        var (buffer, payload) = (buffers.Message, buffers.Payload);
        var reader = session.Pipe.Input;
        var writer = session.Pipe.Output;
        RemoteIdentity remote;
        IReadOnlyList<string> initiatorMuxers;
        IReadOnlyList<string> responderMuxers;
        if (session.Initiator)
        {
            // The spec forbids a payload in the first message: it would travel in clear.
            await WriteMessageAsync(writer, state, ReadOnlyMemory<byte>.Empty, buffer, cancellationToken).ConfigureAwait(false);
            int length = await ReadMessageAsync(reader, state, buffer, payload, cancellationToken).ConfigureAwait(false);
            remote = VerifyPayload(payload.AsSpan(0, length), state.RemoteStaticPublicKey);
            if (session.ExpectedRemote is { } expected && expected != remote.Peer)
            {
                throw AddressedError.PeerIdMismatch(expected, remote.Peer);
            }

            await WriteMessageAsync(writer, state, localPayload, buffer, cancellationToken).ConfigureAwait(false);
            (initiatorMuxers, responderMuxers) = (session.Muxers, remote.Muxers);
        }
        else
        {
            // Whatever the initiator put in its first payload is unauthenticated: ignored.
            await ReadMessageAsync(reader, state, buffer, payload, cancellationToken).ConfigureAwait(false);
            await WriteMessageAsync(writer, state, localPayload, buffer, cancellationToken).ConfigureAwait(false);
            int length = await ReadMessageAsync(reader, state, buffer, payload, cancellationToken).ConfigureAwait(false);
            remote = VerifyPayload(payload.AsSpan(0, length), state.RemoteStaticPublicKey);
            (initiatorMuxers, responderMuxers) = (remote.Muxers, session.Muxers);
        }

        var (send, receive) = state.Split();
        return new NoiseHandshakeResult(
            remote.Key,
            remote.Peer,
            ChooseMuxer(initiatorMuxers, responderMuxers),
            remote.Muxers,
            state.HandshakeHash.ToArray(),
            send,
            receive);
    }

    /// <summary>Scratch space: one wire message, one decrypted payload.</summary>
    private readonly record struct Buffers(byte[] Message, byte[] Payload);

    /// <summary>One side's parameters of a handshake.</summary>
    private sealed record Session(bool Initiator, IDuplexPipe Pipe, PrivateKey Identity, PeerId? ExpectedRemote, IReadOnlyList<string> Muxers);
}
