#!/usr/bin/env bash
# Fresh-process figures, in ONE run, for the rxnet CLI and the js-libp2p interop peer
# (tests/interop/js-peer), each dialing a listener of its own kind over 127.0.0.1 with Noise + yamux:
#   - the first ping of a new process (and, for rxnet, the settled RTT after it),
#   - the wall time of the whole `dial ADDR --test ping` process (start to exit),
#   - the throughput of a new process's single perf exchange (`dial --test perf`, BYTES each way;
#     MB/s = both ways / the exchange's time, the js peer's rule).
# Each figure is the median of N new processes, taken in turns (rxnet, js, rxnet, js, ...) so that
# load on the machine weighs on both alike. rxnet is measured as shipped (`dotnet publish -r
# linux-x64`: self-contained, trimmed, one composite ReadyToRun image of the CLI, its libraries and
# the trimmed .NET libraries, see examples/Rx.Network.Cli/Rx.Network.Cli.csproj) and, for
# comparison, as the framework-dependent ReadyToRun publish (each assembly precompiled on its own;
# the tool package until session 10) and as the plain `dotnet build` output (every method compiled
# by the JIT when first called).
#
# Every process also gets its CPU time (user + sys, from /usr/bin/time), its exit status and the
# machine's 1-minute load average when it started; the table gives the medians of both beside each
# figure, and counts the processes that failed (no result line, or a non-zero exit status).
#
# usage: tests/perf/coldstart.sh [--runs N] [--bytes BYTES] [--composite] [--prebuilt DIR] [--out DIR]
#   --runs N        new processes per figure and implementation (default 7)
#   --composite     also measure the same composite untrimmed (the whole .NET library precompiled
#                   with the CLI: ~100 MB, and its publish takes longer)
#   --prebuilt DIR  take the publishes from DIR (DIR/rxnet, DIR/rxnet-r2r, and DIR/rxnet-composite
#                   with --composite) instead of publishing again; the plain build is still built
#   --bytes BYTES   perf bytes each way (default 268435456, 256 MiB)
#   --out DIR       where results.jsonl and the listeners' logs go (default: a new temp dir)
# Needs: the .NET SDK (and the linux-x64 runtime pack, ILLink and crossgen2 from NuGet),
# Node.js 20+, npm and /usr/bin/time (GNU time). Only 127.0.0.1 is used; the listeners are stopped
# when the script exits.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=7
bytes=$((256 << 20))
out=""
composite=0
prebuilt=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --composite) composite=1; shift ;;
    --bytes) bytes=$2; shift 2 ;;
    --prebuilt) prebuilt=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "--runs needs a positive integer, got '$runs'" >&2; exit 2; }
[[ $bytes =~ ^[1-9][0-9]*$ ]] || { echo "--bytes needs a positive integer, got '$bytes'" >&2; exit 2; }
out=${out:-$(mktemp -d /tmp/rxnet-coldstart.XXXXXX)}
mkdir -p "$out"
results=$out/results.jsonl
: > "$results"

[[ -x /usr/bin/time ]] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }
cli=$root/examples/Rx.Network.Cli
published=${prebuilt:-$out}
if [[ -z $prebuilt ]]; then
  # Each publish has its own artifacts path: composite publishing rewrites the component
  # assemblies in obj/, and another publish for the same runtime identifier would pick those up.
  echo "publishing (Release, linux-x64: what the rxnet tool package holds; minutes) ..." >&2
  dotnet publish "$cli" -c Release -r linux-x64 -o "$out/rxnet" --artifacts-path "$out/shipped-artifacts" -v quiet -nologo >&2
  echo "publishing the framework-dependent ReadyToRun build ..." >&2
  dotnet publish "$cli" -c Release -r linux-x64 -p:SelfContained=false -p:PublishTrimmed=false -p:PublishReadyToRunComposite=false -o "$out/rxnet-r2r" --artifacts-path "$out/r2r-artifacts" -v quiet -nologo >&2
  if [[ $composite -eq 1 ]]; then
    echo "publishing the untrimmed composite (minutes) ..." >&2
    dotnet publish "$cli" -c Release -r linux-x64 -p:PublishTrimmed=false -o "$out/rxnet-composite" --artifacts-path "$out/composite-artifacts" -v quiet -nologo >&2
  fi
