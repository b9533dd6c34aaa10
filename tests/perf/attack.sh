#!/usr/bin/env bash
# Issue #14's attacks, the same code as tests/Rx.Network.Reliability.Tests' ResourceAttackTests,
# against `rxnet listen` and the js-libp2p interop peer (`peer.mjs listen`) in ONE run, over
# loopback: attackers from 127.0.0.2, the honest peer from 127.0.0.1, a fresh listener per attack.
# Window fill (K connections × 1,024 streams kept full), 500 stalled upgrades, identity churn +
# unnegotiated streams, identify with thousands of protocols/addresses. One JSON line per figure
# (rxnet first, then js-libp2p) in DIR/results.jsonl; docs/benchmarks.md explains them.
#
# usage: tests/perf/attack.sh [--attacks LIST] [--k LIST] [--out DIR] [--also-rxnet PATH/rxnet.dll]
#   --attacks LIST   window-fill,slowloris,churn,identify (default: all)
#   --k LIST         window-fill connection counts (default 1,4,16)
#   --out DIR        where results.jsonl goes (default: a new temp dir)
#   --also-rxnet DLL another rxnet build to measure in the same run (e.g. main's, for before/after)
# A window fill stops once a listener's RSS passes idle + 1.5 GiB (js-libp2p gets there).
# Needs the .NET SDK, Node.js 20+ and npm. Takes about 10 minutes.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
attacks="window-fill,slowloris,churn,identify"
ks="1,4,16"
out=""
also=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --attacks) attacks=$2; shift 2 ;;
    --k) ks=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --also-rxnet) also=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/rxnet-attack.XXXXXX)}
mkdir -p "$out"
results=$out/results.jsonl
: > "$results"

echo "building (Release) ..." >&2
dotnet build -c Release "$root/tests/Rx.Network.PerfTool" -v quiet -nologo >&2
dotnet build -c Release "$root/examples/Rx.Network.Cli" -v quiet -nologo >&2
tool=(dotnet "$root/tests/Rx.Network.PerfTool/bin/Release/net10.0/Rx.Network.PerfTool.dll" attack --attacks "$attacks" --k "$ks")
peer="$root/tests/interop/js-peer"
if [[ ! -d $peer/node_modules ]]; then
  (cd "$peer" && npm ci --no-audit --no-fund >&2)
fi

run() {
  local label=$1; shift
  echo "attacking $label ..." >&2
  "${tool[@]}" "$@" | while IFS= read -r line; do
    # Tag each line with the build measured (rxnet, rxnet-also, js-libp2p).
    printf '%s\n' "${line/\{/\{\"build\":\"$label\",}" | tee -a "$results"
  done
}

run rxnet --rxnet "$root/examples/Rx.Network.Cli/bin/Release/net10.0/rxnet.dll"
[[ -n $also ]] && run rxnet-also --rxnet "$also"
run js-libp2p --js "$peer/peer.mjs"
echo "results: $results" >&2
