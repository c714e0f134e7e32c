#!/bin/sh
# verify-deployment.sh: checks the files we ship to a station, the way CI runs them.
#
#   1. systemd/hotspotd.service   `systemd-analyze verify` must print NOTHING (systemd 252 reports
#                                 unknown keys and bad values as warnings with rc 0).
#   2. the same unit              `systemd-analyze security --offline=yes`: prints the exposure and
#                                 fails above $HOTSPOTD_MAX_EXPOSURE (x10, default 20 = 2.0).
#      and its ceilings           MemoryMax= (128M..1G), TasksMax= (64..4096) and WatchdogSec= (10s..5min,
#                                 with Type=notify and NotifyAccess=main so WATCHDOG=1 is heard) are set.
#   3. systemd/hotspotd.sysusers  applied by systemd-sysusers to an empty temporary root.
#      systemd/hotspotd.tmpfiles  applied by systemd-tmpfiles to the same root.
#   4. udev/69-*.rules and 70-hotspot-station.rules run by the real `udevadm test` (all installed rules, usb_id,
#                                 hwdb) against the mocked devices of udev/fixtures/station.umockdev,
#                                 under umockdev-run, in a private mount namespace; the properties,
#                                 tag, group and mode we promise are asserted per device.
#   5. the udev id lists agree with catalog/devices/huawei.json.
#
# Why `--root` for verify: verify insists that ExecStart exists and is executable. Rather than
# editing the unit (then we would verify a different file), we build a throwaway root holding a
# copy of /lib/systemd/system (verify needs sysinit.target & co, ~1 MB), the unchanged unit, and
# an executable stub at the unit's ExecStart path. Nothing is installed on the host.
#
# Why the namespace dance in step 4: `udevadm test` in systemd 252 really creates /dev/serial/...
# and /dev/char/... symlinks and writes /run/udev/data. In the private namespace /dev and /run are
# fresh tmpfs mounts (with null, zero, urandom, tty, pts and shm passed through so umockdev can
# create its ptys), /etc/udev/rules.d is our udev/ directory, and /etc/group knows group hotspotd.
# Mount propagation is private, so the host sees none of it.
#
# Needs: root (unshare -m, mount), systemd 252 tools, udev, umockdev. With CI=true a missing tool
# is a failure; otherwise that step is skipped with a note. Exit status: 0 all passed, 1 otherwise.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
unit="$here/systemd/hotspotd.service"
rules_dir="$here/udev"
fixture="$here/udev/fixtures/station.umockdev"
catalog="$here/catalog/devices/huawei.json"
max_exposure="${HOTSPOTD_MAX_EXPOSURE:-20}"
ci="${CI:-false}"
failures=0

say() { printf '%s\n' "$*"; }
fail() { say "FAIL: $*"; failures=$((failures + 1)); }
pass() { say "ok:   $*"; }
need() {
    if command -v "$1" >/dev/null 2>&1; then return 0; fi
    if [ "$ci" = "true" ]; then fail "$1 not installed"; else say "skip: $1 not installed"; fi
    return 1
}

