using Microsoft.Extensions.Time.Testing;
using System.IO.Pipelines;
using CsCheck;
using Google.Protobuf;
using NSec.Cryptography;
using Rx.Network.Encoding.Proto;
using Rx.Network.Identity;
using Rx.Network.Security.Noise;
using PrivateKey = Rx.Network.Identity.PrivateKey;

namespace Rx.Network.Tests.Security.Noise;

/// <summary>Hostile, broken and silent remotes: every failure is typed.</summary>
public partial class NoiseHandshakeTests
{
    /// <summary>A hand-driven responder whose payload the test chooses, given its Noise static key.</summary>
    private static async Task ScriptedRespondAsync(IDuplexPipe pipe, Func<byte[], byte[]> payload)
    {
        using var staticKey = X25519KeyPair.Create();
        using var state = new HandshakeState(false, [], staticKey);
        var buffer = new byte[HandshakeState.MaxMessageSize];
        state.ReadMessage((await NoiseTestKit.ReadFramedAsync(pipe.Input))!, buffer);
        int n = state.WriteMessage(payload(state.LocalStaticPublicKey.ToArray()), buffer);
        await NoiseTestKit.WriteFramedAsync(pipe.Output, buffer.AsMemory(0, n));
    }

    /// <summary>A hand-driven initiator whose final payload the test chooses.</summary>
    private static async Task ScriptedInitiateAsync(IDuplexPipe pipe, Func<byte[], byte[]> payload)
    {
        using var staticKey = X25519KeyPair.Create();
        using var state = new HandshakeState(true, [], staticKey);
        var buffer = new byte[HandshakeState.MaxMessageSize];
        await NoiseTestKit.WriteFramedAsync(pipe.Output, buffer.AsMemory(0, state.WriteMessage([], buffer)));
        state.ReadMessage((await NoiseTestKit.ReadFramedAsync(pipe.Input))!, new byte[HandshakeState.MaxMessageSize]);
        int n = state.WriteMessage(payload(state.LocalStaticPublicKey.ToArray()), buffer);
        await NoiseTestKit.WriteFramedAsync(pipe.Output, buffer.AsMemory(0, n));
    }

    private static byte[] Payload(PrivateKey identity, byte[] signedStaticKey, PrivateKey? signer = null) =>
        new NoiseHandshakePayload
        {
            IdentityKey = ByteString.CopyFrom(identity.PublicKey.ToProtobuf()),
            IdentitySig = ByteString.CopyFrom((signer ?? identity).Sign([.. "noise-libp2p-static-key:"u8.ToArray(), .. signedStaticKey])),
        }.ToByteArray();

    private static async Task<HandshakeException> InitiatorFailsAgainst(Func<byte[], byte[]> responderPayload)
    {
        using var alice = PrivateKey.Generate();
        var (left, right) = NoiseTestKit.CreateConnection();
        var responder = ScriptedRespondAsync(right, responderPayload);
        var exception = await FailsWith<HandshakeException>(Initiate(left, alice));
        await responder.WaitAsync(TestTimeout);
        return exception;
    }

    private static async Task<HandshakeException> ResponderFailsAgainst(Func<byte[], byte[]> initiatorPayload)
    {
        using var bob = PrivateKey.Generate();
        var (left, right) = NoiseTestKit.CreateConnection();
        var initiator = ScriptedInitiateAsync(left, initiatorPayload);
        var exception = await FailsWith<HandshakeException>(Respond(right, bob));
        await initiator.WaitAsync(TestTimeout);
        return exception;
    }

    [Fact]
    public async Task ScriptedPeer_ValidPayload_IsAccepted()
    {
        // Proves the scripted peers are faithful, so the failures below come from the one defect.
        using var bob = PrivateKey.Generate();
        using var alice = PrivateKey.Generate();
        var (left, right) = NoiseTestKit.CreateConnection();
        var responder = ScriptedRespondAsync(right, s => Payload(bob, s));
        using var result = await Initiate(left, alice, PeerId.FromPublicKey(bob.PublicKey)).WaitAsync(TestTimeout);
        await responder.WaitAsync(TestTimeout);
        Assert.Equal(PeerId.FromPublicKey(bob.PublicKey), result.RemotePeer);
    }

