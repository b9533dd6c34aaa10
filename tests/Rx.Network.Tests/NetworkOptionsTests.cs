namespace Rx.Network.Tests;

public sealed class NetworkOptionsTests
{
    [Fact]
    public void MaxNotConnectedPeerStatuses_LessThanOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NetworkOptions.Default with { MaxNotConnectedPeerStatuses = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new NetworkOptions { MaxNotConnectedPeerStatuses = -1 });
    }

    [Fact]
    public void Default_HasTheDocumentedValues()
    {
        var options = NetworkOptions.Default;
        Assert.Same(TimeProvider.System, options.TimeProvider);
        Assert.Equal(TimeSpan.FromSeconds(10), options.StreamNegotiationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ShutdownTimeout);
        Assert.Equal(10_000, options.EventQueueCapacity);
        Assert.Equal(1024, options.MaxNotConnectedPeerStatuses);
        Assert.Equal(1, (NetworkOptions.Default with { MaxNotConnectedPeerStatuses = 1 }).MaxNotConnectedPeerStatuses);
    }
}
