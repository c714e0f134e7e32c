#!/usr/bin/env bash
# Performance figures of issue 2 (run by `make bench`; not part of the test run): builds release binaries,
# then Benchmarks/bench.py drives hotspot-sim, hotspotd and hotspotctl and prints each figure next to a
# baseline measured in the same run. See Benchmarks/README.md for the figures, knobs and the last results.
#   BENCH_RUNS=10 BENCH_REALISTIC_RUNS=5 BENCH_IDLE_SECONDS=60 BENCH_STATUS_RUNS=50   (defaults)
#   BENCH_SKIP_BUILD=1 uses the release binaries already built; BENCH_KEEP=1 keeps the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."
python=/usr/bin/python3
[ -x "$python" ] || python=python3
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    # Swift is in /opt/swift on these machines; a fresh login shell may not have it on PATH.
    command -v swift >/dev/null || [ ! -x /opt/swift/usr/bin/swift ] || export PATH="/opt/swift/usr/bin:$PATH"
    bash scripts/install-deps.sh
    echo "== building release binaries"
    build_log=$(mktemp)
    if ! swift build -c release > "$build_log" 2>&1; then
        grep -E "error" "$build_log" | head -40 >&2
        echo "bench: release build failed (full log $build_log)" >&2
        exit 1
    fi
    grep -E "Build complete" "$build_log" || true
    rm -f "$build_log"
fi
bin=$(swift build -c release --show-bin-path)
for tool in hotspotd hotspotctl hotspot-sim; do
    [ -x "$bin/$tool" ] || { echo "bench: $bin/$tool is missing (release build failed?)" >&2; exit 1; }
done
echo "== benchmarks ($(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg))"
exec "$python" Benchmarks/bench.py --bin "$bin" --repo "$PWD"