# ---------------------------------------------------------------------------------------------
# Step 4 runs this script again inside `unshare -m`; this branch is that inner run.
if [ "${1:-}" = "--inside-namespace" ]; then
    out="$2"
    mount --make-rprivate /
    mount --bind "$rules_dir" /etc/udev/rules.d
    cp /etc/group "$out/group"
    grep -q '^hotspotd:' "$out/group" || echo 'hotspotd:x:4242:' >> "$out/group"
    mount --bind "$out/group" /etc/group
    mount -t tmpfs -o mode=0755 tmpfs /run
    dev="$out/dev"
    mkdir "$dev"
    mount -t tmpfs -o mode=0755 tmpfs "$dev"
    for n in null zero full random urandom tty; do
        touch "$dev/$n"
        mount --bind "/dev/$n" "$dev/$n"
    done
    mkdir "$dev/pts" "$dev/shm"
    mount --rbind /dev/pts "$dev/pts"
    mount --rbind /dev/shm "$dev/shm"
    # /dev/ptmx must resolve to the devpts instance we pass through, or openpty() fails.
    ln -s pts/ptmx "$dev/ptmx"
    ln -s /proc/self/fd "$dev/fd"
    mount --move "$dev" /dev
    umockdev-run -d "$fixture" -- sh -c '
        out=$1; shift
        for p in "$@"; do
            name=$(printf %s "$p" | tr "/:" "__")
            udevadm test --action=add "/sys/devices/pci0000:00/0000:00:14.0/usb1/$p" \
                >"$out/$name.out" 2>"$out/$name.err" || echo "rc=$?" >>"$out/$name.err"
        done' sh "$out" \
        1-1 1-1/1-1:1.0 1-1/1-1:1.0/ttyUSB0/tty/ttyUSB0 1-1/1-1:1.2/ttyUSB2/tty/ttyUSB2 \
        1-2 1-2/1-2:1.0 1-3 1-3/1-3:1.0/net/usb0 \
        1-4 1-4/1-4:1.0/ttyUSB3/tty/ttyUSB3 \
        1-5/1-5:1.0/ttyUSB4/tty/ttyUSB4 1-5/1-5:1.1/ttyUSB5/tty/ttyUSB5 \
        1-6 1-6/1-6:1.0 1-7 1-7/1-7:1.3/ttyUSB6/tty/ttyUSB6
    exit 0
fi

work=$(mktemp -d /tmp/verify-deployment.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

# ---------------------------------------------------------------------------------------------
say "== systemd unit: $unit"
if need systemd-analyze; then
    root="$work/root"
    mkdir -p "$root/lib/systemd" "$root/etc/systemd/system"
    cp -a /lib/systemd/system "$root/lib/systemd/"
    cp "$unit" "$root/etc/systemd/system/"
    exec_path=$(sed -n 's/^ExecStart=[-@:+!]*\([^ ]*\).*/\1/p' "$unit" | head -n 1)
    if [ -z "$exec_path" ]; then
        fail "no ExecStart= in $unit"
    else
        mkdir -p "$root$(dirname "$exec_path")"
        printf '#!/bin/sh\nexit 0\n' >"$root$exec_path"
        chmod 0755 "$root$exec_path"
        if out=$(systemd-analyze verify --man=no --root="$root" "$(basename "$unit")" 2>&1) && [ -z "$out" ]; then
            pass "systemd-analyze verify: no output"
        else
            fail "systemd-analyze verify printed:"
            say "$out"
        fi
    fi
    sec=$(systemd-analyze security --offline=yes --threshold="$max_exposure" "$unit" 2>&1) && sec_rc=0 || sec_rc=$?
    exposure=$(printf '%s\n' "$sec" | grep 'Overall exposure level' || true)
    say "      $exposure"
    if [ "$sec_rc" -eq 0 ] && [ -n "$exposure" ]; then
        pass "systemd-analyze security: exposure within threshold $max_exposure/10"
    else
        fail "systemd-analyze security (rc $sec_rc, threshold $max_exposure/10)"
        printf '%s\n' "$sec" | grep '✗' || true
    fi
fi

# ---------------------------------------------------------------------------------------------
network="$here/systemd/80-hotspot-hilink.network"
say "== networkd file for HiLink units: $network"
man5=/usr/share/man/man5/systemd.network.5.gz
if [ ! -f "$network" ]; then
    fail "missing $network"
elif [ ! -f "$man5" ]; then
    say "      (no systemd.network(5) on this machine: keys not checked)"
else
    # Every key must be one the installed systemd-networkd documents (networkd ignores an unknown key with a warning:
    # a misspelt UseGateway= would hand the station's default route to the unit).
    unknown=""
    for key in $(grep -o '^[A-Za-z0-9]*=' "$network" | tr -d =); do
        zcat "$man5" | grep -q "$key=" || unknown="$unknown $key"
    done
    if [ -z "$unknown" ]; then
        pass "every key of $(basename "$network") is documented by systemd.network(5) of systemd $(systemctl --version | head -n 1 | cut -d' ' -f2)"
    else
        fail "keys unknown to systemd.network(5):$unknown"
    fi
    for needed in "UseGateway=no" "UseRoutes=no" "UseDNS=no" "Property=ID_VENDOR_ID=12d1"; do
        grep -q "^$needed" "$network" || fail "$(basename "$network") must say $needed (the unit's lease must not take the station's route or DNS)"
    done
fi

# ---------------------------------------------------------------------------------------------
say "== unit ceilings: memory, tasks, watchdog"
# The last assignment of a key in [Service] wins, as systemd reads it.
unit_value() { sed -n "s/^$1=[[:space:]]*//p" "$unit" | tail -n 1; }
to_mib() { # 256M, 1G, 262144K, 268435456 -> MiB (empty for anything else)
    case "$1" in
        *[!0-9KMGT]* | "" | [KMGT]*) ;;
        *K) echo $((${1%K} / 1024)) ;;
        *M) echo "${1%M}" ;;
        *G) echo $((${1%G} * 1024)) ;;
        *T) echo $((${1%T} * 1048576)) ;;
        *[0-9]) echo $(($1 / 1048576)) ;;
    esac
}
to_seconds() { # 30s, 30, 2min, "1min 30s" -> seconds (empty for anything else)
    total=0
    for part in $1; do
        case "$part" in
            *[!0-9a-z]* | "" | [a-z]*) return 0 ;;
            *min) total=$((total + 60 * ${part%min})) ;;
            *sec) total=$((total + ${part%sec})) ;;
            *s) total=$((total + ${part%s})) ;;
            *[0-9]) total=$((total + part)) ;;
            *) return 0 ;;
        esac
    done
    [ -n "$1" ] && echo "$total"
    return 0
}
memory=$(unit_value MemoryMax)
memory_mib=$(to_mib "$memory")
if [ -n "$memory_mib" ] && [ "$memory_mib" -ge 128 ] && [ "$memory_mib" -le 1024 ]; then
    pass "MemoryMax=$memory"
