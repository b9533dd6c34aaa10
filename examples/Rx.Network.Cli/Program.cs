using System.CommandLine;
using Rx.Network.Cli;

// rxnet: a command-line node for trying Rx.Network by hand and for interop tests.
// Contract (kept stable for scripts): `listen` prints one JSON line on stdout once listening (the
// first line, the only one with "peerId"), then one line per resource limit event ({"event":"limit"})
// and per stdin command ({"event":"stats"}); `dial` prints one JSON line per check and exits 0 only
// if every check passed.
var root = new RootCommand("rxnet — a Rx.Network node on the command line")
{
    ListenCommand.Create(),
    DialCommand.Create(),
    HumanCommands.Ping(),
    HumanCommands.Perf(),
    IdCommand.Create(),
    DemoCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
