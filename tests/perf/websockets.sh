#!/usr/bin/env bash
# Throughput and ping over /ws + Noise beside TCP + Noise, in ONE run, over loopback with the
# libp2p perf protocol: rxnet over TCP, rxnet over /ws, and js-libp2p (tests/interop/js-peer) as
# the client over /ws and over TCP against the rxnet servers (js-libp2p's own /ws server timed out
# under load here), taken in turns (tcp, ws, js ws, js tcp, tcp, …) so that the load of a shared
# machine weighs on all alike. Prints the JSON result lines, then a Markdown table of
# medians and the ratio of /ws to TCP (docs/benchmarks.md, "WebSockets").
#
# usage: tests/perf/websockets.sh [--turns N] [--bytes N] [--out DIR]
# Needs the .NET SDK, Node.js 20+ and npm. Only 127.0.0.1 is used; every server started here is
# stopped when the script exits.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
turns=3
bytes=$((32 << 20))
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --turns) turns=$2; shift 2 ;;
    --bytes) bytes=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ $turns =~ ^[1-9][0-9]*$ ]] || { echo "--turns needs a positive integer, got '$turns'" >&2; exit 2; }
[[ $bytes =~ ^[1-9][0-9]*$ ]] || { echo "--bytes needs a positive integer, got '$bytes'" >&2; exit 2; }
out=${out:-$(mktemp -d /tmp/rxnet-ws-perf.XXXXXX)}
mkdir -p "$out"
results=$out/results.jsonl
: > "$results"

source "$root/tests/perf/common.sh"

start rxnet-tcp "${tool[@]}" serve --listen /ip4/127.0.0.1/tcp/0
start rxnet-ws "${tool[@]}" serve --listen /ip4/127.0.0.1/tcp/0/ws
declare -A addr=([rxnet-tcp]=$(first_addr rxnet-tcp) [rxnet-ws]=$(first_addr rxnet-ws) [js-ws]=$(first_addr rxnet-ws) [js-tcp]=$(first_addr rxnet-tcp))
echo "${addr[*]}" >&2

client() {
  local name=$1; shift
  case $name in
    rxnet-*) "${tool[@]}" client "${addr[$name]}" "$@" --label "$name" ;;
    js-*) "${js[@]}" perf "${addr[$name]}" "$@" --label "$name" --timeout-ms 600000 ;;
  esac | tee -a "$results"
}

for _ in $(seq 1 "$turns"); do
  for name in rxnet-tcp rxnet-ws js-ws js-tcp; do
    client "$name" --measure throughput --streams 1 --bytes "$bytes" --runs 3 --warmup-seconds 3
  done
done
for name in rxnet-tcp rxnet-ws js-ws js-tcp; do
  client "$name" --measure ping --pings 2000
done

{
  echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ), $turns turns of $((bytes >> 20)) MiB each way"
  echo
  node --input-type=module -e '
    import { readFileSync } from "node:fs"
    const lines = readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map(JSON.parse)
    const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 }
    const impls = ["rxnet-tcp", "rxnet-ws", "js-ws", "js-tcp"]
    const tput = Object.fromEntries(impls.map((i) => [i, median(lines.filter((l) => l.impl === i && l.measure === "throughput").flatMap((l) => l.runs))]))
    const ping = Object.fromEntries(impls.map((i) => [i, lines.find((l) => l.impl === i && l.measure === "ping")]))
    console.log("| client → rxnet server | throughput, 1 stream (MB/s each way, median of runs) | ping p50 (µs) | ping p99 (µs) |")
    console.log("|---|---:|---:|---:|")
    for (const i of impls) console.log(`| ${i} | ${tput[i].toFixed(0)} | ${ping[i]?.p50Us ?? "?"} | ${ping[i]?.p99Us ?? "?"} |`)
    console.log()
    console.log(`rxnet /ws ÷ rxnet TCP: ${(tput["rxnet-ws"] / tput["rxnet-tcp"]).toFixed(2)}; rxnet /ws ÷ js-libp2p /ws: ${(tput["rxnet-ws"] / tput["js-ws"]).toFixed(2)}`)
  ' "$results"
} | tee "$out/report.md"
echo "results: $out" >&2
