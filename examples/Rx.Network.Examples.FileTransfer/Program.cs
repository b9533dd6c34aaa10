using System.CommandLine;
using Rx.Network.Examples.FileTransfer;

// filetransfer: send a file to a peer over /file/1.0.0, checked with SHA-256.
//   filetransfer receive --dir DIR     prints {"peerId":…,"addrs":[…]} and stores what arrives
//   filetransfer send FILE --to ADDR   sends FILE; exits 0 only if the receiver verified it
// Progress is a live bar on a terminal, plain lines otherwise.
var root = new RootCommand("filetransfer — send files between peers over Rx.Network")
{
    SendCommand.Create(),
    ReceiveCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
