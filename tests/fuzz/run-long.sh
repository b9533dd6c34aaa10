#!/usr/bin/env bash
# Long fuzz run: the CI fuzz suite (tests/Rx.Network.Tests/Fuzz) with every case count multiplied.
#   tests/fuzz/run-long.sh            # scale 1000: millions of cases, tens of minutes on 2 cores
#   RXNET_FUZZ_SCALE=50 tests/fuzz/run-long.sh
# CsCheck prints the seed of a failing case; replay it by passing `seed: "<seed>"` to that
# Sample call (or set CsCheck_Seed=<seed> in the environment).
set -euo pipefail
cd "$(dirname "$0")/../.."
export RXNET_FUZZ_SCALE="${RXNET_FUZZ_SCALE:-1000}"
echo "fuzzing with RXNET_FUZZ_SCALE=$RXNET_FUZZ_SCALE"
dotnet test tests/Rx.Network.Tests/Rx.Network.Tests.csproj \
  --filter "FullyQualifiedName~Rx.Network.Tests.Fuzz" \
  --logger "console;verbosity=normal" \
  -- RunConfiguration.TestSessionTimeout=0 "$@"
