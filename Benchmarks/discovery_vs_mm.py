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
import sys
import tempfile
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


def plug(tb, desc, sim_ports, stop, with_handler):
    tb.add_from_string(desc)
    handler = None
    if with_handler:
        handler = UMockdev.IoctlBase()
        handler.connect("handle-ioctl", rig.answer_modem_line_ioctl)
    rig.attach_ttys(tb, sim_ports, stop, handler)
    return handler


def start_sim(work, plain):
    return rig.start_instant_simulator(BIN, work, "simulator/personalities/huawei-e5-mifi.json", ("a", "b", "c"), plain)


def run_hotspotd(work):
    tb = UMockdev.Testbed.new()
    plain = rig.plain_environment(HOTSPOTD_SOCKET=work + "/api.sock")
    mocked = rig.mocked_environment(tb.get_root_dir())
    sim, sim_ports = start_sim(work, plain)
    procs = [sim]
    stop = threading.Event()
    try:
        procs.append(rig.start_hotspotd(BIN, work, mocked))
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
        rig.stop_processes(procs)


def run_mm(work):
    tb = UMockdev.Testbed.new()
    bus = rig.private_bus_address(work)
    plain = rig.plain_environment(DBUS_SYSTEM_BUS_ADDRESS=bus)
    mocked = rig.mocked_environment(tb.get_root_dir(), DBUS_SYSTEM_BUS_ADDRESS=bus)
    sim, sim_ports = start_sim(work, plain)
    procs = [sim]
    stop = threading.Event()
    handler = None  # the ioctl handler must outlive the run: umockdev calls it on every ModemManager ioctl
    try:
        procs += rig.start_modemmanager(work, plain, mocked)
        start = time.monotonic()
        handler = plug(tb, e5_description(True), sim_ports, stop, True)
        while time.monotonic() - start < 60:
            if rig.modemmanager_knows_iccid(plain):
                return time.monotonic() - start
            time.sleep(0.02)
        raise RuntimeError("ModemManager: no ICCID within 60 s")
    finally:
        del handler
        stop.set()
        rig.stop_processes(procs)


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
    a, b = rig.median(ours) * 1000, rig.median(theirs) * 1000
    print("plug→ICCID, same mocked E5, same run: hotspotd median %.1f ms (n=%d, %s), ModemManager median %.1f ms (n=%d, %s); "
          "ModemManager/hotspotd = %.0f×" % (a, len(ours), ", ".join("%.1f" % (x * 1000) for x in ours), b, len(theirs),
                                             ", ".join("%.0f" % (x * 1000) for x in theirs), b / a))
