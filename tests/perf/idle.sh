#!/usr/bin/env bash
# Issue #18's idle-connection probe: one rxnet listener process and several dialer processes
# (each connection from its own network, yamux keep-alives on) over loopback; the listener's
# managed heap (after a full compacting collection) and RSS at 0 connections and at each step,
# per connection; and, with dotnet-gcdump, what one idle connection holds, by type (the heap's
# growth between 0 and --dump-at connections). One JSON line per figure in DIR/results.jsonl;
# docs/benchmarks.md (session 7) explains them. The listener's connection limits are raised for
# the measurement (every dial comes from 127.0.0.1); it prints what it raised on stderr.
#
# usage: tests/perf/idle.sh [--steps 1000,5000,10000] [--dialers 4] [--dump-at 1000] [--out DIR]
#                           [--security noise|tls] [--no-gcdump]
# Needs the .NET SDK; dotnet-gcdump is installed into DIR/tools (from NuGet) unless --no-gcdump.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
steps="1000,5000,10000"
dialers=4
dump_at=""
out=""
security=noise
gcdump=yes
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) steps=$2; shift 2 ;;
    --dialers) dialers=$2; shift 2 ;;
    --dump-at) dump_at=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --security) security=$2; shift 2 ;;
    --no-gcdump) gcdump=no; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/rxnet-idle.XXXXXX)}
mkdir -p "$out"
results=$out/results.jsonl

# Every connection is a descriptor at both ends (the listener's and a dialer's).
ulimit -n "$(ulimit -Hn)"
max=${steps##*,}
if (( $(ulimit -n) < max + 1000 )); then
  echo "the descriptor limit ($(ulimit -n)) is below $((max + 1000)); raise the hard limit" >&2
  exit 1
fi

echo "building (Release) ..." >&2
dotnet build -c Release "$root/tests/Rx.Network.PerfTool" -v quiet -nologo >&2
args=(--steps "$steps" --dialers "$dialers" --security "$security")
[[ -n $dump_at ]] && args+=(--dump-at "$dump_at")
if [[ $gcdump == yes ]]; then
  if [[ ! -x $out/tools/dotnet-gcdump ]]; then
    dotnet tool install --tool-path "$out/tools" dotnet-gcdump --version 10.0.750501 >&2
  fi
  args+=(--gcdump "$out/tools/dotnet-gcdump")
fi
dotnet "$root/tests/Rx.Network.PerfTool/bin/Release/net10.0/Rx.Network.PerfTool.dll" idle "${args[@]}" | tee "$results"
echo "results: $results" >&2
