using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Reactive.Subjects;

using Rx.Network.Reactive;

namespace Rx.Network.Protocols;

/// <summary>
/// A request/reply protocol (the seed's <c>Service</c> and <c>Handler</c>): serves one protocol id
/// on a network, answering each inbound request through a handler delegate or the
/// <see cref="Requests"/> observable, and sends requests to other peers with
/// <see cref="RequestAsync(Identity.PeerId, ReadOnlyMemory{byte}, CancellationToken)"/>.
/// </summary>
/// <remarks>
/// <para><b>Wire format</b> (one request per stream, so other implementations can speak it): the
/// client opens a stream and negotiates the protocol id with multistream-select; it writes ONE
/// message, an unsigned varint (multiformats <c>unsigned-varint</c>) giving the payload length
/// followed by the payload, at most <see cref="RequestReplyOptions.MaxRequestSize"/> bytes
/// (4 MiB by default, <see cref="Encoding.LengthPrefixed.MessageSizeMax"/>); then it half-closes its
/// write side. The server reads that one message (it does not wait for the half-close), runs its
/// handler and writes ONE message in the same framing, at most
/// <see cref="RequestReplyOptions.MaxReplySize"/> bytes, then closes its write side. The client
/// reads the reply and closes the stream. Bytes after either message are ignored.</para>
/// <para><b>Failure</b> is signalled by resetting the stream instead of replying: when the handler
/// throws or refuses (<see cref="IncomingRequest.Fail"/>), the request is malformed or above the
/// limit, the server is over its concurrency limit, or the request timed out. The client then
/// gets <see cref="RequestFailedException"/>. No error payload is defined; a protocol that needs
/// error details puts them in its reply.</para>
/// <para><b>Serving</b>: the protocol is registered on the network only while a handler is set
/// (<see cref="SetHandler"/>) or <see cref="Requests"/> has a subscriber, so peers see it as
/// unsupported otherwise (their negotiation fails with <see cref="NegotiationException"/>). The
/// handler wins over the observable. At most <see cref="RequestReplyOptions.MaxConcurrentHandlers"/>
/// requests are handled at once; up to <see cref="RequestReplyOptions.MaxWaitingRequests"/> more
/// wait for a slot, and streams beyond those are reset at once. Server-side failures surface in
/// the network's log as failed stream handlers.</para>
/// <para>One service per protocol id and network: registering a second one for the same id
/// replaces the first's registration.</para>
/// </remarks>
public sealed partial class RequestReplyService : IDisposable
{
    private readonly INetwork network;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly CancellationTokenSource disposal = new();
    private readonly NetworkScheduler scheduler;
    private readonly AsyncGate slots;
    private readonly ISubject<IncomingRequest> requests = Subject.Synchronize(new Subject<IncomingRequest>());
    private readonly int admissionLimit;

    private Func<RequestContext, CancellationToken, Task<ReadOnlyMemory<byte>>>? handler;
    private object? handlerToken;
    private int subscribers;
    private IDisposable? registration;
    private bool disposed;
    private int admitted;

    /// <summary>Creates the service for <paramref name="protocol"/> on <paramref name="network"/>, serving nothing until a handler or subscriber appears.</summary>
    /// <param name="network">The network.</param>
    /// <param name="protocol">The protocol id, e.g. <c>/myapp/lookup/1.0.0</c>.</param>
    /// <param name="options">The limits; <see cref="RequestReplyOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="protocol"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="protocol"/> is empty, longer than 1000 characters or holds a newline.</exception>
    public RequestReplyService(INetwork network, string protocol, RequestReplyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(protocol);

        // Multistream-select messages are at most 1 KiB with their length and newline.
        if (protocol.Length > 1000 || protocol.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("A protocol id is at most 1000 characters and has no newline.", nameof(protocol));
        }

        this.network = network;
        Protocol = protocol;
        Options = options ?? RequestReplyOptions.Default;
        time = Options.TimeProvider ?? network.TimeProvider;

        // The handler gate's waiters resume on the network's scheduler, so a mock network in
        // virtual time orders them like everything else (ADR 0011).
        scheduler = ServiceScheduler.Of(network);
        slots = new AsyncGate(Options.MaxConcurrentHandlers, scheduler);
        admissionLimit = Options.MaxConcurrentHandlers + Options.MaxWaitingRequests;
        Requests = Observable.Create<IncomingRequest>(Subscribe);
    }

