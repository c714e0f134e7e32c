#!/usr/bin/env bash
# Fuzzes the pure ATProtocol target with libFuzzer (issue 3 evidence).
#
# Builds .build/fuzz-at by compiling Sources/ATProtocol/*.swift with Fuzz/FuzzAT.swift in one
# module (swiftc -sanitize=fuzzer,address), seeds .build/fuzz-corpus from the real modem replies in
# Tests/ATProtocolTests/Fixtures plus Fuzz/regressions, replays the regressions, then fuzzes.
#
# Knobs: FUZZ_SECONDS (default 300) bounds the run, FUZZ_RUNS (default unlimited) caps executions,
#        FUZZ_JOBS (default 1) fuzzing processes, FUZZ_DICT (default Fuzz/at.dict),
#        FUZZ_MAX_LEN (default 1024) longest input, FUZZ_NICE (default 0) niceness of the fuzzer.
#        FUZZ_OUT, FUZZ_BIN, FUZZ_CORPUS: where logs/artifacts, the binary and the corpus go (.build/...).
# One job runs libFuzzer in-process (it stops at the first finding); more jobs use fork mode,
# which keeps going past findings but re-reads the corpus per child (~2x slower per job).
# Prints executions, executions/s and findings; exits 1 when a crash was found.
# SWIFT_BACKTRACE=enable=no is required: the Swift backtracer breaks ASan crash reports (TESTING.md §7).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_LIMIT="${FUZZ_SECONDS:-300}"
RUNS="${FUZZ_RUNS:--1}"
JOBS="${FUZZ_JOBS:-1}"
DICT="${FUZZ_DICT:-Fuzz/at.dict}"
OUT="${FUZZ_OUT:-.build/fuzz}"
BIN="${FUZZ_BIN:-.build/fuzz-at}"
CORPUS="${FUZZ_CORPUS:-.build/fuzz-corpus}"
export SWIFT_BACKTRACE=enable=no
# malloc_context_size=0: no stack unwinding on every allocation (the harness allocates a lot of
# small Strings); overflows are still caught, reports just lack the allocation stack.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:malloc_context_size=0}"
SWIFTC="${SWIFTC:-swiftc}"
command -v "$SWIFTC" >/dev/null || SWIFTC=/opt/swift/usr/bin/swiftc

mkdir -p "$OUT" "$CORPUS"

