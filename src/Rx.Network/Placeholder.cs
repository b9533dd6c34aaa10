namespace Rx.Network;
