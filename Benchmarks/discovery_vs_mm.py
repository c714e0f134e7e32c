#!/usr/bin/python3
"""Plug (uevent) → ICCID known: hotspotd's discovery against ModemManager, on the same umockdev-mocked Huawei E5
(udev/fixtures/station.umockdev, socket 1-1) whose ttys are relayed to hotspot-sim devices answering instantly.

Run as `umockdev-wrapper /usr/bin/python3 Benchmarks/discovery_vs_mm.py BIN_DIR [runs]` from the repository root
(Benchmarks/discovery-bench.sh does, when ModemManager is installed). Each run gets a fresh testbed, simulator and
peer. ModemManager runs on a private system bus (TESTING.md §5): its ports are marked as udev would (ID_MM_CANDIDATE,
port types) because udev rules do not run under umockdev, and TIOCEXCL is forwarded to the real pty.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import termios
import threading
import time

import gi
gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.dont_write_bytecode = True  # importing the rig and bench.py must not leave a __pycache__ in the work tree
import umockdev_rig as rig  # noqa: E402
from bench import http_get  # noqa: E402  (Benchmarks/, this script's directory)

BIN = sys.argv[1]
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
FIXTURE = open(rig.FIXTURE_PATH).read()


def e5_description(for_mm):
    blocks = [b for b in rig.fixture_blocks(FIXTURE) if "/usb1/1-1" in b.split("\n")[0]]
    out = []
    for b in blocks:
        head = b.split("\n")[0]
        if for_mm and head.endswith("/tty/ttyUSB0"):
            b += "\nE: ID_MM_CANDIDATE=1\nE: ID_MM_PORT_TYPE_AT_SECONDARY=1"
        elif for_mm and head.endswith("/tty/ttyUSB1"):
            b += "\nE: ID_MM_CANDIDATE=1\nE: ID_MM_PORT_IGNORE=1"
        elif for_mm and head.endswith("/tty/ttyUSB2"):
            b += "\nE: ID_MM_CANDIDATE=1\nE: ID_MM_PORT_TYPE_AT_PRIMARY=1"
        elif not for_mm and ("/tty/ttyUSB" in head or head.endswith("/usb1/1-1")):
            b += "\nE: HOTSPOTD_CANDIDATE=1\nE: ID_MM_DEVICE_IGNORE=1"
        out.append(b)
    return "\n\n".join(out) + "\n"


BITS = termios.TIOCM_DTR | termios.TIOCM_RTS | termios.TIOCM_CTS | termios.TIOCM_DSR | termios.TIOCM_CD


def handle_ioctl(handler, client):
    req = client.get_request()
    if req == termios.TIOCMGET:
        client.get_arg().resolve(0, 4).update(0, BITS.to_bytes(4, "little"))
        client.complete(0, 0)
        return True
    if req in (termios.TIOCMSET, termios.TIOCMBIS, termios.TIOCMBIC):
        client.complete(0, 0)
        return True
    r = client.execute()
    res, err = r if isinstance(r, tuple) else (r, 0)
    client.complete(res, err)
    return True


def start_sim(work, plain):
    personality = work + "/e5.json"
    text = open("simulator/personalities/huawei-e5-mifi.json").read()
    # Instant device: no per-command latency, no periodic reports.
    import json
    data = json.loads(text)
    data["latency"] = {"defaultMs": 0, "commands": {}}
    data.pop("unsolicited", None)
    json.dump(data, open(personality, "w"))
    sim = subprocess.Popen([BIN + "/hotspot-sim", "--device", personality + ":label=a", "--device", personality + ":label=b",
                            "--device", personality + ":label=c", "--operator", "simulator/operator-simunet.json",
                            "--ports-file", work + "/ports"], env=plain, stdout=subprocess.DEVNULL,
                           stderr=open(work + "/sim.log", "w"))
    end = time.time() + 10
    while not os.path.exists(work + "/ports") and time.time() < end:
        time.sleep(0.02)
    ports = dict(line.split("\t") for line in open(work + "/ports").read().split("\n") if line)
    return sim, [ports[k].strip() for k in ("a", "b", "c")]


def plug(tb, desc, sim_ports, stop, with_handler):
    tb.add_from_string(desc)
    handler = None
    if with_handler:
        handler = UMockdev.IoctlBase()
        handler.connect("handle-ioctl", handle_ioctl)
    for index, port in enumerate(sim_ports):
        dev = "/dev/ttyUSB%d" % index
        if handler:
            tb.attach_ioctl(dev, handler)
        rig.relay(tb.get_dev_fd(dev), port, stop, interval=0.2, backoff=0.005)
    return handler


def run_hotspotd(work):
    tb = UMockdev.Testbed.new()
    plain = rig.plain_environment(HOTSPOTD_SOCKET=work + "/api.sock")
    mocked = rig.mocked_environment(tb.get_root_dir())
    config = open("config/hotspotd.example.json").read().replace('"lockDirectory": "/var/lock"', '"lockDirectory": null, "allowPseudoTerminals": true')
    config = config.replace('"defaultPlan": "500MB"', '"defaultPlan": null')
    open(work + "/hotspotd.json", "w").write(config)
    sim, sim_ports = start_sim(work, plain)
    daemon = subprocess.Popen([BIN + "/hotspotd", "--config", work + "/hotspotd.json", "--database", work + "/l.sqlite",
                               "--socket", work + "/api.sock", "--catalog", "catalog/devices"], env=mocked,
                              stderr=open(work + "/hotspotd.log", "w"))
    stop = threading.Event()
    try:
        if not rig.wait_for_hotspotd(BIN, plain, 10, 0.02):
            raise RuntimeError("hotspotd did not start")
        start = time.monotonic()
        plug(tb, e5_description(False), sim_ports, stop, False)
        while time.monotonic() - start < 30:
            # The API over the Unix socket directly: a CLI process per poll would add its own start-up time.
            _, body = http_get(work + "/api.sock", "/v1/devices?reveal=true")
            if re.search(rb'"iccid" ?: ?"89', body):
                return time.monotonic() - start
            time.sleep(0.001)
        raise RuntimeError("hotspotd: no ICCID within 30 s")
    finally:
        stop.set()
        daemon.terminate()
        daemon.wait(10)
        sim.terminate()
        sim.wait(10)


DBUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=%s/system_bus_socket</listen><auth>EXTERNAL</auth>
 <policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/></policy>
</busconfig>
"""


