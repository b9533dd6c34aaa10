namespace Rx.Network.Mock;

/// <summary>What a mock network's links carry.</summary>
public enum MockNetworkMode
{
    /// <summary>
    /// In-memory streams (the default): connections, streams, flow control and faults are modelled
    /// directly, with no encoding or encryption, so thousands of peers run in one process and a
    /// virtual-time run is deterministic.
    /// </summary>
    Fast = 0,

    /// <summary>
    /// The real stack: each peer is a production network (multistream-select, Noise, yamux, the
    /// swarm) whose transport is a mock link carrying bytes with the link's latency and bandwidth.
    /// Integration tests cover the real pipeline without sockets, in real or virtual time: in virtual
    /// time link latencies are exact and the stack's keep-alives and timeouts follow the virtual
    /// clock; it costs more wall time than the fast mode (see the package README).
    /// </summary>
    RealStack,
}
