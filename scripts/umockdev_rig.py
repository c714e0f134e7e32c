"""One rig for every black-box run against umockdev-mocked USB devices whose ttys are served by hotspot-sim:
scripts/demo_discovery.py, Benchmarks/discovery_vs_mm.py and Benchmarks/zte_switch_vs_mm.py. It holds the fixture's
device blocks, the relay between a mocked tty and a simulator pty, the two process environments, an instant simulator,
hotspotd started on the end-to-end tests' configuration (config/hotspotd.example.json with pseudo-terminals allowed,
as Tests/EndToEndTests does), ModemManager on a private system bus, and the waits between them.

Standard library only: the umockdev testbed itself stays with the caller (it must live in the umockdev-wrapper'd
process), so this module can be imported anywhere.
"""
import json
import os
import re
import select
import subprocess
import termios
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


def drop_dangling_bus_links(root):
    """umockdev 0.17 leaves /sys/bus/*/devices links behind on remove_device, then refuses to add the same name."""
    for sub in os.listdir(root + "/sys/bus"):
        devices = root + "/sys/bus/" + sub + "/devices"
        for name in os.listdir(devices) if os.path.isdir(devices) else []:
            link = devices + "/" + name
            if os.path.islink(link) and not os.path.exists(link):
                os.unlink(link)


# The modem-control lines a real USB serial port reports: ModemManager reads them (TIOCMGET) and a pty has none.
MODEM_LINES = termios.TIOCM_DTR | termios.TIOCM_RTS | termios.TIOCM_CTS | termios.TIOCM_DSR | termios.TIOCM_CD


def answer_modem_line_ioctl(handler, client):
    """A umockdev `handle-ioctl` callback: modem-line ioctls answered as a real port would, everything else (TIOCEXCL
    included) forwarded to the pty behind the mocked tty."""
    request = client.get_request()
    if request == termios.TIOCMGET:
        client.get_arg().resolve(0, 4).update(0, MODEM_LINES.to_bytes(4, "little"))
        client.complete(0, 0)
        return True
    if request in (termios.TIOCMSET, termios.TIOCMBIS, termios.TIOCMBIC):
        client.complete(0, 0)
        return True
    result = client.execute()
    value, error = result if isinstance(result, tuple) else (result, 0)
    client.complete(value, error)
    return True


def attach_ttys(testbed, sim_ports, stop, handler=None):
    """Relays /dev/ttyUSB0.. of `testbed` to the simulator ptys `sim_ports`, with `handler` (an UMockdev.IoctlBase
    connected to answer_modem_line_ioctl, for ModemManager) attached to each tty when given."""
    for index, port in enumerate(sim_ports):
        dev = "/dev/ttyUSB%d" % index
        if handler is not None:
            testbed.attach_ioctl(dev, handler)
        relay(testbed.get_dev_fd(dev), port, stop, interval=0.2, backoff=0.005)


def wait_until(predicate, seconds, interval=0.02):
    """Polls `predicate` until it is true (True) or `seconds` passed (False)."""
    end = time.time() + seconds
    while not predicate():
        if time.time() > end:
            return False
        time.sleep(interval)
    return True


def start_instant_simulator(bin_dir, work, personality, labels, env, **changes):
    """hotspot-sim serving one device per label from `personality` with no per-command latency and no periodic
    reports, `changes` merged into its "sim" section; returns (process, [pty path per label])."""
    data = json.load(open(personality))
    data["latency"] = {"defaultMs": 0, "commands": {}}
    data.pop("unsolicited", None)
    data.setdefault("sim", {}).update(changes)
    instant = work + "/instant-personality.json"
    json.dump(data, open(instant, "w"))
    args = [bin_dir + "/hotspot-sim"]
    for label in labels:
        args += ["--device", instant + ":label=" + label]
    sim = subprocess.Popen(args + ["--operator", "simulator/operator-simunet.json", "--ports-file", work + "/ports"],
                           env=env, stdout=subprocess.DEVNULL, stderr=open(work + "/sim.log", "w"))
    if not wait_until(lambda: os.path.exists(work + "/ports"), 10):
        sim.terminate()
        raise RuntimeError("hotspot-sim wrote no ports file within 10 s (see %s/sim.log)" % work)
    ports = dict(line.split("\t") for line in open(work + "/ports").read().split("\n") if line)
    return sim, [ports[label].strip() for label in labels]


def start_hotspotd(bin_dir, work, env):
    """hotspotd on the shipped example configuration, as the end-to-end tests run it (pseudo-terminals allowed, no
    UUCP lock directory, no default plan so nothing is provisioned), its API at work/api.sock, log at work/hotspotd.log."""
    config = open("config/hotspotd.example.json").read()
    config = config.replace('"lockDirectory": "/var/lock"', '"lockDirectory": null, "allowPseudoTerminals": true')
    config = config.replace('"defaultPlan": "500MB"', '"defaultPlan": null')
    open(work + "/hotspotd.json", "w").write(config)
    return subprocess.Popen([bin_dir + "/hotspotd", "--config", work + "/hotspotd.json", "--database",
                             work + "/l.sqlite", "--socket", work + "/api.sock", "--catalog", "catalog/devices"],
                            env=env, stderr=open(work + "/hotspotd.log", "w"))


PRIVATE_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=%s/system_bus_socket</listen><auth>EXTERNAL</auth>
 <policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/></policy>
</busconfig>
"""


def private_bus_address(work):
    """The D-Bus address start_modemmanager's private system bus listens on."""
    return "unix:path=%s/system_bus_socket" % work


def start_modemmanager(work, plain, mocked):
    """dbus-daemon on a private system bus, then ModemManager (which must see the mocked /sys and /dev) on it;
    returns the processes, last started last, once mmcli answers. `plain` and `mocked` must both carry
    DBUS_SYSTEM_BUS_ADDRESS=private_bus_address(work)."""
    open(work + "/dbus.conf", "w").write(PRIVATE_BUS_CONFIG % work)
    procs = [subprocess.Popen(["dbus-daemon", "--config-file=" + work + "/dbus.conf", "--nofork", "--nopidfile"],
                              env=plain, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        if not wait_until(lambda: os.path.exists(work + "/system_bus_socket"), 10):
            raise RuntimeError("dbus-daemon did not listen within 10 s")
        procs.append(subprocess.Popen(["ModemManager", "--debug", "--test-no-suspend-resume"], env=mocked,
                                      stdout=open(work + "/mm.log", "w"), stderr=subprocess.STDOUT))
        if not wait_until(lambda: subprocess.run(["mmcli", "-L"], env=plain, capture_output=True).returncode == 0,
                          20, 0.05):
            raise RuntimeError("ModemManager did not come up")
    except Exception:
        stop_processes(procs)
        raise
    return procs


def modemmanager_knows_iccid(plain):
    """True once ModemManager lists a modem whose SIM has an ICCID."""
    listing = subprocess.run(["mmcli", "-L"], env=plain, capture_output=True, text=True).stdout
    found = re.search(r"/Modem/(\d+)", listing)
    if not found:
        return False
    return "iccid" in subprocess.run(["mmcli", "-i", found.group(1)], env=plain, capture_output=True, text=True).stdout


def stop_processes(procs):
    """Terminates `procs` newest first, killing any that outlive 10 s."""
    for process in reversed(procs):
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
