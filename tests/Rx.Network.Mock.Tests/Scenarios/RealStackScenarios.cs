namespace Rx.Network.Mock.Tests.Scenarios;

/// <summary>The scenarios on the mock's real-stack mode (Noise, yamux) in virtual time.</summary>
public sealed class RealStackScenarios : ScenarioSuite
{
    protected override IReadOnlyDictionary<string, TimeSpan> Timings { get; } = new Dictionary<string, TimeSpan>
    {
        [nameof(Echo_DeliversTheBytesBack)] = TimeSpan.FromMilliseconds(80), // as the fast mode: the yamux SYN goes with multistream-select's proposal
        [nameof(RequestReply_AnswersTheRequest_DialingFirst)] = TimeSpan.FromMilliseconds(200), // the dial is three round trips (TCP-like accept, /noise, the XX handshake and /yamux: 120 ms), then as the fast mode (80)
        [nameof(AProtocolTheRemoteDoesNotSpeak_FailsWithNegotiationException_AndKeepsTheConnection)] = TimeSpan.FromMilliseconds(40), // as the fast mode
        [nameof(AStreamTheRemoteResets_FailsTheReaderWithStreamResetException)] = TimeSpan.FromMilliseconds(80), // as the fast mode
        [nameof(Connectedness_AndTheEventStream_FollowConnectStreamAndClose_InOrder)] = TimeSpan.FromMilliseconds(240), // dial (120), echo (80), and yamux's graceful close waits for the remote's half of it (40)
        [nameof(StreamsOverThePerPeerLimit_AreRefused_WithATypedError)] = TimeSpan.FromMilliseconds(200), // as the fast mode
    };

    protected override IScenarioHost CreateHost() => new MockScenarioHost(MockNetworkMode.RealStack);
}
