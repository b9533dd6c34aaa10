using Rx.Network.PerfTool;

// Subcommands (tests/perf/compare.sh uses them all; docs/benchmarks.md explains the figures):
//   serve [--listen MULTIADDR] [--security noise|tls]  rxnet perf + ping server, one JSON line when listening
//   tcp-serve                                      raw TCP server: perf exchange, echo; one JSON line
//   client MULTIADDR --measure throughput|handshakes|ping|ping-under-load [--bytes N --streams K --runs R
//          --warmup-seconds W --seconds S --concurrency C --pings N --security noise|tls]
//                                                  rxnet client, one JSON result line
//   tcp-client HOST:PERFPORT:ECHOPORT --measure …   the same measurements over raw sockets
//   tcp-cpu [--bytes N]                            in-process: the baseline's CPU seconds per GB
//   memory [--streams 10000 --connections 200 --security noise|tls --label L]
//                                                  in-process: memory of open streams and idle connections
//   alloc [--bytes N --streams 1 --security noise|tls --label L]
//                                                  in-process: bytes allocated per payload byte, steady state
//   handshake-cpu [--count N --warmup W]           in-process: CPU per full handshake (both ends)
//   attack --rxnet RXNET.DLL | --js PEER.MJS [--attacks window-fill,slowloris,churn,identify --k 1,4,16]
//                                                  issue #14's attacks against a listener child process
//   idle [--dialers 4 --steps 1000,5000,10000 --gcdump DOTNET-GCDUMP --dump-at N --security noise|tls]
//                                                  issue #18: a listener's heap and RSS per idle connection (tests/perf/idle.sh)
//   idle-listen, idle-dial MULTIADDR               its child processes
//   report RESULTS.jsonl [--chart OUT.png]         table of figures and ratios, and the chart
try
{
    if (args.Length == 0)
    {
        Console.Error.WriteLine("usage: perftool serve|tcp-serve|client|tcp-client|memory|alloc|attack|report …");
        return 2;
    }

    var options = new Options(args[1..]);
    return args[0] switch
    {
        "serve" => await LibP2pPerf.ServeAsync(options),
        "client" => await LibP2pPerf.ClientAsync(options),
        "tcp-serve" => await TcpPerf.ServeAsync(),
        "tcp-client" => await TcpPerf.ClientAsync(options),
        "tcp-cpu" => await TcpPerf.CpuAsync(options),
        "memory" => await MemoryProbe.RunAsync(options),
        "alloc" => await AllocationProbe.RunAsync(options),
        "handshake-cpu" => await HandshakeProbe.RunAsync(options),
        "attack" => await AttackProbe.RunAsync(options),
        "idle" => await Rx.Network.PerfTool.Idle.IdleProbe.RunAsync(options),
        "idle-listen" => await Rx.Network.PerfTool.Idle.IdlePeers.ListenAsync(options),
        "idle-dial" => await Rx.Network.PerfTool.Idle.IdlePeers.DialAsync(options),
        "report" => Report.Run(options),
        _ => throw new ArgumentException($"Unknown subcommand {args[0]}."),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