fi
echo "building the plain build (Release, IL only) ..." >&2
dotnet build -c Release "$cli" -v quiet -nologo >&2
shipped=("$published/rxnet/rxnet")
jit=(dotnet "$cli/bin/Release/net10.0/rxnet.dll")
r2r=("$published/rxnet-r2r/rxnet")
[[ -x ${shipped[0]} ]] || { echo "no published rxnet at ${shipped[0]}" >&2; exit 2; }
[[ -x ${r2r[0]} ]] || { echo "no framework-dependent rxnet at ${r2r[0]}" >&2; exit 2; }
if [[ $composite -eq 1 ]]; then
  [[ -x $published/rxnet-composite/rxnet ]] || { echo "no composite rxnet at $published/rxnet-composite" >&2; exit 2; }
fi
peer=$root/tests/interop/js-peer
if [[ ! -d $peer/node_modules ]]; then
  (cd "$peer" && npm ci --no-audit --no-fund >&2)
fi
js=(node "$peer/peer.mjs")

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# listen NAME COMMAND...: starts a listener whose stdin stays open (rxnet listen ends when its stdin
# closes) and waits for its first stdout line, the one with its addresses.
listen() {
  local name=$1; shift
  mkfifo "$out/$name.stdin"
  "$@" < "$out/$name.stdin" > "$out/$name.out" 2> "$out/$name.err" &
  pids+=($!)
  exec {fd}> "$out/$name.stdin" # held open until the script exits
  for _ in $(seq 1 300); do
    if [[ -s $out/$name.out ]]; then return; fi
    sleep 0.1
  done
  echo "$name did not start; see $out/$name.err" >&2
  exit 1
}
addr() { head -n 1 "$out/$1.out" | sed -n 's/.*"addrs":\["\([^"]*\)".*/\1/p'; }

listen rxnet-listener "${shipped[@]}" listen
listen js-listener "${js[@]}" listen
rx_addr=$(addr rxnet-listener)
js_addr=$(addr js-listener)
echo "rxnet $rx_addr | js-libp2p $js_addr" >&2

# now_ms: a monotonic-enough wall clock in milliseconds (date's nanoseconds).
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# dial IMPL TEST COMMAND...: one new process; appends {"impl","test","wallMs","cpuMs","rc","load","line"}
# to the results (cpuMs: the process's user + sys time; rc: its exit status; load: the 1-minute
# load average at its start).
dial() {
  local impl=$1 test=$2; shift 2
  local started ended line load cpu rc
  load=$(cut -d ' ' -f 1 /proc/loadavg)
  started=$(now_ms)
  # GNU time writes "Command exited with non-zero status N" above its format line when N != 0.
  line=$(/usr/bin/time -f '%U %S' -o "$out/cpu.txt" "$@" 2> /dev/null | grep -m1 "\"check\":\"$test\"" || true)
  ended=$(now_ms)
  cpu=$(awk '/^[0-9.]+ [0-9.]+$/ { printf "%d", ($1 + $2) * 1000 }' "$out/cpu.txt")
  rc=$(awk '/non-zero status/ { print $NF; found = 1 } /terminated by signal/ { print 128 + $NF; found = 1 } END { if (!found) print 0 }' "$out/cpu.txt")
  [[ -n $line ]] || line='{"ok":false}'
  echo "{\"impl\":\"$impl\",\"test\":\"$test\",\"wallMs\":$((ended - started)),\"cpuMs\":${cpu:-null},\"rc\":$rc,\"load\":$load,\"line\":$line}" | tee -a "$results" >&2
}

# A first dial of each kind, unmeasured: the listeners' own first connection compiles their code,
# and the file cache warms up.
"${shipped[@]}" dial "$rx_addr" --test ping > /dev/null 2>&1 || true
"${js[@]}" dial "$js_addr" --test ping > /dev/null 2>&1 || true

for _ in $(seq 1 "$runs"); do
  dial rxnet ping "${shipped[@]}" dial "$rx_addr" --test ping
  dial rxnet-r2r ping "${r2r[@]}" dial "$rx_addr" --test ping
  dial rxnet-jit ping "${jit[@]}" dial "$rx_addr" --test ping
  if [[ $composite -eq 1 ]]; then dial rxnet-composite ping "$published/rxnet-composite/rxnet" dial "$rx_addr" --test ping; fi
  dial js-libp2p ping "${js[@]}" dial "$js_addr" --test ping
