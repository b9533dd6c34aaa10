using System.IO.Pipelines;
using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Identity;
using Rx.Network.Resources;
using Rx.Network.Transports;

namespace Rx.Network.Security;

/// <summary>
/// The byte path of one secured connection, the same for every security protocol: the seal stage,
/// a bounded outbound Dataflow block (<see cref="SealBlock"/>) that coalesces chunks into frames,
/// seals them with the <see cref="IFrameCodec"/> and flushes to the socket; and a receive loop that
/// opens frames from the socket into a bounded inbound block.
/// </summary>
/// <remarks>
/// <code>
/// outbound: Output = SealBlock (bounded; one task per burst on the network's Tasks: coalesce → codec.Seal) → PipeWriter → socket
/// inbound:  socket → PipeReader → codec.TryOpen → Input (BufferBlock, bounded)
///                                               ↘ or the muxer's demux block, once handed (IDirectInput)
/// </code>
/// Backpressure is end to end: a full <see cref="Input"/> stops the receive loop, the pipe stops
/// reading the socket, and TCP's window stops the remote; a slow socket makes the seal stage's
/// flush wait, <see cref="Output"/> fills, and senders wait in <c>SendAsync</c>.
/// Over a pipe that counts its bytes (<see cref="IAccountedPipe"/>), the chunks in both blocks and
/// the frames staged for the next flush count in the connection's <see cref="TransportMemory"/>
/// too: what the muxer has not taken, and what it handed over and the pipe has not been given yet.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "The cancellation source is disposed when the pipeline ends; Abort and Completion are the lifecycle.")]
internal sealed partial class SecureChannel : ISecureChannel, IDirectInput, IChannelFault
{
    private readonly IDuplexPipe? pipe;
    private readonly IFrameCodec sendCodec;
    private readonly IFrameCodec receiveCodec;
    private readonly IRecordStream? records;
    private readonly SecureChannelOptions options;
    private readonly IAsyncDisposable? owner;
    private readonly InboundHandOver inbound;
    private readonly SealBlock output;
    private readonly TransportMemory? memory;
    private readonly CancellationTokenSource aborted = new();
    private Exception? abortReason;

    /// <summary>Starts the pipeline over an already-handshaken pipe.</summary>
    /// <param name="pipe">The raw connection.</param>
    /// <param name="sendCodec">Frames outbound bytes (for Noise, with the send cipher).</param>
    /// <param name="receiveCodec">Opens inbound frames (for Noise, with the receive cipher).</param>
    /// <param name="session">Who is on each end, and what the handshake agreed.</param>
    /// <param name="tasks">Where the seal stage runs: the network's <c>NetworkScheduler.Tasks</c>.</param>
    /// <param name="options">Buffer bounds.</param>
    /// <param name="owner">Disposed once both directions have ended (the socket).</param>
    public SecureChannel(
        IDuplexPipe pipe,
        IFrameCodec sendCodec,
        IFrameCodec receiveCodec,
        SecureSession session,
        TaskScheduler tasks,
        SecureChannelOptions? options = null,
        IAsyncDisposable? owner = null)
        : this(pipe, null, sendCodec, receiveCodec, session, tasks, options, owner)
    {
    }

    /// <summary>Starts the pipeline over an already-handshaken stream that frames and encrypts by itself (TLS).</summary>
    /// <param name="records">The plaintext side of the record layer.</param>
    /// <param name="session">Who is on each end, and what the handshake agreed.</param>
    /// <param name="tasks">Where the seal stage runs: the network's <c>NetworkScheduler.Tasks</c>.</param>
    /// <param name="options">Buffer bounds.</param>
    /// <param name="owner">Disposed once both directions have ended (the record layer, then the socket).</param>
    public SecureChannel(IRecordStream records, SecureSession session, TaskScheduler tasks, SecureChannelOptions? options = null, IAsyncDisposable? owner = null)
        : this(null, records, PassThroughCodec.Instance, PassThroughCodec.Instance, session, tasks, options, owner)
    {
    }

