#!/usr/bin/env bash
# Issue 4 figures: plug (uevent) → ICCID known through hotspotd's real discovery path (libudev monitor → catalog →
# AT port → station session → identification), for one instantly answering simulated device and for 32 plugged
# together, against umockdev-mocked USB devices whose ttys are served by the simulator's engine.
# Usage: bash Benchmarks/discovery-bench.sh [runs]   (SCRATCH=<dir> to use another build directory)
# Release build with testing enabled (the benchmark lives in StationTests' umockdev suite), in its own build directory so it
# does not disturb the debug and plain release builds; the first build takes a few minutes.
# Then, when ModemManager is installed (apt-get install -y modemmanager), plug → ICCID for hotspotd against
# ModemManager on the same mocked E5 in the same run (Benchmarks/discovery_vs_mm.py, ~12 s per run pair), and for a
# ZTE stick arriving in CD-ROM mode, switched by hotspotd vs usb_modeswitch + ModemManager (zte_switch_vs_mm.py).
# Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
scratch=${SCRATCH:-.build/bench-release}
swift build -c release --build-tests -Xswiftc -enable-testing --scratch-path "$scratch" 2>&1 | grep -E "error|warning: " | grep -v "^\[" || true
HOTSPOTD_DISCOVERY_BENCH=1 HOTSPOTD_DISCOVERY_BENCH_RUNS="$runs" \
    umockdev-wrapper swift test -c release -Xswiftc -enable-testing --skip-build --scratch-path "$scratch" --filter 'UMockdevStationDiscoveryTests/benchmarkPlugToICCID' 2>&1 \
    | grep -E "^BENCH|✘|error" | sed 's/^BENCH //'
if command -v ModemManager >/dev/null && command -v mmcli >/dev/null; then
    bin=$(swift build -c release -Xswiftc -enable-testing --scratch-path "$scratch" --show-bin-path)
    umockdev-wrapper /usr/bin/python3 Benchmarks/discovery_vs_mm.py "$bin" "${MM_RUNS:-3}"
    # A ZTE stick arriving in CD-ROM mode: hotspotd's own switch against usb_modeswitch + ModemManager.
    umockdev-wrapper /usr/bin/python3 Benchmarks/zte_switch_vs_mm.py "$bin" "${MM_RUNS:-3}"
else
    echo "ModemManager comparison skipped: apt-get install -y modemmanager"
fi