echo "== building $BIN"
if [ ! -x "$BIN" ] || [ -n "$(find Sources/ATProtocol Fuzz/FuzzAT.swift -newer "$BIN" -name '*.swift' | head -1)" ]; then
    # ld.gold prints ~141 harmless "Cannot export local symbol '__asan_*'" warnings; keep them out.
    "$SWIFTC" -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -module-name FuzzAT \
        Sources/ATProtocol/*.swift Fuzz/FuzzAT.swift -o "$BIN" 2> "$OUT/build.log" || { cat "$OUT/build.log"; exit 1; }
    grep -v "Cannot export local symbol" "$OUT/build.log" | grep -i "warning\|error" || true
fi

echo "== seeding $CORPUS from fixtures"
/usr/bin/python3 - "$CORPUS" <<'PY'
import glob, hashlib, json, os, sys
out = sys.argv[1]
commands = ["AT+CGSN", "AT+CIMI", "AT^ICCID?", "AT+CRSM=176,12258,0,0,10", "AT+CPIN?", "AT^CPIN?",
            "AT+CSQ", "AT+COPS?", "AT+CREG?", "AT^SYSINFO", "AT^SYSINFOEX", "AT^GETPORTMODE", "AT^SSID?",
            "AT+CUSD=1,\"*100#\",15", "ATI", None]
def name(c):
    import re
    m = re.match(r'(?i)AT([+^!#$*%][A-Za-z0-9_]+|.)', c or "")
    return m.group(1).upper() if m else None
index_of = {}
for i, c in enumerate(commands):
    if c is not None: index_of.setdefault(name(c), i)
count = 0
def write(data):
    global count
    path = os.path.join(out, hashlib.sha1(data).hexdigest())
    if not os.path.exists(path):
        open(path, "wb").write(data)
    count += 1
for f in sorted(glob.glob("Tests/ATProtocolTests/Fixtures/replies-*.json")):
    for fx in json.load(open(f, encoding="utf-8")):
        reply = fx["reply"].encode("utf-8", "surrogateescape")
        cmd = fx.get("command")
        selector = index_of.get(name(cmd), 15) if cmd else 15
        # As the command's own reply, with the offline (nil) command, and with tiny limits.
        write(bytes([selector, 0]) + reply)
        write(bytes([15, len(reply) // 2 % 256]) + reply)
        write(bytes([selector | 0x10, 7]) + reply)
        # The same reply through the offline decoder (stage bits 5-6 = 1), split in the middle.
        write(bytes([selector | 0x20, len(reply) // 2 % 256]) + reply)
for text in [b"*100#", b"*101*1234567890123456#", b"MyHotspot-5G", b"correct horse battery", b"1234",
             b"12345678,1234", b"AA182C3602", b"004100420043", b"D83DDE00"]:
    write(bytes([13 | 0x40, 3]) + text)   # codecs
    write(bytes([13 | 0x60, 3]) + text)   # builders
print(f"{count} seed inputs")
PY
cp -f Fuzz/regressions/* "$CORPUS"/ 2>/dev/null || true

regressions_failed=0
if compgen -G "Fuzz/regressions/*" >/dev/null; then
    echo "== replaying Fuzz/regressions"
    # One process per file: libFuzzer stops at the first crashing input.
    for r in Fuzz/regressions/*; do
        if ! "$BIN" -runs=1 "$r" > "$OUT/regressions.log" 2>&1; then
            regressions_failed=$((regressions_failed + 1))
            echo "REGRESSION FAILS: $r: $(grep -m1 -E "FUZZ INVARIANT|ERROR: AddressSanitizer|Fatal error" "$OUT/regressions.log" || true)"
        fi
    done
fi

echo "== fuzzing: ${SECONDS_LIMIT}s, runs=${RUNS}, jobs=${JOBS}"
DICT_ARG=()
[ -f "$DICT" ] && DICT_ARG=("-dict=$DICT")
rm -f "$OUT"/fuzz-*.log "$OUT"/crash-* "$OUT"/leak-* "$OUT"/timeout-* "$OUT"/oom-*
start=$(date +%s.%N)
set +e
MODE=()
if [ "$JOBS" -gt 1 ]; then
    # Fork mode with -ignore_crashes keeps fuzzing past a finding (each crash is still written as
    # an artifact), so one known bug does not stop the run from covering the rest.
    MODE=(-fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi
nice -n "${FUZZ_NICE:-0}" "$BIN" "${DICT_ARG[@]}" "${MODE[@]}" \
    -max_total_time="$SECONDS_LIMIT" -runs="$RUNS" -max_len="${FUZZ_MAX_LEN:-1024}" -print_final_stats=1 \
    -artifact_prefix="$OUT/" "$CORPUS" > "$OUT/fuzz-1.log" 2>&1
set -e
end=$(date +%s.%N)

# In-process mode ends with stat::number_of_executed_units; fork mode reports "#<executions>: cov:"
# lines, the last one being the total over all jobs.
total=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$OUT/fuzz-1.log" | grep -oE '[0-9]+$' | tail -1 || true)
[ -n "$total" ] || total=$(grep -oE '^#[0-9]+' "$OUT/fuzz-1.log" | tail -1 | tr -d '#' || true)
total=${total:-0}
elapsed=$(python3 -c "print(f'{$end - $start:.1f}')")
rate=$(python3 -c "print(int($total / max($end - $start, 0.001)))")
shopt -s nullglob
artifacts=("$OUT"/crash-* "$OUT"/leak-* "$OUT"/timeout-* "$OUT"/oom-*)
echo "executions: $total"
echo "elapsed: ${elapsed}s"
echo "executions/s: $rate"
echo "corpus: $(find "$CORPUS" -type f | wc -l) inputs"
echo "findings: ${#artifacts[@]} artifacts"
if [ "${#artifacts[@]}" -gt 0 ]; then
    # Replay each artifact once to show which invariant or sanitizer check fired (distinct messages).
    for a in "${artifacts[@]}"; do
        msg=$("$BIN" -runs=1 "$a" 2>&1 | grep -m1 -E "FUZZ INVARIANT|ERROR: AddressSanitizer|Fatal error|ERROR: libFuzzer" || true)
        echo "$a: $msg"
    done | head -20
    echo "minimise with: $BIN -minimize_crash=1 -max_total_time=60 <artifact>; add it to Fuzz/regressions/"
    exit 1
fi
if [ "$regressions_failed" -gt 0 ]; then echo "$regressions_failed regression input(s) still fail"; exit 1; fi