else
    fail "MemoryMax= must be set to 128M..1G (is '${memory:-unset}')"
fi
tasks=$(unit_value TasksMax)
if printf '%s' "$tasks" | grep -qx '[0-9]\{1,4\}' && [ "$tasks" -ge 64 ] && [ "$tasks" -le 4096 ]; then
    pass "TasksMax=$tasks"
else
    fail "TasksMax= must be a number from 64 to 4096 (is '${tasks:-unset}')"
fi
watchdog=$(unit_value WatchdogSec)
watchdog_s=$(to_seconds "$watchdog")
if [ -n "$watchdog_s" ] && [ "$watchdog_s" -ge 10 ] && [ "$watchdog_s" -le 300 ] &&
    [ "$(unit_value Type)" = notify ] && [ "$(unit_value NotifyAccess)" = main ]; then
    pass "WatchdogSec=$watchdog (the daemon feeds it every ${watchdog_s}s/2 over NOTIFY_SOCKET, Type=notify, NotifyAccess=main)"
else
    fail "WatchdogSec= must be 10s..5min with Type=notify and NotifyAccess=main (is '${watchdog:-unset}')"
fi
# The daemon's state is its own: its group has no members, nobody else reads the ledger, WAL, backups or exports.
if [ "$(unit_value Group)" = hotspotd ] && [ "$(unit_value StateDirectoryMode)" = 0700 ] && [ "$(unit_value UMask)" = 0077 ]; then
    pass "Group=hotspotd, StateDirectoryMode=0700, UMask=0077"
else
    fail "the state must be the daemon's alone: Group=hotspotd, StateDirectoryMode=0700, UMask=0077 (are $(unit_value Group), $(unit_value StateDirectoryMode), $(unit_value UMask))"
fi

