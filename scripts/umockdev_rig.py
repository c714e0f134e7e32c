"""What scripts/demo_discovery.py and Benchmarks/discovery_vs_mm.py both need to run hotspotd against
umockdev-mocked USB devices whose ttys are served by hotspot-sim: the fixture's device blocks, the relay between a
mocked tty and a simulator pty, the two process environments and the wait for hotspotd's API.

Standard library only: the umockdev testbed itself stays with the caller (it must live in the umockdev-wrapper'd
process), so this module can be imported anywhere.
"""
import os
import select
import subprocess
import threading
import time
import tty

FIXTURE_PATH = "udev/fixtures/station.umockdev"


def fixture_blocks(text):
    """The device descriptions of a umockdev fixture, one per blank-line separated block."""
    return [b for b in text.strip().split("\n\n") if b.strip()]


def sysfs_path(block):
    """The /devices/... path a device block describes (its first line, `P: <path>`)."""
    return block.split("\n")[0].split(" ", 1)[1]


def relay(master, path, stop=None, interval=1.0, backoff=0.01):
    """Copies bytes both ways between a mocked tty (its testbed fd `master`) and the simulator pty at `path`.

    Runs on a daemon thread until `stop` (a threading.Event) is set, or for the life of the process without one;
    `interval` bounds how long the thread takes to notice `stop`, `backoff` is the pause after a failed read.
    """
    slave = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(slave)

    def pump():
        while stop is None or not stop.is_set():
            ready, _, _ = select.select([master, slave], [], [], interval)
            for fd in ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    time.sleep(backoff)
                    continue
                if data:
                    os.write(slave if fd == master else master, data)
        os.close(slave)
    threading.Thread(target=pump, daemon=True).start()


def plain_environment(**extra):
    """This process's environment without the umockdev preload, plus `extra`: for processes that need the real
    /sys and /dev (hotspot-sim's ptys need real ioctls, hotspotctl, dbus-daemon, mmcli)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "UMOCKDEV_DIR")}
    env.update(extra)
    return env


def mocked_environment(root_dir, **extra):
    """This process's environment (umockdev preload included) pointed at the testbed in `root_dir`, plus `extra`:
    for the process under test, which must see the mocked /sys and /dev."""
    return dict(os.environ, UMOCKDEV_DIR=root_dir, **extra)


def wait_for_hotspotd(bin_dir, env, seconds=10, interval=0.02):
    """Polls `hotspotctl plans` until hotspotd answers on its socket; False if it did not within `seconds`."""
    end = time.time() + seconds
    while subprocess.run([bin_dir + "/hotspotctl", "plans"], env=env, capture_output=True).returncode != 0:
        if time.time() > end:
            return False
        time.sleep(interval)
    return True