    /// <summary>Creates the service and serves <paramref name="protocol"/> with <paramref name="handler"/> at once.</summary>
    /// <param name="network">The network.</param>
    /// <param name="protocol">The protocol id.</param>
    /// <param name="handler">Answers each request; see <see cref="SetHandler"/>.</param>
    /// <param name="options">The limits; <see cref="RequestReplyOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/>, <paramref name="protocol"/> or <paramref name="handler"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="protocol"/> is empty, longer than 1000 characters or holds a newline.</exception>
    public RequestReplyService(
        INetwork network,
        string protocol,
        Func<RequestContext, CancellationToken, Task<ReadOnlyMemory<byte>>> handler,
        RequestReplyOptions? options = null)
        : this(network, protocol, options)
    {
        SetHandler(handler);
    }

    /// <summary>The protocol id.</summary>
    public string Protocol { get; }

    /// <summary>The limits in force.</summary>
    public RequestReplyOptions Options { get; }

    /// <summary>
    /// Hot: inbound requests, while no handler delegate is set. While at least one subscriber exists
    /// the protocol is served; each request goes to every subscriber, and exactly one of them must
    /// answer it (see <see cref="IncomingRequest"/>). Requests are delivered one at a time on network
    /// threads: subscribers should not block, and should reply asynchronously. Completes when the
    /// service is disposed.
    /// </summary>
    public IObservable<IncomingRequest> Requests { get; }

    /// <summary>
    /// Serves the protocol with <paramref name="handler"/>, replacing an earlier one. The handler
    /// gets the request and a token canceled when the request times out, the client resets the
    /// stream or the service is disposed; its result is the reply. When it throws, the stream is
    /// reset and the client sees <see cref="RequestFailedException"/>.
    /// </summary>
    /// <param name="handler">Answers each request; called concurrently, up to <see cref="RequestReplyOptions.MaxConcurrentHandlers"/> at once.</param>
    /// <returns>Dispose to remove the handler (if it is still the registered one); requests then go to <see cref="Requests"/>, or the protocol stops being served.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The service was disposed.</exception>
    public IDisposable SetHandler(Func<RequestContext, CancellationToken, Task<ReadOnlyMemory<byte>>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var token = new object();
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            this.handler = handler;
            handlerToken = token;
            UpdateRegistration();
        }

        return Disposable.Create(() =>
        {
            lock (gate)
            {
                if (!ReferenceEquals(handlerToken, token))
                {
                    return;
                }

                this.handler = null;
                handlerToken = null;
                UpdateRegistration();
            }
        });
    }

    /// <summary>
    /// Stops serving: the protocol is unregistered, requests being handled are abandoned (their
    /// streams reset, their tokens canceled), <see cref="Requests"/> completes and requests of
    /// this service still waiting for replies are canceled. Idempotent.
    /// </summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            handler = null;
            handlerToken = null;
            UpdateRegistration();
        }

        // Not disposed: in-flight requests may still link to its token.
        disposal.Cancel();
        requests.OnCompleted();
    }

    /// <inheritdoc/>
    public override string ToString() => $"RequestReplyService {Protocol}";

    /// <summary>Handler slots free right now (for tests).</summary>
    internal int FreeHandlerSlots => slots.Free;

    private IDisposable Subscribe(IObserver<IncomingRequest> observer)
    {
        // Attach before counting, so a request dispatched because of this subscriber finds it.
        var subscription = requests.Subscribe(observer);
        lock (gate)
        {
            if (disposed)
            {
                // The subject has completed, or is about to: the observer gets OnCompleted.
                return subscription;
            }

            subscribers++;
            UpdateRegistration();
        }

        return Disposable.Create(() =>
        {
            subscription.Dispose();
            lock (gate)
            {
                subscribers--;
                UpdateRegistration();
            }
        });
    }

    /// <summary>Registers the protocol with the network exactly while something serves it. Call under <see cref="gate"/>.</summary>
    private void UpdateRegistration()
    {
        // The network's registration call runs under our lock; it only notifies protocol changes
        // (identify push), which never call back into this service.
        bool serve = !disposed && (handler is not null || subscribers > 0);
        if (serve && registration is null)
        {
            registration = network.SetStreamHandler(Protocol, ServeTracedAsync);
        }
        else if (!serve && registration is not null)
        {
            registration.Dispose();
            registration = null;
        }
    }
}