# ---------------------------------------------------------------------------------------------
say "== sysusers and tmpfiles"
if need systemd-sysusers && need systemd-tmpfiles; then
    r="$work/sysroot"
    mkdir -p "$r/etc"
    : >"$r/etc/passwd"
    : >"$r/etc/group"
    if systemd-sysusers --root="$r" "$here/systemd/hotspotd.sysusers" >"$work/sysusers.log" 2>&1 &&
        grep -q '^hotspotd:x:[0-9]*:[0-9]*:.*:/var/lib/hotspotd:/usr/sbin/nologin$' "$r/etc/passwd" &&
        grep -q '^hotspotd:x:' "$r/etc/group" && grep -q '^hotspot:x:' "$r/etc/group" &&
        grep -q '^hotspot-admin:x:' "$r/etc/group" &&
        grep -q '^dialout:x:[0-9]*:hotspotd$' "$r/etc/group"; then
        own_gid=$(sed -n 's/^hotspotd:x:\([0-9]*\):.*/\1/p' "$r/etc/group")
        user_gid=$(sed -n 's/^hotspotd:x:[0-9]*:\([0-9]*\):.*/\1/p' "$r/etc/passwd")
        if [ "$own_gid" = "$user_gid" ] && ! grep -q '^hotspot[^:]*:x:[0-9]*:.*hotspotd' "$r/etc/group"; then
            pass "sysusers: user hotspotd (primary group hotspotd, member of dialout only); groups hotspot (technicians) and hotspot-admin (supervisors)"
        else
            fail "sysusers: hotspotd's primary group is $user_gid (hotspotd is $own_gid), or it is in a people's group"
        fi
    else
        fail "sysusers did not create hotspotd/hotspot/hotspot-admin/dialout membership"
        cat "$work/sysusers.log" "$r/etc/passwd" "$r/etc/group"
    fi
    if out=$(systemd-tmpfiles --root="$r" --create "$here/systemd/hotspotd.tmpfiles" 2>&1) && [ -z "$out" ] &&
        [ -d "$r/etc/hotspotd/devices.d" ] && [ "$(stat -c %a "$r/run/lock")" = "1777" ]; then
        pass "tmpfiles: /run/lock 1777, /etc/hotspotd/devices.d"
    else
        fail "tmpfiles: $out"
    fi
fi

# ---------------------------------------------------------------------------------------------
say "== udev rules under umockdev: $rules_dir"
expect() { # expect <device-name> <fixed-string>...: every string appears in udevadm test's stdout
    f="$work/udev/$1.out"
    shift
    for s in "$@"; do
        if ! grep -qxF -- "$s" "$f"; then
            fail "$(basename "$f" .out): missing '$s'"
            return 0
        fi
    done
}
refuse() { # refuse <device-name> <regex>: udevadm test's stdout must not match
    if grep -q -- "$2" "$work/udev/$1.out"; then fail "$1: unexpected match for '$2'"; fi
}
if [ "$(id -u)" -ne 0 ]; then
    if [ "$ci" = "true" ]; then fail "udev step needs root (unshare -m, mount)"; else say "skip: udev step needs root"; fi