    [Fact]
    public async Task Initiate_SignatureOverAnotherStaticKey_ThrowsHandshakeException()
    {
        using var bob = PrivateKey.Generate();
        var e = await InitiatorFailsAgainst(_ => Payload(bob, new byte[32]));
        Assert.IsNotType<PeerIdMismatchException>(e);
        Assert.Contains("signature", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Initiate_SignatureByAnotherIdentity_ThrowsHandshakeException()
    {
        using var bob = PrivateKey.Generate();
        using var mallory = PrivateKey.Generate();
        var e = await InitiatorFailsAgainst(s => Payload(bob, s, signer: mallory));
        Assert.IsNotType<PeerIdMismatchException>(e);
    }

    [Fact]
    public async Task Respond_InitiatorWithBadSignature_ThrowsHandshakeException()
    {
        using var alice = PrivateKey.Generate();
        await ResponderFailsAgainst(_ => Payload(alice, new byte[32]));
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0x05, 0x01 })] // field 1 declares 5 bytes, has 1
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF })] // an invalid tag
    [InlineData(new byte[] { })] // no identity at all
    public async Task Initiate_MalformedPayload_ThrowsHandshakeExceptionWrappingProtocolViolation(byte[] payload)
    {
        var e = await InitiatorFailsAgainst(_ => payload);
        Assert.IsType<WireProtocolViolationException>(e.InnerException);
    }

    [Fact]
    public async Task Respond_UnreadableIdentityKey_ThrowsHandshakeExceptionWrappingProtocolViolation()
    {
        var payload = new NoiseHandshakePayload { IdentityKey = ByteString.CopyFrom(1, 2, 3), IdentitySig = ByteString.CopyFrom(4) }.ToByteArray();
        var e = await ResponderFailsAgainst(_ => payload);
        var violation = Assert.IsType<WireProtocolViolationException>(e.InnerException);
        Assert.IsAssignableFrom<FormatException>(violation.InnerException);
    }

    [Fact]
    public async Task Initiate_RemoteClosesAtOnce_ThrowsHandshakeException()
    {
        using var alice = PrivateKey.Generate();
        var (left, right) = NoiseTestKit.CreateConnection();
        await NoiseTestKit.CloseAsync(right);
        await FailsWith<HandshakeException>(Initiate(left, alice));
    }

    [Fact]
    public async Task Initiate_TruncatedSecondMessage_ThrowsHandshakeException()
    {
        using var alice = PrivateKey.Generate();
        var (left, right) = NoiseTestKit.CreateConnection();
        var handshake = Initiate(left, alice);
        await NoiseTestKit.ReadFramedAsync(right.Input);
        await right.Output.WriteAsync(new byte[] { 0x00, 0x64, 1, 2, 3 }); // declares 100 bytes, sends 3
        await right.Output.CompleteAsync();
        var e = await FailsWith<HandshakeException>(handshake);
        Assert.IsType<WireProtocolViolationException>(e.InnerException);
    }

    [Fact]
    public async Task Respond_RandomBytesThenEnd_OnlyHandshakeExceptions()
    {
        using var bob = PrivateKey.Generate();
        await Gen.Byte.Array[0, 200].SampleAsync(async bytes =>
        {
            var (left, right) = NoiseTestKit.CreateConnection();
            await left.Output.WriteAsync(bytes);
            await left.Output.CompleteAsync();
            await FailsWith<HandshakeException>(Respond(right, bob));
        }, iter: 200);
    }

    [Fact]
    public async Task Initiate_RandomSecondMessage_OnlyHandshakeExceptions()
    {
        using var alice = PrivateKey.Generate();
        await Gen.Byte.Array[0, 300].SampleAsync(async bytes =>
        {
            var (left, right) = NoiseTestKit.CreateConnection();
            var handshake = Initiate(left, alice);
            await NoiseTestKit.ReadFramedAsync(right.Input);
            await NoiseTestKit.WriteFramedAsync(right.Output, bytes);
            await FailsWith<HandshakeException>(handshake);
        }, iter: 200);
    }

    [Fact]
    public async Task Handshake_OneMutatedMessage_BothSidesFailTyped_Property()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var mutation = Gen.OneOf<Func<byte[], byte[]>>(
            Gen.Select(Gen.Int[0, 400], Gen.Int[0, 7]).Select<int, int, Func<byte[], byte[]>>((at, bit) => m =>
            {
                var copy = (byte[])m.Clone();
                if (copy.Length > 0)
                {
                    copy[at % copy.Length] ^= (byte)(1 << bit);
                }

                return copy;
            }),
            Gen.Int[0, 400].Select<int, Func<byte[], byte[]>>(length => m => m[..Math.Min(length, Math.Max(0, m.Length - 1))]),
            Gen.Byte.Array[1, 40].Select<byte[], Func<byte[], byte[]>>(extra => m => [.. m, .. extra]),
            Gen.Byte.Array[0, 400].Select<byte[], Func<byte[], byte[]>>(random => _ => random));

        await Gen.Select(Gen.Int[0, 2], mutation).SampleAsync(async (index, mutate) =>
        {
            var (initiatorEnd, relayA) = NoiseTestKit.CreateConnection();
            var (relayB, responderEnd) = NoiseTestKit.CreateConnection();
            var initiator = Outcome(Initiate(initiatorEnd, alice), initiatorEnd);
            var responder = Outcome(Respond(responderEnd, bob), responderEnd);
            var relay = NoiseTestKit.RelayHandshakeAsync(relayA, relayB, index, mutate);
            var outcomes = await Task.WhenAll(initiator, responder).WaitAsync(TestTimeout);
            await relay.WaitAsync(TestTimeout);

            // Every failure is a HandshakeException, and a tampered handshake never completes on both sides.
            Assert.All(outcomes, o => Assert.True(o is null or HandshakeException, o?.ToString()));
            Assert.Contains(outcomes, o => o is not null);
        }, iter: 150);
    }

    /// <summary>Runs one side to its end: null on success, else the exception (after closing the pipe, as a caller would).</summary>
    private static async Task<Exception?> Outcome(Task<NoiseHandshakeResult> handshake, IDuplexPipe pipe)
    {
        try
        {
            (await handshake).Dispose();
            return null;
        }
        catch (Exception exception)
        {
            await NoiseTestKit.CloseAsync(pipe);
            return exception;
        }
    }

    [Fact]
    public async Task Initiate_SilentPeer_TimesOutAtTheDeadline()
    {
        using var alice = PrivateKey.Generate();
        var time = new FakeTimeProvider();
        var (left, right) = NoiseTestKit.CreateConnection();
        var handshake = NoiseHandshake.InitiateAsync(left, alice, null, [], time, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.NotNull(await NoiseTestKit.ReadFramedAsync(right.Input)); // it is waiting for message 2

        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(handshake.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));
        var e = await FailsWith<HandshakeException>(handshake);
        Assert.IsType<TimeoutException>(e.InnerException);
    }

    [Fact]
    public async Task Respond_SilentPeer_RealClockShortTimeout_ThrowsHandshakeExceptionWithTimeout()
    {
        using var bob = PrivateKey.Generate();
        var (_, right) = NoiseTestKit.CreateConnection();
        var handshake = NoiseHandshake.RespondAsync(right, bob, [], TimeProvider.System, TimeSpan.FromMilliseconds(50), CancellationToken.None);
        var e = await FailsWith<HandshakeException>(handshake);
        Assert.IsType<TimeoutException>(e.InnerException);
    }

    [Fact]
    public async Task Initiate_CallerCancels_ThrowsOperationCanceled()
    {
        using var alice = PrivateKey.Generate();
        using var cancellation = new CancellationTokenSource();
        var (left, right) = NoiseTestKit.CreateConnection();
        var handshake = Initiate(left, alice, cancellationToken: cancellation.Token);
        await NoiseTestKit.ReadFramedAsync(right.Input);
        await cancellation.CancelAsync();
        var e = await Record.ExceptionAsync(() => handshake.WaitAsync(TestTimeout));
        Assert.IsAssignableFrom<OperationCanceledException>(e);
    }
}
