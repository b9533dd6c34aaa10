namespace Rx.Network.Mock.Tests.Scenarios;

/// <summary>The scenarios on the mock's fast mode in virtual time.</summary>
public sealed class FastScenarios : ScenarioSuite
{
    protected override IReadOnlyDictionary<string, TimeSpan> Timings { get; } = new Dictionary<string, TimeSpan>
    {
        [nameof(Echo_DeliversTheBytesBack)] = TimeSpan.FromMilliseconds(80), // opening and selecting the protocol (one round trip), the bytes there and back (one)
        [nameof(RequestReply_AnswersTheRequest_DialingFirst)] = TimeSpan.FromMilliseconds(120), // the dial (one round trip), opening the stream (one), the exchange (one)
        [nameof(AProtocolTheRemoteDoesNotSpeak_FailsWithNegotiationException_AndKeepsTheConnection)] = TimeSpan.FromMilliseconds(40), // the refused proposal (one round trip)
        [nameof(AStreamTheRemoteResets_FailsTheReaderWithStreamResetException)] = TimeSpan.FromMilliseconds(80), // opening (one round trip), the byte there and the reset back (one)
        [nameof(Connectedness_AndTheEventStream_FollowConnectStreamAndClose_InOrder)] = TimeSpan.FromMilliseconds(120), // dial (40), echo (80); the close is local
        [nameof(StreamsOverThePerPeerLimit_AreRefused_WithATypedError)] = TimeSpan.FromMilliseconds(200), // two echoes (80 each), the refusal (one round trip)
    };

    protected override IScenarioHost CreateHost() => new MockScenarioHost(MockNetworkMode.Fast);
}
