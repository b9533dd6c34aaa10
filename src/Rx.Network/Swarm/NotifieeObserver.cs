namespace Rx.Network.Swarm;

/// <summary>Adapts an <see cref="INotifiee"/> to the event stream (the seed's <c>Notify</c>).</summary>
internal sealed class NotifieeObserver(INetwork network, INotifiee notifiee) : IObserver<NetworkEvent>
{
    public void OnNext(NetworkEvent value)
    {
        switch (value)
        {
            case ListenStarted e:
                notifiee.Listen(network, e.Address);
                break;
            case ListenClosed e:
                notifiee.ListenClose(network, e.Address);
                break;
            case Connected e:
                notifiee.Connected(network, e.Connection);
                break;
            case Disconnected e:
                notifiee.Disconnected(network, e.Connection);
                break;
            case StreamOpened e:
                notifiee.OpenedStream(network, e.Stream);
                break;
            case StreamClosed e:
                notifiee.ClosedStream(network, e.Stream);
                break;
        }
    }

    public void OnError(Exception error)
    {
        // The only error is EventOverflowException, which the network reported (event and log)
        // when it happened: a notifiee has no error callback of its own.
    }

    public void OnCompleted()
    {
    }
}
