#!/usr/bin/env bash
# Throughput of the ATProtocol receive path (framer -> assembler -> parsers) on one core (issue 3).
#
# Builds .build/bench-at from Sources/ATProtocol/*.swift + Fuzz/BenchAT.swift with swiftc -O and
# runs it over the fixture replies repeated to BENCH_AT_BYTES (default 64 MiB), best of
# BENCH_AT_ROUNDS (default 3). Four passes over the same bytes, interleaved round by round: a memchr
# line-end scan (baseline), the framer alone, framer+assembler, and the full path with every reply
# decoded (results consumed into a checksum). Each prints MB/s by wall clock and by the thread's CPU
# time: on this shared 2-core machine wall time mostly measures the other processes, CPU time
# measures the code (see Benchmarks/README.md, "ATProtocol receive path").
# BENCH_AT_BIN: where the binary is built (default .build/bench-at).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BENCH_AT_BIN:-.build/bench-at}"
SWIFTC="${SWIFTC:-swiftc}"
command -v "$SWIFTC" >/dev/null || SWIFTC=/opt/swift/usr/bin/swiftc
mkdir -p .build
if [ ! -x "$BIN" ] || [ -n "$(find Sources/ATProtocol Fuzz/BenchAT.swift -newer "$BIN" -name '*.swift' | head -1)" ]; then
    echo "== building $BIN (swiftc -O)"
    "$SWIFTC" -O -wmo -parse-as-library -swift-version 6 -module-name BenchAT \
        Sources/ATProtocol/*.swift Fuzz/BenchAT.swift -o "$BIN"
fi
# One core: the benchmark is single-threaded; taskset keeps the scheduler from migrating it.
RUN=("$BIN" Tests/ATProtocolTests/Fixtures "${BENCH_AT_BYTES:-67108864}" "${BENCH_AT_ROUNDS:-3}")
if command -v taskset >/dev/null; then taskset -c 0 "${RUN[@]}"; else "${RUN[@]}"; fi
