using System.CommandLine;
using Rx.Network.Cli;

// rxnet: a command-line node for trying Rx.Network by hand and for interop tests.
// Contract (kept stable for scripts): `listen` prints exactly one JSON line on stdout once
// listening; `dial` prints one JSON line per check and exits 0 only if every check passed.
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
