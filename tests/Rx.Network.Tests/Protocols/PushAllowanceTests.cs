using Rx.Network.Protocols;

namespace Rx.Network.Tests.Protocols;

public class PushAllowanceTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryTake_ABurstOfThePerMinuteCount_ThenRefused()
    {
        var allowance = new PushAllowance(10, Start);

        Assert.All(Enumerable.Range(0, 10), _ => Assert.True(allowance.TryTake(Start)));
        Assert.False(allowance.TryTake(Start));
    }

    [Fact]
    public void TryTake_RefillsAtThePerMinuteRate_UpToTheBurst()
    {
        var allowance = new PushAllowance(10, Start);
        for (int i = 0; i < 10; i++)
        {
            allowance.TryTake(Start);
        }

        Assert.False(allowance.TryTake(Start + TimeSpan.FromSeconds(5)));
        Assert.True(allowance.TryTake(Start + TimeSpan.FromSeconds(6.1)));
        Assert.False(allowance.TryTake(Start + TimeSpan.FromSeconds(6.2)));

        // An hour of silence refills the burst, no more.
        var later = Start + TimeSpan.FromHours(1);
        Assert.Equal(10, Enumerable.Range(0, 20).Count(_ => allowance.TryTake(later)));
    }
}
