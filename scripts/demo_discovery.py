#!/usr/bin/python3
"""Discovery demo: hotspotd finds mocked USB devices by itself (udev enumerate + monitor, catalog, mode switch,
AT port choice), and their AT ports are served by hotspot-sim.

Run as `umockdev-wrapper /usr/bin/python3 scripts/demo_discovery.py BIN_DIR RUN_DIR` from the repository root
(scripts/demo.sh does). The umockdev testbed lives in this process; hotspotd runs under the same preload and sees
the mocked /sys and /dev; hotspot-sim runs outside it (its ptys need real ioctls) and each mocked tty is relayed to
one simulated device. Devices (udev/fixtures/station.umockdev): an E5 hotspot in serial mode (1-1), an E5 in its
CD-ROM personality (1-2, switched with the Huawei message, checked byte for byte by an ioctl replay, then replaced by
its serial personality), a HiLink unit (1-3, listed with the reason), an FTDI adapter (1-4, left alone) and an
unknown Huawei stick with a PC UI port (1-5). At the end the stick is unplugged.
"""
import os
import re
import subprocess
import sys
import time

import gi
gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402

sys.dont_write_bytecode = True  # importing the rig must not leave a __pycache__ in the work tree
import umockdev_rig as rig  # noqa: E402  (scripts/, this script's directory)

BIN, RUN = sys.argv[1], sys.argv[2]
FIXTURE = open(rig.FIXTURE_PATH).read()
REPLAY = """@DEV /dev/bus/usb/001/003 (usbdevfs)
USBDEVFS_GET_CAPABILITIES 0 0F000000
USBDEVFS_REAPURBNDELAY 0 3 1 0 0 31 31 0 55534243123456780000000000000011062000000101000100000000000000
 USBDEVFS_REAPURBNDELAY 0 3 129 0 0 13 13 0 55534253123456780000000000
"""


def under(prefix):
    return "\n\n".join(b for b in rig.fixture_blocks(FIXTURE) if rig.sysfs_path(b).startswith(prefix)) + "\n"


def switched_e5():
    """The 1-1 E5 description moved to socket 1-2 with new device number and tty names: the switched personality."""
    text = under("/devices/pci0000:00/0000:00:14.0/usb1/1-1")
    text = text.replace("usb1/1-1", "usb1/1-2").replace("1-1:1.", "1-2:1.")
    text = text.replace("bus/usb/001/002", "bus/usb/001/007").replace("DEVNUM=002", "DEVNUM=007")
    text = text.replace("devnum=2\\n", "devnum=7\\n").replace("dev=189:1", "dev=189:6").replace("MINOR=1\n", "MINOR=6\n", 1)
    for old, new in (("ttyUSB2", "ttyUSB8"), ("ttyUSB1", "ttyUSB7"), ("ttyUSB0", "ttyUSB6")):
        text = text.replace(old, new)
    text = re.sub(r"MINOR=([0-2])\n", lambda m: "MINOR=%d\n" % (int(m.group(1)) + 6), text)
    text = re.sub(r"dev=188:([0-2])\n", lambda m: "dev=188:%d\n" % (int(m.group(1)) + 6), text)
    return text


def ctl(*args, check=True):
    out = subprocess.run([BIN + "/hotspotctl", *args], env=plain, capture_output=True, text=True)
    if check and out.returncode != 0:
        print(out.stdout + out.stderr)
    return out.stdout


def wait_for(predicate, seconds, what):
    end = time.time() + seconds
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.05)
    print("demo: %s did not happen within %d s" % (what, seconds), file=sys.stderr)
    return False


def unplug(prefix):
    paths = [rig.sysfs_path(b) for b in rig.fixture_blocks(under(prefix))]
    for p in sorted(paths, key=len, reverse=True):
        tb.uevent("/sys" + p, "remove")
    tb.remove_device("/sys" + prefix)
    rig.drop_dangling_bus_links(tb.get_root_dir())


