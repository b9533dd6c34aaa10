using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using NSec.Cryptography;
using Rx.Network.Encoding.Proto;
using Rx.Network.Identity;
using Rx.Network.Security.Noise;
using PrivateKey = Rx.Network.Identity.PrivateKey;

namespace Rx.Network.Tests.Security.Noise;

public partial class NoiseHandshakeTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    private static Task<NoiseHandshakeResult> Initiate(IDuplexPipe pipe, PrivateKey identity, PeerId? expected = null, string[]? muxers = null, CancellationToken cancellationToken = default) =>
        NoiseHandshake.InitiateAsync(pipe, identity, expected, muxers ?? [], TimeProvider.System, TestTimeout, cancellationToken);

    private static Task<NoiseHandshakeResult> Respond(IDuplexPipe pipe, PrivateKey identity, string[]? muxers = null) =>
        NoiseHandshake.RespondAsync(pipe, identity, muxers ?? [], TimeProvider.System, TestTimeout, CancellationToken.None);

    /// <summary>Awaits a task that must fail, with a safety net so a bug cannot hang the run.</summary>
    private static async Task<T> FailsWith<T>(Task task)
        where T : Exception
    {
        var exception = await Record.ExceptionAsync(() => task.WaitAsync(TestTimeout));
        return Assert.IsType<T>(exception);
    }

    [Fact]
    public async Task Handshake_BothRoles_ProveIdentitiesAndShareKeys()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var (left, right) = NoiseTestKit.CreateConnection();
        var aliceTask = Initiate(left, alice, PeerId.FromPublicKey(bob.PublicKey));
        var bobTask = Respond(right, bob);
        using var a = await aliceTask.WaitAsync(TestTimeout);
        using var b = await bobTask.WaitAsync(TestTimeout);

        Assert.Equal(PeerId.FromPublicKey(bob.PublicKey), a.RemotePeer);
        Assert.Equal(bob.PublicKey, a.RemotePublicKey);
        Assert.Equal(PeerId.FromPublicKey(alice.PublicKey), b.RemotePeer);
        Assert.Equal(alice.PublicKey, b.RemotePublicKey);
        Assert.Equal(a.HandshakeHash, b.HandshakeHash);
        Assert.Equal(32, a.HandshakeHash.Length);
        Assert.Null(a.EarlyMuxer);
        Assert.Empty(a.RemoteMuxers);

        // The transport keys pair up in both directions.
        using var aliceCodec = a.CreateCodec();
        using var bobCodec = b.CreateCodec();
        await SendFrameAsync(left, aliceCodec, "to bob"u8.ToArray());
        Assert.Equal("to bob"u8.ToArray(), await ReceiveFrameAsync(right, bobCodec));
        await SendFrameAsync(right, bobCodec, "to alice"u8.ToArray());
        Assert.Equal("to alice"u8.ToArray(), await ReceiveFrameAsync(left, aliceCodec));
    }

    [Fact]
    public async Task Handshake_NoExpectedPeer_AcceptsAnyone()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var (left, right) = NoiseTestKit.CreateConnection();
        var bobTask = Respond(right, bob);
        using var a = await Initiate(left, alice, expected: null).WaitAsync(TestTimeout);
        using var b = await bobTask.WaitAsync(TestTimeout);
        Assert.Equal(PeerId.FromPublicKey(bob.PublicKey), a.RemotePeer);
    }

    [Fact]
    public async Task Handshake_TransportFrameRightBehindLastMessage_StaysInPipe()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var (initiatorEnd, relayA) = NoiseTestKit.CreateConnection();
        var (relayB, responderEnd) = NoiseTestKit.CreateConnection();
        var aliceTask = Initiate(initiatorEnd, alice);
        var bobTask = Respond(responderEnd, bob);

        await NoiseTestKit.WriteFramedAsync(relayB.Output, (await NoiseTestKit.ReadFramedAsync(relayA.Input))!);
        await NoiseTestKit.WriteFramedAsync(relayA.Output, (await NoiseTestKit.ReadFramedAsync(relayB.Input))!);

        // The initiator finishes and sends a frame at once; the responder gets both in one read.
        using var a = await aliceTask.WaitAsync(TestTimeout);
        using var aliceCodec = a.CreateCodec();
        await SendFrameAsync(initiatorEnd, aliceCodec, "early"u8.ToArray());
        var everything = await relayA.Input.ReadAsync();
        await relayB.Output.WriteAsync(everything.Buffer.ToArray());
        relayA.Input.AdvanceTo(everything.Buffer.End);

        using var b = await bobTask.WaitAsync(TestTimeout);
        using var bobCodec = b.CreateCodec();
        Assert.Equal("early"u8.ToArray(), await ReceiveFrameAsync(responderEnd, bobCodec));
    }

    [Theory]
    [InlineData("/yamux/1.0.0,/mplex/6.7.0", "/mplex/6.7.0,/yamux/1.0.0", "/yamux/1.0.0")]
    [InlineData("/other/1,/yamux/1.0.0", "/yamux/1.0.0", "/yamux/1.0.0")]
    [InlineData("/yamux/1.0.0", "/yamux/1.0.0", "/yamux/1.0.0")]
    [InlineData("", "/yamux/1.0.0", null)]
    [InlineData("/yamux/1.0.0", "", null)]
    [InlineData("", "", null)]
    [InlineData("/mplex/6.7.0", "/yamux/1.0.0", null)]
    public async Task Handshake_EarlyMuxer_FirstOfInitiatorsListTheResponderSupports(string initiatorList, string responderList, string? expected)
    {
        string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries);
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var (left, right) = NoiseTestKit.CreateConnection();
        var bobTask = Respond(right, bob, Split(responderList));
        using var a = await Initiate(left, alice, muxers: Split(initiatorList)).WaitAsync(TestTimeout);
        using var b = await bobTask.WaitAsync(TestTimeout);

        Assert.Equal(expected, a.EarlyMuxer);
        Assert.Equal(expected, b.EarlyMuxer);
        Assert.Equal(Split(responderList), a.RemoteMuxers);
        Assert.Equal(Split(initiatorList), b.RemoteMuxers);
    }

    [Fact]
    public void ChooseMuxer_AppliesTheInitiatorsPreference()
    {
        Assert.Equal("b", NoiseHandshake.ChooseMuxer(["x", "b", "a"], ["a", "b"]));
        Assert.Null(NoiseHandshake.ChooseMuxer([], ["a"]));
        Assert.Null(NoiseHandshake.ChooseMuxer(["a"], []));
        Assert.Null(NoiseHandshake.ChooseMuxer(["A"], ["a"]));
        Assert.Throws<ArgumentNullException>(() => NoiseHandshake.ChooseMuxer(null!, []));
        Assert.Throws<ArgumentNullException>(() => NoiseHandshake.ChooseMuxer([], null!));
    }

    [Fact]
    public async Task Initiate_WrongExpectedPeer_ThrowsPeerIdMismatch_AndResponderFails()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        using var carol = PrivateKey.Generate();
        var (left, right) = NoiseTestKit.CreateConnection();
        var bobTask = Respond(right, bob);
        var expected = PeerId.FromPublicKey(carol.PublicKey);

        var mismatch = await FailsWith<PeerIdMismatchException>(Initiate(left, alice, expected));
        Assert.Equal(expected, mismatch.Expected);
        Assert.Equal(PeerId.FromPublicKey(bob.PublicKey), mismatch.Actual);
        Assert.IsAssignableFrom<HandshakeException>(mismatch);

        // Alice aborts before revealing herself; once she closes, Bob's handshake fails too.
        await NoiseTestKit.CloseAsync(left);
        await FailsWith<HandshakeException>(bobTask);
    }

    /// <summary>Argument errors surface when the method is called, before any task exists.</summary>
    private static void ThrowsAtOnce<T>(Func<Task> call)
        where T : Exception => Assert.Throws<T>(() => { _ = call(); });

    [Fact]
    public async Task Arguments_AreChecked()
    {
        using var key = PrivateKey.Generate();
        var (pipe, _) = NoiseTestKit.CreateConnection();
        var time = TimeProvider.System;
        var timeout = TimeSpan.FromSeconds(1);
        ThrowsAtOnce<ArgumentNullException>(() => NoiseHandshake.InitiateAsync(null!, key, null, [], time, timeout, default));
        ThrowsAtOnce<ArgumentNullException>(() => NoiseHandshake.InitiateAsync(pipe, (PrivateKey)null!, null, [], time, timeout, default));
        ThrowsAtOnce<ArgumentNullException>(() => NoiseHandshake.InitiateAsync(pipe, key, null, null!, time, timeout, default));
        ThrowsAtOnce<ArgumentNullException>(() => NoiseHandshake.InitiateAsync(pipe, key, null, [], null!, timeout, default));
        ThrowsAtOnce<ArgumentOutOfRangeException>(() => NoiseHandshake.InitiateAsync(pipe, key, null, [], time, TimeSpan.Zero, default));
        ThrowsAtOnce<ArgumentException>(() => NoiseHandshake.InitiateAsync(pipe, key, null, [""], time, timeout, default));
        ThrowsAtOnce<ArgumentNullException>(() => NoiseHandshake.InitiateAsync(pipe, key, null, [null!], time, timeout, default));
        ThrowsAtOnce<ArgumentException>(() => NoiseHandshake.RespondAsync(pipe, key, [new string('m', 70000)], time, timeout, default));
        ThrowsAtOnce<ArgumentNullException>(() => NoiseHandshake.RespondAsync(null!, key, [], time, timeout, default));
        ThrowsAtOnce<ArgumentOutOfRangeException>(() => NoiseHandshake.RespondAsync(pipe, key, [], time, TimeSpan.FromSeconds(-2), default));

        // A muxer list just under the rough bound but over the exact one is caught before any I/O.
        var many = Enumerable.Range(0, 30000).Select(i => "m").ToArray();
        ThrowsAtOnce<ArgumentException>(() => NoiseHandshake.InitiateAsync(pipe, key, null, many, time, timeout, default));

        // An infinite timeout is allowed.
        var (l, r) = NoiseTestKit.CreateConnection();
        using var other = PrivateKey.Generate();
        var respond = NoiseHandshake.RespondAsync(r, other, [], time, Timeout.InfiniteTimeSpan, default);
        using var result = await NoiseHandshake.InitiateAsync(l, key, null, [], time, Timeout.InfiniteTimeSpan, default).WaitAsync(TestTimeout);
        (await respond.WaitAsync(TestTimeout)).Dispose();
    }

    private static async Task SendFrameAsync(IDuplexPipe pipe, NoiseFrameCodec codec, byte[] plaintext)
    {
        var frame = new byte[plaintext.Length + codec.FrameOverhead];
        codec.Seal(plaintext, frame);
        await pipe.Output.WriteAsync(frame);
    }

    private static async Task<byte[]> ReceiveFrameAsync(IDuplexPipe pipe, NoiseFrameCodec codec)
    {
        while (true)
        {
            var result = await pipe.Input.ReadAsync().AsTask().WaitAsync(TestTimeout);
            var buffer = result.Buffer;
            if (codec.TryOpen(ref buffer, out var plaintext))
            {
                pipe.Input.AdvanceTo(buffer.Start);
                var bytes = plaintext.Span.ToArray();
                plaintext.Return();
                return bytes;
            }

            pipe.Input.AdvanceTo(buffer.Start, buffer.End);
            Assert.False(result.IsCompleted, "The connection ended before a frame arrived.");
        }
    }
}
