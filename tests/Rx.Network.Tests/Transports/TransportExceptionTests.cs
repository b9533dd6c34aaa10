using System.Net.Sockets;
using Rx.Network.Addressing;

namespace Rx.Network.Tests.Transports;

public class TransportExceptionTests
{
    [Fact]
    public void IsAnIOException_CarryingAddressAndSocketError()
    {
        var address = Multiaddr.Parse("/ip4/127.0.0.1/tcp/1");
        var inner = new SocketException((int)SocketError.AddressAlreadyInUse);
        var e = new TransportException(address, SocketError.AddressAlreadyInUse, "busy", inner);
        Assert.IsAssignableFrom<IOException>(e);
        Assert.Same(address, e.Address);
        Assert.Equal(SocketError.AddressAlreadyInUse, e.SocketError);
        Assert.Equal("busy", e.Message);
        Assert.Same(inner, e.InnerException);
    }

    [Fact]
    public void MessageConstructors_LeaveAddressUnknown()
    {
        Assert.Null(new TransportException().Address);
        Assert.Null(new TransportException("m").SocketError);
        Assert.Equal("m", new TransportException("m", new IOException()).Message);
    }

    [Fact]
    public void Arguments_AreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => new TransportException(null!, null, "m"));
        Assert.Throws<ArgumentNullException>(() => new TransportException(Multiaddr.Parse("/ip4/1.2.3.4/tcp/1"), null, null!));
    }
}
