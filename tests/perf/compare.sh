#!/usr/bin/env bash
# End-to-end comparison on this machine, in ONE run, over loopback with the libp2p perf protocol
# (/perf/1.0.0): rxnet <-> rxnet (over TCP + Noise, and over TCP + TLS), js-libp2p <-> js-libp2p
# (tests/interop/js-peer) and a raw TCP
# socket baseline speaking the same exchange; one stream and 16 parallel streams, full handshakes
# per second, ping RTT percentiles, alone and beside a saturating upload on the same connection; plus rxnet's in-process memory and allocation probes. Prints a
# Markdown table of the figures and their ratios to the same-run baselines, and draws the chart.
#
# usage: tests/perf/compare.sh [--quick] [--turns N] [--out DIR] [--chart FILE.png]
#   --quick       smaller transfers and shorter loops (a smoke run, about a minute)
#   --turns N     client processes per implementation and throughput figure (default 5; quick 1)
#   --out DIR     where results.jsonl, the servers' logs and report.md go (default: a new temp dir)
#   --chart FILE  the PNG to draw (default: DIR/benchmarks.png)
# Needs: the .NET SDK, Node.js 20+ and npm (the js peer is installed with `npm ci` if needed).
# Only 127.0.0.1 is ever used; every server this script starts is stopped when it exits.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=""
chart=""
quick=0
turns_arg=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --turns) turns_arg=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --chart) chart=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/rxnet-perf.XXXXXX)}
mkdir -p "$out"
chart=${chart:-$out/benchmarks.png}
results=$out/results.jsonl
: > "$results"

# turns: each throughput measurement is taken this many times, in turns across the three
# implementations (rxnet, js, tcp, rxnet, js, tcp, ...), each time by a new client process; the
# report pools the rounds. Minutes of drifting load on a shared machine then weigh on all three
# alike instead of on whichever ran during them; and a client process can run in a slow mode
# throughout (all three implementations do here: how the scheduler places the two processes'
# threads on the two cores, docs/benchmarks.md round 4), so the pooled median needs several
# processes, not several rounds of one.
# warmup: seconds of unmeasured rounds each client runs first (in the first turn they warm the
# server up too). A fresh process's JIT (.NET's tiers, V8's) takes seconds of load to settle (an
# rxnet process compiles ~2,700 more methods, ~1.2 s of JIT CPU, over its first 4-7 s under load);
# rounds before that measure the compiler, not the stack.
if [[ $quick -eq 1 ]]; then
  bytes=$((16 << 20)); bytes16=$((2 << 20)); runs=3; turns=1; warmup=1; seconds=2; pings=1000; pings_loaded=300; streams=2000; connections=50; alloc=$((64 << 20)); handshakes=300
else
  bytes=$((64 << 20)); bytes16=$((8 << 20)); runs=5; turns=5; warmup=5; seconds=5; pings=5000; pings_loaded=1000; streams=10000; connections=200; alloc=$((256 << 20)); handshakes=2000
fi
turns=${turns_arg:-$turns}
[[ $turns =~ ^[1-9][0-9]*$ ]] || { echo "--turns needs a positive integer, got '$turns'" >&2; exit 2; }

source "$root/tests/perf/common.sh"
start rxnet-server "${tool[@]}" serve
start rxnet-tls-server "${tool[@]}" serve --security tls
start js-server "${js[@]}" perf-listen --ignore-stdin
start tcp-server "${tool[@]}" tcp-serve
rx_addr=$(first_addr rxnet-server)
rx_tls_addr=$(first_addr rxnet-tls-server)
js_addr=$(first_addr js-server)
tcp_addr=$(head -n 1 "$out/tcp-server.out" | sed -n 's/.*"addr":"\([^"]*\)".*/\1/p')
echo "rxnet $rx_addr | rxnet TLS $rx_tls_addr | js-libp2p $js_addr | tcp $tcp_addr" >&2

# measure ARGS...: the same measurement for every implementation (rxnet over Noise and over TLS,
# js-libp2p, raw TCP), back to back, so that
# whatever else loads the machine at that moment weighs on each alike.
measure() {
  echo "measure $*" >&2
  "${tool[@]}" client "$rx_addr" "$@" | tee -a "$results"
  "${tool[@]}" client "$rx_tls_addr" "$@" --security tls --label rxnet-tls | tee -a "$results"
  "${js[@]}" perf "$js_addr" "$@" | tee -a "$results"
  "${tool[@]}" tcp-client "$tcp_addr" "$@" | tee -a "$results"
}

for _ in $(seq 1 "$turns"); do
  measure --measure throughput --streams 1 --bytes "$bytes" --runs "$runs" --warmup-seconds "$warmup"
done
for _ in $(seq 1 "$turns"); do
  measure --measure throughput --streams 16 --bytes "$bytes16" --runs "$runs" --warmup-seconds "$warmup"
done
measure --measure handshakes --seconds "$seconds" --concurrency 2 --warmup-seconds "$warmup"
measure --measure ping --pings "$pings"
# Head-of-line: ping round trips on one stream while another stream of the same connection
# uploads flat out (raw TCP: a second socket), and what that upload keeps of its solo rate.
measure --measure ping-under-load --pings "$pings_loaded" --runs "$runs" --seconds "$seconds" --warmup-seconds "$warmup"

echo "cross-implementation ..." >&2
"${tool[@]}" client "$js_addr" --measure throughput --bytes "$bytes" --runs "$runs" --warmup-seconds "$warmup" --label "rxnet → js-libp2p" | tee -a "$results"
"${js[@]}" perf "$rx_addr" --measure throughput --bytes "$bytes" --runs "$runs" --warmup-seconds "$warmup" --label "js-libp2p → rxnet" | tee -a "$results"

cleanup
pids=()
echo "in-process probes (rxnet) ..." >&2
"${tool[@]}" alloc --bytes "$alloc" | tee -a "$results"
"${tool[@]}" tcp-cpu --bytes "$alloc" | tee -a "$results"
"${tool[@]}" handshake-cpu --count "$handshakes" --warmup "$handshakes" | tee -a "$results"
"${tool[@]}" memory --streams "$streams" --connections "$connections" | tee -a "$results"

{
  echo "machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  "${tool[@]}" report "$results" --chart "$chart"
} | tee "$out/report.md"
echo "results: $out" >&2
