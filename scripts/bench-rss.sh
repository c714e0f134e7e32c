#!/usr/bin/env bash
# Idle memory of the daemon with three simulated devices, next to a baseline measured in the same run: a trivial
# Swift process that uses Data, Date and JSON through `Foundation`, and the same program through
# `FoundationEssentials`. Prints VmRSS, RssAnon/RssFile and Pss from /proc, the resident kB of each Foundation
# library mapped into the daemon (from /proc/PID/smaps), and whether libFoundation / ICU are loaded at all.
#
#   BENCH_RSS_CONFIG=release (default) or debug: which build of hotspotd is measured (the simulator and hotspotctl
#   come from the same build directory).
#   BENCH_RSS_IDLE_SECONDS=10: how long the daemon stays idle after the three devices are done before it is measured.
#   BENCH_SKIP_BUILD=1: use the binaries already built. BENCH_KEEP=1: keep the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || [ ! -x /opt/swift/usr/bin/swift ] || export PATH="/opt/swift/usr/bin:$PATH"
mode=${BENCH_RSS_CONFIG:-release}
idle=${BENCH_RSS_IDLE_SECONDS:-10}
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    echo "== building hotspotd, hotspotctl, hotspot-sim ($mode)"
    for product in hotspotd hotspotctl hotspot-sim; do
        swift build -c "$mode" --product "$product" 2>&1 | grep -E "error|Build complete" || true
    done
fi
bin=$(swift build -c "$mode" --show-bin-path)
for tool in hotspotd hotspotctl hotspot-sim; do
    [ -x "$bin/$tool" ] || { echo "bench-rss: $bin/$tool is missing" >&2; exit 1; }
done
work=$(mktemp -d /tmp/bench-rss.XXXXXX)
mkdir -p "$work/ttys"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    [ "${BENCH_KEEP:-0}" = 1 ] && echo "work directory kept: $work" || rm -rf "$work"
}
trap cleanup EXIT

kb() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }
pss() { awk '$1 == "Pss:" { print $2 }' "/proc/$1/smaps_rollup"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# Resident kB of each mapped file whose name matches $2, summed over its mappings.
resident_of() {
    awk -v pattern="$2" '
        /^[0-9a-f]+-[0-9a-f]+ / { name = $6 }
        $1 == "Rss:" && name ~ pattern { sum += $2 }
        END { print sum + 0 }' "/proc/$1/smaps"
}
loaded() { grep -q "$2" "/proc/$1/maps" && echo yes || echo no; }

echo "== baseline: a trivial Swift process (Data, Date, JSONEncoder), release, same machine and run"
cat > "$work/with-foundation.swift" <<'EOF'
import Foundation
let encoded = try JSONEncoder().encode(["at": Date().timeIntervalSince1970, "bytes": Double(Data(repeating: 1, count: 64).count)])
print(encoded.count)
fflush(stdout)
while true { sleep(60) }
EOF
sed 's/^import Foundation$/import FoundationEssentials\nimport Glibc/' "$work/with-foundation.swift" > "$work/with-essentials.swift"
for variant in with-foundation with-essentials; do
    swiftc -O -parse-as-library -o "$work/$variant" "$work/$variant.swift" 2>/dev/null \
        || swiftc -O -o "$work/$variant" "$work/$variant.swift"
done
for variant in with-foundation with-essentials; do
    "$work/$variant" > "$work/$variant.out" &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 100); do [ -s "$work/$variant.out" ] && break; sleep 0.05; done
    sleep 0.5
    printf '   %-16s VmRSS %5s MB  RssAnon %4s MB  RssFile %5s MB  Pss %5s MB  libFoundation.so loaded: %s\n' \
        "$variant" "$(mb "$(kb "$pid" VmRSS)")" "$(mb "$(kb "$pid" RssAnon)")" "$(mb "$(kb "$pid" RssFile)")" \
        "$(mb "$(pss "$pid")")" "$(loaded "$pid" 'libFoundation\.so')"
    printf '   %-16s resident kB: libFoundation %s, libFoundationEssentials %s, libFoundationInternationalization %s, lib_FoundationICU %s\n' \
        "" "$(resident_of "$pid" 'libFoundation\.so')" "$(resident_of "$pid" libFoundationEssentials)" \
        "$(resident_of "$pid" libFoundationInternationalization)" "$(resident_of "$pid" lib_FoundationICU)"
    kill -TERM "$pid" 2>/dev/null || true
done

echo "== hotspotd ($mode) with three simulated devices (mifi, stick, generic), provisioned by policy"
"$bin/hotspot-sim" \
    --device simulator/personalities/huawei-e5-mifi.json:label=mifi \
    --device simulator/personalities/huawei-stick.json:label=stick \
    --device simulator/personalities/generic-3gpp.json:label=generic \
    --operator simulator/operator-simunet.json --state "$work/operator-state.json" \
    --ports-file "$work/ports" --link "$work/ttys" > "$work/sim.out" 2> "$work/sim.log" &
pids+=("$!")
for _ in $(seq 100); do [ -s "$work/ports" ] && break; sleep 0.1; done
[ -s "$work/ports" ] || { echo "bench-rss: the simulator did not start; see $work/sim.log" >&2; exit 1; }
sed -e 's#"lockDirectory": "/var/lock"#"lockDirectory": null, "allowPseudoTerminals": true#' \
    config/hotspotd.example.json > "$work/hotspotd.json"
export HOTSPOTD_SOCKET="$work/api.sock"
"$bin/hotspotd" --config "$work/hotspotd.json" --database "$work/ledger.sqlite" --socket "$work/api.sock" \
    2> "$work/hotspotd.log" &
daemon=$!
pids+=("$daemon")
for _ in $(seq 100); do "$bin/hotspotctl" plans > /dev/null 2>&1 && break; sleep 0.1; done
"$bin/hotspotctl" vouchers import simulator/vouchers-simunet.csv > /dev/null
while IFS=$'\t' read -r label _; do
    "$bin/hotspotctl" attach "$work/ttys/$label" > /dev/null
done < "$work/ports"
for _ in $(seq 240); do
    "$bin/hotspotctl" devices --json | grep -qE '"state" : "(connecting|identifying|provisioning)"' || break
    sleep 0.5
done
states=$("$bin/hotspotctl" devices --json | grep -o '"state" : "[a-z-]*"' | sed 's/.*: "//;s/"//' | sort | uniq -c | tr -s ' \n' ' ')
echo "   devices: $states; idle for $idle s"
sleep "$idle"
printf '   VmRSS %s MB (target <= 30 MB)  RssAnon %s MB  RssFile %s MB  Pss %s MB  threads %s\n' \
    "$(mb "$(kb "$daemon" VmRSS)")" "$(mb "$(kb "$daemon" RssAnon)")" "$(mb "$(kb "$daemon" RssFile)")" \
    "$(mb "$(pss "$daemon")")" "$(kb "$daemon" Threads)"
for library in hotspotd libswiftCore libFoundation\\.so libFoundationEssentials libFoundationInternationalization \
               lib_FoundationICU libsqlite3 libdispatch libswift_Concurrency; do
    printf '   %-36s resident %6s kB\n' "${library//\\/}" "$(resident_of "$daemon" "$library")"
done
echo "   libFoundation.so loaded: $(loaded "$daemon" 'libFoundation\.so'), lib_FoundationICU loaded: $(loaded "$daemon" 'lib_FoundationICU')"
echo "   binary links: $(ldd "$bin/hotspotd" | awk '/Foundation/ { printf "%s ", $1 }')"
