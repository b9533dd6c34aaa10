# Shared by compare.sh and websockets.sh (sourced, with $root and $out set): builds the perf tool,
# installs the js peer if needed, and starts servers that are all stopped when the script exits.
# Defines: tool (the perf tool command), js (the js peer command), start NAME COMMAND..., first_addr NAME.

echo "building (Release) ..." >&2
dotnet build -c Release "$root/tests/Rx.Network.PerfTool" -v quiet -nologo >&2
tool=(dotnet "$root/tests/Rx.Network.PerfTool/bin/Release/net10.0/Rx.Network.PerfTool.dll")
peer="$root/tests/interop/js-peer"
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

# start NAME COMMAND...: runs a server in the background (in this shell, so that cleanup knows
# its pid) and waits for its first stdout line, the one that says where it listens.
start() {
  local name=$1; shift
  "$@" > "$out/$name.out" 2> "$out/$name.err" < /dev/null &
  pids+=($!)
  for _ in $(seq 1 300); do
    if [[ -s $out/$name.out ]]; then return; fi
    sleep 0.1
  done
  echo "$name did not start; see $out/$name.err" >&2
  exit 1
}

first_addr() { head -n 1 "$out/$1.out" | sed -n 's/.*"addrs":\["\([^"]*\)".*/\1/p'; }
