#!/usr/bin/env bash
# Long soak: the CI soak test (100 connections x 20 streams of mixed traffic, every stream's
# SHA-256 checked, descriptors and heap back at the baseline after each round) repeated.
#   tests/soak/run-long.sh             # 50 rounds
#   RXNET_SOAK_ROUNDS=500 tests/soak/run-long.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export RXNET_SOAK_ROUNDS="${RXNET_SOAK_ROUNDS:-50}"
echo "soak: $RXNET_SOAK_ROUNDS rounds"
dotnet test tests/Rx.Network.Tests/Rx.Network.Tests.csproj \
  --filter "FullyQualifiedName~Rx.Network.Tests.Reliability.SoakTests" \
  --logger "console;verbosity=detailed" \
  -- RunConfiguration.TestSessionTimeout=0 "$@"
