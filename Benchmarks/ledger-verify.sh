#!/usr/bin/env bash
# Times `Ledger.verifyChain` over a 100,000-event ledger in a release build (issue 5: ≤ 2 s).
# Usage: bash Benchmarks/ledger-verify.sh [rows]   (SCRATCH=dir to choose the build directory)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-100000}"
scratch="${SCRATCH:-.build}"
export HOTSPOT_LEDGER_BENCH=1 HOTSPOT_LEDGER_BENCH_ROWS="$rows"
# -enable-testing: the test target uses @testable imports elsewhere; release keeps its optimisations.
swift test -c release -Xswiftc -enable-testing --scratch-path "$scratch" \
    --filter 'LedgerTests.VerifyBenchmark' 2>&1 | grep -E 'ledger-verify:|passed|failed|error:'