    private SecureChannel(
        IDuplexPipe? pipe,
        IRecordStream? records,
        IFrameCodec sendCodec,
        IFrameCodec receiveCodec,
        SecureSession session,
        TaskScheduler tasks,
        SecureChannelOptions? options,
        IAsyncDisposable? owner)
    {
        this.pipe = pipe;
        this.records = records;
        this.sendCodec = sendCodec;
        this.receiveCodec = receiveCodec;
        this.options = options ?? SecureChannelOptions.Default;
        this.owner = owner;
        Session = session;
        memory = (pipe as IAccountedPipe)?.Memory ?? records?.Memory;
        inbound = new InboundHandOver(this.options.InputCapacity, tasks);
        var sealedOutput = records is not null ? new SealOutput(records) : new SealOutput(pipe!.Output, sendCodec);
        output = new SealBlock(sealedOutput, this.options, memory, tasks, Abort, aborted.Token);
        Completion = RunAsync();
    }

    /// <summary>The identities and agreements of the handshake.</summary>
    public SecureSession Session { get; }

    /// <inheritdoc/>
    public PeerId LocalPeer => Session.LocalPeer;

    /// <inheritdoc/>
    public PeerId RemotePeer => Session.RemotePeer;

    /// <inheritdoc/>
    public PublicKey RemotePublicKey => Session.RemotePublicKey;

    /// <inheritdoc/>
    public string SecurityProtocol => Session.Protocol;

    /// <inheritdoc/>
    public string? EarlyMuxer => Session.EarlyMuxer;

    /// <inheritdoc/>
    public ISourceBlock<PooledBuffer> Input => inbound.Input;

    /// <inheritdoc/>
    public ITargetBlock<PooledBuffer> Output => output;

    /// <inheritdoc/>
    public Task Completion { get; }

    /// <inheritdoc/>
    public void InputConsumed(int bytes) => memory?.Receive.Release(bytes);

    /// <inheritdoc/>
    public ValueTask HoldOutputAsync(int bytes) => memory is null ? default : memory.Send.HoldAsync(bytes);

    /// <inheritdoc/>
    public void DeliverInputTo(ITargetBlock<PooledBuffer> target)
    {
        ArgumentNullException.ThrowIfNull(target);
        inbound.HandTo(target);
    }

    /// <inheritdoc/>
    public Exception? Fault => Volatile.Read(ref abortReason);

    /// <inheritdoc/>
    public void Abort(Exception reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        Interlocked.CompareExchange(ref abortReason, reason, null);
        inbound.Fault(reason);
        output.Fault(reason);
        memory?.Stop();
        try
        {
            aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already torn down.
        }
    }

    private async Task RunAsync()
    {
        // The receive loop starts here, on the constructor's stack, and leaves it at its first wait
        // for the socket or the muxer (a receive loop finding bytes already read, such as a first
        // message sent with the handshake's last, opens them here, at most the input's bound). The
        // seal stage runs when it is given chunks, completed or faulted; its Completion faults on
        // an abort, which the channel's own completion does not repeat.
        try
        {
            var sending = SealEndedAsync(output.Completion);
            var receiving = records is not null ? RecordReceiveLoopAsync(records) : ReceiveLoopAsync(pipe!.Input);
            await Task.WhenAll(sending, receiving).ConfigureAwait(false);
        }
        finally
        {
            aborted.Dispose();

            // Codecs may hold key material (Noise): wipe it once neither loop can use it.
            (sendCodec as IDisposable)?.Dispose();
            if (!ReferenceEquals(sendCodec, receiveCodec))
            {
                (receiveCodec as IDisposable)?.Dispose();
            }

            if (owner is not null)
            {
                await owner.DisposeAsync().ConfigureAwait(false);
            }
        }

        static async Task SealEndedAsync(Task sealing) => await sealing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
