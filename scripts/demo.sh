#!/usr/bin/env bash
# The main job, end to end, on simulated devices: build, start three fake devices (a Huawei E5 MiFi hotspot,
# a Huawei stick, a generic 3GPP modem), start hotspotd with its SQLite ledger, import the voucher book, attach
# the devices, watch them get provisioned by policy, then print devices, the hotspot's hand-over card and the ledger;
# then restart the daemon with the devices still plugged in and show that no SIM is charged again.
# Everything lives in ./demo-run/ (ledger, socket, logs); it is wiped at the start of each run.
set -euo pipefail
cd "$(dirname "$0")/.."
# Swift is in /opt/swift on these machines; a fresh login shell may not have it on PATH.
command -v swift >/dev/null || [ ! -x /opt/swift/usr/bin/swift ] || export PATH="/opt/swift/usr/bin:$PATH"
bash scripts/install-deps.sh
start_ns=$(date +%s%N)
swift build 2>&1 | grep -E "error|warning: |Compiling|Build complete" | grep -v "^\[" || true
bin=$(swift build --show-bin-path)
run=demo-run
rm -rf "$run" && mkdir -p "$run/ttys"
export HOTSPOTD_SOCKET="$PWD/$run/api.sock"
ctl() { "$bin/hotspotctl" "$@"; }

cleanup() {
    [ -n "${watch_pid:-}" ] && kill "$watch_pid" 2>/dev/null || true
    [ -n "${daemon_pid:-}" ] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
    [ -n "${sim_pid:-}" ] && kill -TERM "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
}
trap cleanup EXIT

echo "== starting three simulated devices"
"$bin/hotspot-sim" \
    --device simulator/personalities/huawei-e5-mifi.json:label=mifi \
    --device simulator/personalities/huawei-stick.json:label=stick \
    --device simulator/personalities/generic-3gpp.json:label=generic \
    --operator simulator/operator-simunet.json --state "$run/operator-state.json" \
    --ports-file "$run/ports" --link "$run/ttys" > "$run/sim.out" 2> "$run/sim.log" &
sim_pid=$!
for _ in $(seq 100); do [ -s "$run/ports" ] && break; sleep 0.1; done
[ -s "$run/ports" ] || { echo "demo: the simulator did not start; see $run/sim.log" >&2; exit 1; }
cat "$run/ports"

echo "== starting hotspotd (ledger $run/ledger.sqlite, socket $run/api.sock)"
# The simulator's devices are pseudo-terminals, which a station only takes when its configuration allows them.
sed -e 's#"lockDirectory": "/var/lock"#"lockDirectory": null, "allowPseudoTerminals": true#' config/hotspotd.example.json > "$run/hotspotd.json"
"$bin/hotspotd" --config "$run/hotspotd.json" --database "$run/ledger.sqlite" --socket "$run/api.sock" \
    2> "$run/hotspotd.log" &
daemon_pid=$!
for _ in $(seq 100); do ctl plans >/dev/null 2>&1 && break; sleep 0.1; done
ctl plans

echo "== importing the voucher book"
ctl vouchers import simulator/vouchers-simunet.csv

echo "== attaching the devices (provisioned by the default plan)"
ctl watch > "$run/watch.log" 2>&1 &
watch_pid=$!
while IFS=$'\t' read -r label tty; do
    ctl attach "$PWD/$run/ttys/$label"
done < "$run/ports"

deadline=$(( $(date +%s) + 120 ))
while :; do
    listing=$(ctl devices --json)
    states=$(grep -o '"state" : "[a-z-]*"' <<< "$listing" | sed 's/.*: "//;s/"//' | sort | uniq -c | tr '\n' ' ')
    pending=$(grep -cE '"state" : "(connecting|identifying|provisioning)"' <<< "$listing" || true)
    [ "$pending" -eq 0 ] && break
    [ "$(date +%s)" -ge "$deadline" ] && { echo "demo: devices still busy after 120 s: $states" >&2; break; }
    sleep 0.5
done

echo "== live progress seen by 'hotspotctl watch'"
cat "$run/watch.log"
echo "== devices"
ctl devices
echo "== the hotspot's hand-over card (in the counter's language; --pdf/--png/--print for paper)"
ctl card "$PWD/$run/ttys/mifi"
echo "== the hotspot's status, key shown (a technician's screen)"
ctl status "$PWD/$run/ttys/mifi" --reveal-key
echo "== vouchers used"
ctl vouchers list --state applied
echo "== ledger"
ctl ledger --limit 200
echo "== ledger integrity (hash chain walked by the daemon; keep the anchor elsewhere to prove no tail is cut later)"
ctl ledger verify
ctl ledger anchor
echo "== operator truth (simulator)"
"$bin/hotspot-sim" state --state "$run/operator-state.json"

echo "== a restart is a non-event for money: hotspotd stopped and started again, the devices still plugged in"
applied_before=$(ctl vouchers list --state applied --json | grep -c '"id"' || true)
key_before=$(ctl status "$PWD/$run/ttys/mifi" --reveal --json | grep -o '"key" : "[^"]*"' || true)
kill -TERM "$daemon_pid" && wait "$daemon_pid" 2>/dev/null || true
"$bin/hotspotd" --config "$run/hotspotd.json" --database "$run/ledger.sqlite" --socket "$run/api.sock" \
    2>> "$run/hotspotd.log" &
daemon_pid=$!
for _ in $(seq 100); do ctl plans >/dev/null 2>&1 && break; sleep 0.1; done
while IFS=$'\t' read -r label tty; do
    ctl attach "$PWD/$run/ttys/$label" > /dev/null
done < "$run/ports"
for _ in $(seq 240); do
    ctl devices --json | grep -qE '"state" : "(connecting|identifying|provisioning)"' || break
    sleep 0.5
done
ctl devices
applied_after=$(ctl vouchers list --state applied --json | grep -c '"id"' || true)
key_after=$(ctl status "$PWD/$run/ttys/mifi" --reveal --json | grep -o '"key" : "[^"]*"' || true)
echo "vouchers applied before the restart: $applied_before, after: $applied_after (no SIM charged again)"
[ "$key_before" = "$key_after" ] && echo "the hotspot's Wi-Fi key is unchanged: the card already handed over keeps working"
echo "more credit is an explicit order, with the caller's uid:"
ctl provision "$PWD/$run/ttys/stick" || true

echo "== part 2: the same daemon finding USB devices by itself (udev discovery over umockdev-mocked devices)"
# The first part gives hotspotd the ttys by hand; here hotspotd gets no port at all: it enumerates and follows udev,
# switches a CD-ROM-mode unit, chooses each AT port and provisions what it finds (scripts/demo_discovery.py).
cleanup
watch_pid= daemon_pid= sim_pid=
mkdir -p "$run/discovery"
cp "$run/hotspotd.json" "$run/discovery/hotspotd.json"  # the same configuration as part 1
if /usr/bin/python3 -c "import gi; gi.require_version('UMockdev', '1.0')" 2>/dev/null; then
    umockdev-wrapper /usr/bin/python3 scripts/demo_discovery.py "$bin" "$run/discovery"
else
    echo "demo: skipped (needs python3-gi and gir1.2-umockdev-1.0: apt-get install python3-gi gir1.2-umockdev-1.0)"
fi

elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
echo "== demo finished in $((elapsed_ms / 1000)).$(printf %03d $((elapsed_ms % 1000))) s (build included)"
