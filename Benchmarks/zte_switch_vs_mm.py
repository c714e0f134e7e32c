#!/usr/bin/python3
"""Plug → ICCID for a ZTE stick arriving in CD-ROM mode (19d2:2000, as usb-modeswitch-data describes it): hotspotd's
own mode switch and discovery against usb_modeswitch + ModemManager, on the same umockdev-mocked device in the same run.

Run as `umockdev-wrapper /usr/bin/python3 Benchmarks/zte_switch_vs_mm.py BIN_DIR [runs]` from the repository root
(Benchmarks/discovery-bench.sh does, when ModemManager is installed). Each run gets a fresh testbed, simulator and peer.

The rig plays the kernel: the storage personality's usbdevfs node replays usb_modeswitch 2.6.1's exchange (standard
eject to LUN 0 and 1, then the ZTE message, a 13-byte CSW after each; umockdev rejects any other byte), and once the
switch was sent (hotspotd logs "mode switch sent"; usb_modeswitch exits 0) the storage device is removed and the modem
personality (19d2:0031: diag, secondary AT, microSD, primary AT, as ModemManager's 77-mm-zte-port-types.rules name
them) is added, its ttys relayed to hotspot-sim devices answering instantly with the generic 3GPP personality (the
identification chain, +CCID included, is the one a ZTE stick answers; no ZTE-specific personality is used).
Peer side: `usb_modeswitch -v 0x19d2 -p 0x2000 -K -M <ZTE message>` is started at plug time, as udev's
40-usb_modeswitch.rules would start it but without the dispatcher's own delays (in ModemManager's favour), then
ModemManager on a private system bus sees the modem personality with the port types its ZTE rules give (udev rules do
not run under umockdev). Printed: plug → switch sent and plug → ICCID, medians of both.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import gi
gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.dont_write_bytecode = True
import umockdev_rig as rig  # noqa: E402
from bench import http_get  # noqa: E402

BIN = sys.argv[1]
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
SETTLE = float(os.environ.get("MM_SETTLE_SECONDS", "3"))
BUS = "/devices/pci0000:00/0000:00:14.0/usb1"
PORT = "1-6"
ZTE_MESSAGE = "55534243123456702000000080000c85010101180101010101000000000000"
SWITCH_MESSAGES = [
    "5553424387654321000000000000061e000000000000000000000000000000",
    "5553424397654321000000000000061b000000020000000000000000000000",
    "5553424387654321000000000001061e000000000000000000000000000000",
    "5553424397654321000000000001061b000000020000000000000000000000",
    ZTE_MESSAGE,
]


def le16(value):
    return [value & 0xff, value >> 8]


def usb_device(devnum, product, interfaces, extra):
    """A USB device block plus its interface blocks; `interfaces` = (number, class, driver, endpoints)."""
    body = []
    for number, klass, _, endpoints in interfaces:
        sub, proto = (6, 0x50) if klass == 8 else (0xff, 0xff)
        body += [9, 4, number, 0, len(endpoints), klass, sub, proto, 0]
        for address in endpoints:
            body += [7, 5, address, 2] + le16(512) + [0]
    descriptors = [18, 1, 0, 2, 0, 0, 0, 64] + le16(0x19d2) + le16(product) + le16(0x0102) + [1, 2, 3, 1]
    descriptors += [9, 2] + le16(9 + len(body)) + [len(interfaces), 1, 0, 0x80, 250] + body
    text = ("P: %s/%s\nN: bus/usb/001/%03d\nE: DEVNAME=/dev/bus/usb/001/%03d\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
            "E: PRODUCT=19d2/%x/102\nE: BUSNUM=001\nE: DEVNUM=%03d\nE: MAJOR=189\nE: MINOR=%d\nE: SUBSYSTEM=usb\n%s"
            "A: idVendor=19d2\nA: idProduct=%04x\nA: bcdDevice=0102\nA: manufacturer=ZTE,Incorporated\n"
            "A: product=ZTE WCDMA Technologies MSM\nA: busnum=1\\n\nA: devnum=%d\\n\nA: speed=480\\n\n"
            "A: bConfigurationValue=1\\n\nA: bNumInterfaces= %d\nA: dev=189:%d\nL: driver=../../../../../bus/usb/drivers/usb\n"
            "H: descriptors=%s\n" % (BUS, PORT, devnum, devnum, product, devnum, devnum - 1, extra, product, devnum,
                                     len(interfaces), devnum - 1, "".join("%02X" % b for b in descriptors)))
    for number, klass, driver, endpoints in interfaces:
        sub, proto = (6, 0x50) if klass == 8 else (0xff, 0xff)
        text += ("\nP: %s/%s/%s:1.%d\nE: DEVTYPE=usb_interface\nE: DRIVER=%s\nE: INTERFACE=%d/%d/%d\nE: SUBSYSTEM=usb\n"
                 "L: driver=../../../../../../bus/usb/drivers/%s\nA: bInterfaceNumber=%02x\nA: bInterfaceClass=%02x\n"
                 "A: bInterfaceSubClass=%02x\nA: bInterfaceProtocol=%02x\nA: bNumEndpoints=%02x\n"
                 % (BUS, PORT, PORT, number, driver, klass, sub, proto, driver, number, klass, sub, proto, len(endpoints)))
    return text


def storage_description(for_mm):
    extra = "" if for_mm else "E: HOTSPOTD_CANDIDATE=1\nE: ID_MM_DEVICE_IGNORE=1\n"
    return usb_device(7, 0x2000, [(0, 8, "usb-storage", [0x81, 0x01])], extra)


# tty name, interface number, what ModemManager's ZTE rules tag it with.
TTYS = [("ttyUSB0", 0, "ID_MM_PORT_IGNORE"), ("ttyUSB1", 1, "ID_MM_PORT_TYPE_AT_SECONDARY"),
        ("ttyUSB2", 3, "ID_MM_PORT_TYPE_AT_PRIMARY")]


def modem_description(for_mm):
    extra = "" if for_mm else "E: HOTSPOTD_CANDIDATE=1\nE: ID_MM_DEVICE_IGNORE=1\n"
    text = usb_device(8, 0x0031, [(0, 0xff, "option", [0x81, 0x01]), (1, 0xff, "option", [0x82, 0x02]),
                                  (2, 8, "usb-storage", [0x83, 0x03]), (3, 0xff, "option", [0x84, 0x04])], extra)
    for index, (name, number, tag) in enumerate(TTYS):
        marks = ("E: ID_MM_CANDIDATE=1\nE: %s=1\n" % tag) if for_mm else "E: HOTSPOTD_CANDIDATE=1\nE: ID_MM_DEVICE_IGNORE=1\n"
        text += ("\nP: %s/%s/%s:1.%d/%s\nE: DRIVER=option1\nE: SUBSYSTEM=usb-serial\nA: port_number=0\n"
                 "\nP: %s/%s/%s:1.%d/%s/tty/%s\nN: %s\nE: DEVNAME=/dev/%s\nE: MAJOR=188\nE: MINOR=%d\nE: SUBSYSTEM=tty\n"
                 "E: ID_VENDOR_ID=19d2\nE: ID_MODEL_ID=0031\nE: ID_USB_INTERFACE_NUM=%02x\n%sA: dev=188:%d\n"
                 % (BUS, PORT, PORT, number, name, BUS, PORT, PORT, number, name, name, name, name, index, number, marks, index))
    return text


def write_replay(work):
    path = work + "/zte.ioctl"
    text = "@DEV /dev/bus/usb/001/007 (usbdevfs)\nUSBDEVFS_GET_CAPABILITIES 0 0F000000\n"
    for message in SWITCH_MESSAGES:
        text += "USBDEVFS_REAPURBNDELAY 0 3 1 0 0 31 31 0 %s\n" % message
        text += " USBDEVFS_REAPURBNDELAY 0 3 129 0 0 13 13 0 55534253%s0000000000\n" % message[8:16]
    open(path, "w").write(text)
    return path


def unplug_storage(tb):
    device = "/sys%s/%s" % (BUS, PORT)
    tb.uevent(device + "/%s:1.0" % PORT, "remove")
    tb.uevent(device, "remove")
    tb.remove_device(device)
    rig.drop_dangling_bus_links(tb.get_root_dir())


def start_sim(work, plain):
    # ModemManager reads the ICCID with AT+CRSM (EF_ICCID), hotspotd may use +CCID: answer both, as sticks do.
    return rig.start_instant_simulator(BIN, work, "simulator/personalities/generic-3gpp.json", ("a", "b", "c"), plain,
                                       iccidForms=["+CCID", "+CRSM"])


def plug_modem(tb, for_mm, sim_ports, stop):
    tb.add_from_string(modem_description(for_mm))
    handler = None
    if for_mm:
        handler = UMockdev.IoctlBase()
        handler.connect("handle-ioctl", rig.answer_modem_line_ioctl)
    rig.attach_ttys(tb, sim_ports, stop, handler)
    return handler


def run_hotspotd(work):
    tb = UMockdev.Testbed.new()
    plain = rig.plain_environment(HOTSPOTD_SOCKET=work + "/api.sock")
    mocked = rig.mocked_environment(tb.get_root_dir())
    sim, sim_ports = start_sim(work, plain)
    log = work + "/hotspotd.log"
    procs = [sim]
    stop = threading.Event()
    handler = None
    try:
        procs.append(rig.start_hotspotd(BIN, work, mocked))
        if not rig.wait_for_hotspotd(BIN, plain, 10, 0.02):
            raise RuntimeError("hotspotd did not start")
        replay = write_replay(work)
        # The replay must be in place before the uevent: hotspotd switches as soon as it sees the device.
        tb.load_ioctl("/dev/bus/usb/001/007", replay)
        start = time.monotonic()
        tb.add_from_string(storage_description(False))
        switched = None
        while time.monotonic() - start < 30:
            if "mode switch sent" in open(log, errors="replace").read():
                switched = time.monotonic() - start
                break
            time.sleep(0.001)
        if switched is None:
            raise RuntimeError("hotspotd: no mode switch within 30 s")
        unplug_storage(tb)
        handler = plug_modem(tb, False, sim_ports, stop)
        while time.monotonic() - start < 30:
            _, body = http_get(work + "/api.sock", "/v1/devices?reveal=true")
            if re.search(rb'"iccid" ?: ?"89', body):
                return switched, time.monotonic() - start
            time.sleep(0.001)
        raise RuntimeError("hotspotd: no ICCID within 30 s")
    finally:
        del handler
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
    handler = None
    try:
        procs += rig.start_modemmanager(work, plain, mocked)
        # mmcli answers once the bus name is taken, which can be before ModemManager's udev monitor listens: with no
        # pause or 1 s, 2 of 5 runs saw no uevent at all (nothing about 1-6 in mm.log); 3 s (MM_SETTLE_SECONDS) gave
        # 5 of 5. The clock starts at the plug, so the pause costs ModemManager nothing.
        time.sleep(SETTLE)
        replay = write_replay(work)
        tb.load_ioctl("/dev/bus/usb/001/007", replay)
        start = time.monotonic()
        tb.add_from_string(storage_description(True))
        ms = subprocess.run(["usb_modeswitch", "-v", "0x19d2", "-p", "0x2000", "-K", "-M", ZTE_MESSAGE], env=mocked,
                            capture_output=True, text=True)
        if ms.returncode != 0 or "Response successfully read" not in ms.stdout:
            raise RuntimeError("usb_modeswitch failed: %s" % (ms.stdout + ms.stderr)[-400:])
        switched = time.monotonic() - start
        unplug_storage(tb)
        handler = plug_modem(tb, True, sim_ports, stop)
        while time.monotonic() - start < 60:
            if rig.modemmanager_knows_iccid(plain):
                return switched, time.monotonic() - start
            time.sleep(0.02)
        raise RuntimeError("ModemManager: no ICCID within 60 s")
    finally:
        del handler
        stop.set()
        rig.stop_processes(procs)


ours, theirs = [], []
for i in range(RUNS):
    for name, fn, out in (("hotspotd", run_hotspotd, ours), ("usb_modeswitch+ModemManager", run_mm, theirs)):
        work = tempfile.mkdtemp(prefix="hs-zte-")
        try:
            out.append(fn(work))
        except Exception as error:  # report and go on: one failed peer run must not hide the others
            print("%s run %d failed: %s (logs kept in %s)" % (name, i + 1, error, work))
            continue
        shutil.rmtree(work, ignore_errors=True)
if ours and theirs:
    def show(runs):
        return "switch sent %.1f ms, ICCID %.1f ms (n=%d; ICCID runs %s)" % (
            rig.median([r[0] for r in runs]) * 1000, rig.median([r[1] for r in runs]) * 1000, len(runs),
            ", ".join("%.0f" % (r[1] * 1000) for r in runs))
    a, b = rig.median([r[1] for r in ours]), rig.median([r[1] for r in theirs])
    print("ZTE 19d2:2000 in CD-ROM mode, plug→ICCID, same mocked stick, same run: hotspotd %s; "
          "usb_modeswitch+ModemManager %s; ratio %.1f×" % (show(ours), show(theirs), b / a))
