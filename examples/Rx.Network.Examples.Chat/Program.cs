using System.CommandLine;
using Rx.Network.Examples.Chat;

// chat: two peers type lines to each other over /chat/1.0.0.
//   chat listen            prints {"peerId":…,"addrs":[…]} and waits for a peer
//   chat connect ADDR      connects to it
// Received messages print as `<peer short id>: text`; status lines start with `* `. The chat ends
// when standard input ends or the other peer leaves.
var root = new RootCommand("chat — talk to another peer over Rx.Network")
{
    ChatCommands.Listen(),
    ChatCommands.Connect(),
};

return await root.Parse(args).InvokeAsync();