def run_mm(work):
    tb = UMockdev.Testbed.new()
    bus = "unix:path=%s/system_bus_socket" % work
    plain = rig.plain_environment(DBUS_SYSTEM_BUS_ADDRESS=bus)
    mocked = rig.mocked_environment(tb.get_root_dir(), DBUS_SYSTEM_BUS_ADDRESS=bus)
    open(work + "/dbus.conf", "w").write(DBUS_CONF % work)
    sim, sim_ports = start_sim(work, plain)
    procs = [sim]
    stop = threading.Event()
    try:
        procs.append(subprocess.Popen(["dbus-daemon", "--config-file=" + work + "/dbus.conf", "--nofork", "--nopidfile"],
                                      env=plain, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        end = time.time() + 10
        while not os.path.exists(work + "/system_bus_socket") and time.time() < end:
            time.sleep(0.02)
        procs.append(subprocess.Popen(["ModemManager", "--debug", "--test-no-suspend-resume"], env=mocked,
                                      stdout=open(work + "/mm.log", "w"), stderr=subprocess.STDOUT))
        end = time.time() + 20
        while subprocess.run(["mmcli", "-L"], env=plain, capture_output=True).returncode != 0:
            if time.time() > end:
                raise RuntimeError("ModemManager did not come up")
            time.sleep(0.05)
        start = time.monotonic()
        handler = plug(tb, e5_description(True), sim_ports, stop, True)
        while time.monotonic() - start < 60:
            listing = subprocess.run(["mmcli", "-L"], env=plain, capture_output=True, text=True).stdout
            m = re.search(r"/Modem/(\d+)", listing)
            if m:
                sim_info = subprocess.run(["mmcli", "-i", m.group(1)], env=plain, capture_output=True, text=True).stdout
                if "iccid" in sim_info:
                    del handler
                    return time.monotonic() - start
            time.sleep(0.02)
        raise RuntimeError("ModemManager: no ICCID within 60 s")
    finally:
        stop.set()
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


ours, theirs = [], []
for i in range(RUNS):
    for name, fn, out in (("hotspotd", run_hotspotd, ours), ("ModemManager", run_mm, theirs)):
        work = tempfile.mkdtemp(prefix="hs-mm-")
        try:
            out.append(fn(work))
        except Exception as error:  # report and go on: one failed peer run must not hide the others
            print("%s run %d failed: %s (logs kept in %s)" % (name, i + 1, error, work))
            continue
        shutil.rmtree(work, ignore_errors=True)
if ours and theirs:
    a, b = median(ours) * 1000, median(theirs) * 1000
    print("plug→ICCID, same mocked E5, same run: hotspotd median %.1f ms (n=%d, %s), ModemManager median %.1f ms (n=%d, %s); "
          "ModemManager/hotspotd = %.0f×" % (a, len(ours), ", ".join("%.1f" % (x * 1000) for x in ours), b, len(theirs),
                                             ", ".join("%.0f" % (x * 1000) for x in theirs), b / a))