elif need udevadm && need umockdev-run && need unshare; then
    mkdir "$work/udev"
    if unshare -m "$0" --inside-namespace "$work/udev" >"$work/udev/namespace.log" 2>&1; then
        before=$failures
        # Rule syntax: systemd 252 reports parse errors on stderr and still exits 0.
        if grep -h -E 'hotspot-station\.rules.*(Invalid|invalid|Unknown|failed)' "$work/udev"/*.err | sort -u | grep .; then
            fail "udev rule file has syntax errors"
        fi
        if grep -l '^rc=' "$work/udev"/*.err; then fail "udevadm test exited non-zero"; fi
        gid=$(sed -n 's/^hotspotd:x:\([0-9]*\):.*/\1/p' "$work/udev/group")
        serial="HOTSPOTD_USB_MODE=serial"
        for d in 1-1 1-1_1-1_1.0; do
            expect "$d" "$serial" HOTSPOTD_CANDIDATE=1 ID_MM_DEVICE_IGNORE=1
        done
        for t in ttyUSB0 ttyUSB2; do
            d="1-1_1-1_1.${t#ttyUSB}_${t}_tty_${t}"
            expect "$d" "$serial" HOTSPOTD_CANDIDATE=1 ID_MM_DEVICE_IGNORE=1 ID_VENDOR_ID=12d1 ID_MODEL_ID=1506
            grep -q '^TAGS=.*:hotspotd:' "$work/udev/$d.out" || fail "$d: tag hotspotd missing"
            grep -q "70-hotspot-station.rules:[0-9]* GROUP $gid\$" "$work/udev/$d.err" || fail "$d: GROUP hotspotd not applied"
            grep -q '70-hotspot-station.rules:[0-9]* MODE 0660$' "$work/udev/$d.err" || fail "$d: MODE 0660 not applied"
        done
        grep -q '70-hotspot-station.rules:[0-9]* MODE 0660$' "$work/udev/1-1.err" || fail "1-1: usb node MODE 0660 not applied"
        expect 1-2 HOTSPOTD_USB_MODE=cdrom HOTSPOTD_CANDIDATE=1 ID_MM_DEVICE_IGNORE=1
        expect 1-2_1-2_1.0 HOTSPOTD_USB_MODE=cdrom HOTSPOTD_CANDIDATE=1
        expect 1-3 HOTSPOTD_USB_MODE=hilink HOTSPOTD_CANDIDATE=1 ID_MM_DEVICE_IGNORE=1
        expect 1-3_1-3_1.0_net_usb0 HOTSPOTD_USB_MODE=hilink HOTSPOTD_CANDIDATE=1 ID_MM_DEVICE_IGNORE=1
        # Not ours: an FTDI adapter, and a Huawei diag-style ff/ff/ff port of an unknown product.
        for d in 1-4 1-4_1-4_1.0_ttyUSB3_tty_ttyUSB3 1-5_1-5_1.0_ttyUSB4_tty_ttyUSB4; do
            refuse "$d" '^HOTSPOTD_'
            refuse "$d" '^ID_MM_DEVICE_IGNORE='
            refuse "$d" '^TAGS=.*:hotspotd:'
        done
        # Generic rule: unknown Huawei product, vendor-specific interface with PC UI protocol 0x12.
        expect 1-5_1-5_1.1_ttyUSB5_tty_ttyUSB5 "$serial" HOTSPOTD_CANDIDATE=1 ID_MM_DEVICE_IGNORE=1
        # Generated ids (69-hotspot-station-modeswitch.rules): a ZTE stick in CD-ROM mode (19d2:2000,
        # from usb-modeswitch-data) and its modem personality's AT port (19d2:0031, from ModemManager's ZTE rules).
        expect 1-6 HOTSPOTD_USB_MODE=cdrom HOTSPOTD_CANDIDATE=1 ID_MM_DEVICE_IGNORE=1
        expect 1-6_1-6_1.0 HOTSPOTD_USB_MODE=cdrom HOTSPOTD_CANDIDATE=1
        d=1-7_1-7_1.3_ttyUSB6_tty_ttyUSB6
        expect "$d" "$serial" HOTSPOTD_CANDIDATE=1 ID_MM_DEVICE_IGNORE=1 ID_VENDOR_ID=19d2 ID_MODEL_ID=0031
        grep -q "70-hotspot-station.rules:[0-9]* GROUP $gid\$" "$work/udev/$d.err" || fail "$d: GROUP hotspotd not applied"
        if [ "$failures" -eq "$before" ]; then
            pass "udevadm test: 16 mocked devices carry exactly the promised properties, tag, group, mode"
        fi
    else
        fail "udev namespace run failed"
        cat "$work/udev/namespace.log"
    fi
fi

# ---------------------------------------------------------------------------------------------
say "== udev id lists vs catalog: $catalog"
if [ -f "$catalog" ]; then
    # Every 12d1 product the rules name must be in the catalog and the other way round.
    rules_ids=$(grep -v '^#' "$rules_dir/70-hotspot-station.rules" |
        sed -n 's/.*ATTRS{idVendor}=="12d1", ATTRS{idProduct}=="\([0-9a-f|]*\)".*/\1/p' | tr '|' '\n' | sort -u)
    catalog_ids=$(grep -o '"12d1:[0-9a-f]\{4\}"' "$catalog" | tr -d '"' | cut -d: -f2 | sort -u)
    if [ -n "$rules_ids" ] && [ "$rules_ids" = "$catalog_ids" ]; then
        pass "udev rules and catalog name the same $(printf '%s\n' "$rules_ids" | wc -l) Huawei product ids"
    else
        fail "udev rules and catalog disagree:"
        printf 'rules:   %s\ncatalog: %s\n' "$(echo $rules_ids)" "$(echo $catalog_ids)"
    fi
else
    fail "catalog file missing"
fi

if [ "$failures" -ne 0 ]; then
    say "verify-deployment: $failures check(s) failed"
    exit 1
fi
say "verify-deployment: all checks passed"