done
for _ in $(seq 1 "$runs"); do
  dial rxnet perf "${shipped[@]}" dial "$rx_addr" --test perf --bytes "$bytes"
  dial rxnet-r2r perf "${r2r[@]}" dial "$rx_addr" --test perf --bytes "$bytes"
  dial rxnet-jit perf "${jit[@]}" dial "$rx_addr" --test perf --bytes "$bytes"
  if [[ $composite -eq 1 ]]; then dial rxnet-composite perf "$published/rxnet-composite/rxnet" dial "$rx_addr" --test perf --bytes "$bytes"; fi
  dial js-libp2p perf "${js[@]}" dial "$js_addr" --test perf --bytes "$bytes"
done

# The table: medians per implementation, and the ratios the issue asks about.
node - "$results" "$runs" "$bytes" <<'EOF'
const fs = require('node:fs')
const [file, runs, bytes] = process.argv.slice(2)
const rows = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)]
}
const of = (impl, test) => rows.filter((r) => r.impl === impl && r.test === test)
const failed = rows.filter((r) => !r.line.ok || (r.rc ?? 0) !== 0).length
const fmt = (x, digits = 1) => Number.isFinite(x) ? x.toFixed(digits) : '–'
const firstPing = (r) => r.line.firstRttMs ?? (r.line.rtts ? r.line.rtts[0] : r.line.rttMs)
const settledPing = (r) => r.line.settledRttMs ?? (r.line.rtts ? median(r.line.rtts.slice(1)) : NaN)
const perfMbps = (r) => r.line.MBps ?? r.line.mbps
const names = { rxnet: 'rxnet (shipped: trimmed composite)', 'rxnet-r2r': 'rxnet (framework-dependent ReadyToRun)', 'rxnet-jit': 'rxnet (plain build, JIT)', 'rxnet-composite': 'rxnet (untrimmed composite)', 'js-libp2p': 'js-libp2p' }
const impls = Object.keys(names).filter((impl) => rows.some((r) => r.impl === impl))
const figures = Object.fromEntries(impls.map((impl) => [impl, {
  first: median(of(impl, 'ping').map(firstPing)),
  settled: median(of(impl, 'ping').map(settledPing)),
  wall: median(of(impl, 'ping').map((r) => r.wallMs)),
  cpu: median(of(impl, 'ping').map((r) => r.cpuMs)),
  load: median(of(impl, 'ping').map((r) => r.load)),
  perf: median(of(impl, 'perf').map(perfMbps)),
  perfWall: median(of(impl, 'perf').map((r) => r.wallMs)),
  perfCpu: median(of(impl, 'perf').map((r) => r.cpuMs)),
  perfLoad: median(of(impl, 'perf').map((r) => r.load))
}]))
// The perf ratio turn by turn (the processes of one turn ran back to back), then its median.
const turnRatio = (impl) => {
  const mine = of(impl, 'perf').map(perfMbps)
  const js = of('js-libp2p', 'perf').map(perfMbps)
  return median(mine.map((x, i) => x / js[i]))
}
const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
console.log(`machine: ${require('node:os').cpus().length} cores, load average ${load} at the end, ${new Date().toISOString()}`)
console.log(`medians of ${runs} new processes each, in turns; perf ${bytes} bytes each way${failed ? `; ${failed} process(es) FAILED, see results.jsonl` : ''}`)
console.log()
console.log(`| fresh process | ${impls.map((i) => names[i]).join(' | ')} |`)
console.log(`|---|${impls.map(() => '---:|').join('')}`)
const row = (label, key, digits) => console.log(`| ${label} | ${impls.map((i) => fmt(figures[i][key], digits)).join(' | ')} |`)
row('first ping RTT (ms; js-libp2p\'s ping service reports whole ms)', 'first', 2)
row('settled ping RTT (ms; rxnet: median of pings 2-10, on one stream; js: of pings 2-3)', 'settled', 3)
row('whole `dial --test ping` (ms, process start to exit)', 'wall', 0)
row('its CPU time (ms, user + sys)', 'cpu', 0)
row('load average (1 min) at its start', 'load', 1)
row('`dial --test perf` throughput (MB/s, both ways)', 'perf', 0)
row('whole `dial --test perf` (ms)', 'perfWall', 0)
row('its CPU time (ms, user + sys)', 'perfCpu', 0)
row('load average (1 min) at its start', 'perfLoad', 1)
console.log(`| perf throughput ÷ js-libp2p's (median of the turns' ratios) | ${impls.map((i) => i === 'js-libp2p' ? '–' : fmt(turnRatio(i), 2) + ' ×').join(' | ')} |`)
EOF
echo "results: $out" >&2