tb = UMockdev.Testbed.new()
plain = rig.plain_environment(HOTSPOTD_SOCKET=os.path.abspath(RUN + "/api.sock"))
mocked = rig.mocked_environment(tb.get_root_dir())
procs = []
try:
    sim = subprocess.Popen([BIN + "/hotspot-sim",
                            "--device", "simulator/personalities/huawei-e5-mifi.json:label=mifi,count=2",
                            "--device", "simulator/personalities/huawei-stick.json:label=stick",
                            "--operator", "simulator/operator-simunet.json", "--state", RUN + "/operator-state.json",
                            "--ports-file", RUN + "/ports"], env=plain,
                           stdout=subprocess.DEVNULL, stderr=open(RUN + "/sim.log", "w"))
    procs.append(sim)
    wait_for(lambda: os.path.exists(RUN + "/ports"), 10, "simulator start")
    ports = dict(line.split("\t") for line in open(RUN + "/ports").read().split("\n") if line)
    # Present at start (found by enumeration): the E5 in serial mode and the E5 in CD-ROM mode (with the usbdevfs
    # replay that accepts only the Huawei switch message).
    print("== already plugged in at start: E5 hotspot (1-1), E5 in CD-ROM mode (1-2)")
    replay = RUN + "/newmode.ioctl"
    open(replay, "w").write(REPLAY)
    tb.add_from_string(under("/devices/pci0000:00/0000:00:14.0/usb1/1-1"))
    tb.add_from_string(under("/devices/pci0000:00/0000:00:14.0/usb1/1-2"))
    tb.load_ioctl("/dev/bus/usb/001/003", replay)
    rig.relay(tb.get_dev_fd("/dev/ttyUSB2"), ports["mifi-1"].strip())
    daemon = subprocess.Popen([BIN + "/hotspotd", "--config", RUN + "/hotspotd.json", "--database", RUN + "/ledger.sqlite",
                               "--socket", RUN + "/api.sock", "--catalog", "catalog/devices"], env=mocked,
                              stderr=open(RUN + "/hotspotd.log", "w"))
    procs.append(daemon)
    if not rig.wait_for_hotspotd(BIN, plain, 10, 0.05):
        print("demo: hotspotd start did not happen within 10 s", file=sys.stderr)
    print(ctl("vouchers", "import", "simulator/vouchers-simunet.csv"), end="")
    watch = subprocess.Popen([BIN + "/hotspotctl", "watch"], env=plain, stdout=open(RUN + "/watch.log", "w"),
                             stderr=subprocess.STDOUT)
    procs.append(watch)

    print("== hot-plugging: HiLink (1-3), FTDI adapter (1-4), unknown Huawei stick (1-5)")
    for socket in ("1-3", "1-4", "1-5"):
        tb.add_from_string(under("/devices/pci0000:00/0000:00:14.0/usb1/" + socket))
    rig.relay(tb.get_dev_fd("/dev/ttyUSB5"), ports["stick"].strip())

    # The kernel's part of a mode switch: once hotspotd sent the message, the CD-ROM leaves and the modem arrives.
    if wait_for(lambda: "mode switch sent" in open(RUN + "/hotspotd.log").read(), 10, "the mode switch"):
        print("== hotspotd sent the Huawei switch message to 1-2 (byte for byte as recorded); it comes back as 12d1:1506")
        unplug("/devices/pci0000:00/0000:00:14.0/usb1/1-2")
        tb.add_from_string(switched_e5())
        rig.relay(tb.get_dev_fd("/dev/ttyUSB8"), ports["mifi-2"].strip())

    def settled():
        listing = ctl("devices", "--json", check=False)
        states = re.findall(r'"state" : "([a-z-]*)"', listing)
        return len(states) >= 4 and not any(s in ("connecting", "identifying", "provisioning") for s in states)
    wait_for(settled, 90, "provisioning of the discovered devices")
    print("== devices found and provisioned by discovery (no --device, no attach)")
    print(ctl("devices"), end="")
    print("== unplugging the stick (1-5)")
    unplug("/devices/pci0000:00/0000:00:14.0/usb1/1-5")
    wait_for(lambda: '"state" : "gone"' in ctl("devices", "--json", check=False), 5, "the unplug")
    print(ctl("devices"), end="")
    print("== live progress seen by 'hotspotctl watch'")
    time.sleep(0.2)
    print(open(RUN + "/watch.log").read(), end="")
finally:
    for p in reversed(procs):
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
