#!/usr/bin/env python3
"""Slow and numerous API clients against hotspotd: memory and latency, each next to a baseline of the same run.

Two scenarios, each run once per `--bin` directory given (e.g. a build of main and a build of this branch):

  export   A ledger with `--events` events (one voucher import each). The daemon's RSS is read when it is idle, then
           `--clients` connections ask for GET /v1/ledger/export and never read a byte; RSS is sampled every second
           for `--seconds`. Printed: baseline, peak and last RSS (and RssAnon), with their ratio to the baseline, and
           how long GET /v1/health took at the end. The clients connect as root (privileged: not held to the per-uid
           cap), so all of them are served and the figure shows back-pressure, not admission.
  hold     `hotspotctl devices` is timed `--runs` times as an unprivileged uid (65533) and as root with no other
           client, then again while another uid (65534) holds `--connections` connections: a third idle, a third
           slowloris (a header byte every 0.5 s, never finished), a third GET /v1/events watchers that read nothing.
           The holder reconnects every connection the daemon closes (after `--reconnect-ms`). Printed: median and
           p95 latency and failures (non-zero exit: 503, refused, timed out) per caller, with the ratio to the
           baseline, and how many reconnects the holder needed.

Needs root (to run callers as other uids). Standard library only. Usage:

  python3 scripts/bench-slow-clients.py --bin /tmp/main-build --bin .build/debug [--scenario export|hold|both]

The work directory (daemon logs, ledger) is removed unless --keep. A full run takes about 4 minutes.

Last results (2 cores, load ~2.5, debug builds of main at d58671f and of the lp-http branch, same run):

  export, 60 non-reading clients, 60000 events (19.7 MB per export), 40 s:
    main     RSS 43.8 MB -> 759.6 MB (17.35x) and still rising; all 60 clients still connected
    branch   RSS 44.3 MB -> peak 60.6 MB (1.37x), flat from t=2 s; the clients are dropped by the 30 s send
             timeout, RSS 55.6 MB (1.25x) at 40 s; GET /v1/health 2 ms
  hold, 500 connections of uid 65534 reconnected 100 ms after each close, hotspotctl devices x20:
    main     uid 65533 and root: 20/20 failed (HTTP 503)
    branch   uid 65533: median 64.1 ms vs 32.9 ms alone (1.95x), root 42.3 vs 23.7 ms (1.78x), 0 failed; the holder
             reconnected ~4200 times a second (two cores shared by holder, daemon and hotspotctl's start-up); with
             reconnects 1 s apart: 1.01x and 0.96x, 0/150 failed
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Benchmarks"))
from bench import http_request  # noqa: E402  (one HTTP helper for every benchmark)
import tempfile
import time

UNPRIVILEGED_CALLER = 65533
HOLDER_UID = 65534


def log(message):
    print(message, flush=True)


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


def request(path, method, route, body=None, timeout=30):
    """One request on the daemon's socket with Connection: close: (status, body bytes, seconds)."""
    started = time.monotonic()
    status, rest = http_request(path, method, route, body=body, timeout=timeout)
    return status, rest, time.monotonic() - started


def proc_kb(pid, key):
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


class Daemon:
    """hotspotd on a socket in `work`, run as root, discovery off, money rate limit lifted for the ledger fill."""

    def __init__(self, bin_dir, repo, work, ledger, label):
        self.bin_dir = bin_dir
        self.socket = os.path.join(work, "api.sock")
        config = os.path.join(work, "hotspotd.json")
        with open(os.path.join(repo, "config/hotspotd.example.json")) as handle:
            settings = json.load(handle)
        settings["lockDirectory"] = None
        settings["moneyRateLimit"] = {"perMinute": 100000, "burst": 100000}
        # The unprivileged callers are technicians (they may list devices and watch); a build without roles ignores
        # nothing here: it refuses unknown keys, so the key is only given to builds that know it.
        if "--no-access" not in sys.argv:
            settings["access"] = {"technicianUIDs": [65533, 65534]}
        with open(config, "w") as handle:
            json.dump(settings, handle)
        self.log_path = os.path.join(work, f"hotspotd-{label}.log")
        self.log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [os.path.join(bin_dir, "hotspotd"), "--config", config, "--database", ledger, "--socket", self.socket,
             "--no-discovery"], stdout=subprocess.DEVNULL, stderr=self.log_file)
        wait_for(lambda: self.process.poll() is not None or self.healthy(), 60, "hotspotd's socket")
        if self.process.poll() is not None:
            raise RuntimeError(f"hotspotd exited; see {self.log_path}")

    def healthy(self):
        try:
            return request(self.socket, "GET", "/v1/health", timeout=5)[0] == 200
        except OSError:
            return False

    def rss(self):
        return proc_kb(self.process.pid, "VmRSS"), proc_kb(self.process.pid, "RssAnon")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


def fill_ledger(daemon, events):
    """Imports `events` vouchers in requests under the 64 KiB body limit; one ledger event each."""
    batch = 2500
    for start in range(0, events, batch):
        rows = "".join(f"9{index:011d},500MB\n" for index in range(start, min(events, start + batch)))
        status, body, _ = request(daemon.socket, "POST", "/v1/vouchers/import",
                                  {"fileName": "bench.csv", "csv": "code,plan\n" + rows}, timeout=120)
        if status != 201:
            raise RuntimeError(f"voucher import answered {status}: {body[:200]!r}")


def mb(kb):
    return f"{kb / 1024:7.1f} MB"


def scenario_export(args, bin_dir, work, template, label):
    ledger = os.path.join(work, "export-ledger.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(template + suffix):
            shutil.copy(template + suffix, ledger + suffix)
    daemon = Daemon(bin_dir, args.repo, work, ledger, label)
    try:
        time.sleep(2)
        base, base_anon = daemon.rss()
        size = len(request(daemon.socket, "GET", "/v1/ledger/export?format=jsonl", timeout=300)[1])
        time.sleep(1)
        base, base_anon = daemon.rss()
        log(f"  one export (read by a client that reads): {size / 1048576:.1f} MB chunked")
        clients = []
        for _ in range(args.clients):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(daemon.socket)
            sock.sendall(b"GET /v1/ledger/export?format=jsonl HTTP/1.1\r\nHost: localhost\r\n\r\n")
            clients.append(sock)
        log(f"  baseline RSS {mb(base)} (anon {mb(base_anon)}); {len(clients)} clients asked for the export and read nothing")
        peak, peak_anon, samples = base, base_anon, []
        started = time.monotonic()
        for second in range(1, args.seconds + 1):
            time.sleep(max(0.0, started + second - time.monotonic()))
            rss, anon = daemon.rss()
            peak, peak_anon = max(peak, rss), max(peak_anon, anon)
            samples.append((second, rss, anon))
        for second, rss, anon in samples:
            if second in (1, 2, 5, 10) or second % 10 == 0 or second == args.seconds:
                log(f"    t={second:3d} s  RSS {mb(rss)}  anon {mb(anon)}  ({rss / base:.2f}x)")
        last = samples[-1][1]
        status, _, took = request(daemon.socket, "GET", "/v1/health", timeout=30)
        open_clients = sum(1 for sock in clients if not peer_closed(sock))
        log(f"  RESULT export: RSS baseline {mb(base)}, peak {mb(peak)} ({peak / base:.2f}x), after {args.seconds} s "
            f"{mb(last)} ({last / base:.2f}x); anon {mb(base_anon)} -> peak {mb(peak_anon)} ({peak_anon / max(1, base_anon):.2f}x); "
            f"health {status} in {took * 1000:.0f} ms; {open_clients}/{len(clients)} clients still connected")
        for sock in clients:
            sock.close()
    finally:
        daemon.stop()


def peer_closed(sock):
    try:
        sock.setblocking(False)
        while True:
            data = sock.recv(1 << 20)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def cpu_of(pid):
    """utime + stime of a process, in clock ticks."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def as_user(uid, gid=0):
    def switch():
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    return switch


def time_devices(daemon, runs, uid):
    """`hotspotctl devices` `runs` times as `uid` (gid 0, which may use the socket): latencies (s) and failures."""
    env = dict(os.environ, HOTSPOTD_SOCKET=daemon.socket)
    binary = os.path.join(daemon.bin_dir, "hotspotctl")
    times, failures, reasons = [], 0, {}
    for _ in range(runs):
        started = time.monotonic()
        result = subprocess.run([binary, "devices"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                preexec_fn=None if uid == 0 else as_user(uid), timeout=60)
        elapsed = time.monotonic() - started
        if result.returncode == 0:
            times.append(elapsed)
        else:
            failures += 1
            reason = result.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
            reasons[reason[0][:300]] = reasons.get(reason[0][:300], 0) + 1
    return times, failures, reasons


def summary(times, failures, reasons, runs):
    if not times:
        text = f"all {runs} failed"
    else:
        ordered = sorted(times)
        p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
        text = f"median {statistics.median(ordered) * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms, {failures}/{runs} failed"
    if reasons:
        text += "  (" + "; ".join(f"{count}x {reason}" for reason, count in reasons.items()) + ")"
    return text


HOLDER = r'''
import os, selectors, socket, sys, time
path, count, reconnect_ms, report = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
modes = ["idle", "slow", "watch"]
selector = selectors.DefaultSelector()
slots = {}
reconnects = 0
due = {index: 0.0 for index in range(count)}

def open_slot(index):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        sock.connect(path)
    except BlockingIOError:
        pass
    except OSError:
        sock.close()
        return False
    mode = modes[index % 3]
    try:
        if mode == "slow":
            sock.send(b"GET /v1/devices HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        elif mode == "watch":
            sock.send(b"GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n")
    except OSError:
        pass
    slots[index] = sock
    selector.register(sock, selectors.EVENT_READ, index)
    return True

last_drip = time.monotonic()
while True:
    now = time.monotonic()
    for index in [i for i, when in due.items() if when <= now]:
        if open_slot(index):
            del due[index]
        else:
            due[index] = now + 0.01
    for key, _ in selector.select(timeout=0.01):
        index, sock = key.data, key.fileobj
        try:
            data = sock.recv(1 << 16)
        except BlockingIOError:
            continue
        except OSError:
            data = b""
        if data:
            # Watchers drain their stream (heartbeats, events) and hold on; the others wait for the close.
            continue
        selector.unregister(sock)
        sock.close()
        del slots[index]
        reconnects += 1
        due[index] = time.monotonic() + reconnect_ms / 1000
    if now - last_drip >= 0.5:
        last_drip = now
        for index, sock in list(slots.items()):
            if index % 3 == 1:
                try:
                    sock.send(b"a")
                except OSError:
                    pass
        with open(report, "w") as handle:
            handle.write(f"{len(slots)} {reconnects}\n")
'''


def scenario_hold(args, bin_dir, work, label):
    ledger = os.path.join(work, "hold-ledger.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(ledger + suffix):
            os.remove(ledger + suffix)
    daemon = Daemon(bin_dir, args.repo, work, ledger, label)
    holder = None
    try:
        base = {uid: time_devices(daemon, args.runs, uid) for uid in (UNPRIVILEGED_CALLER, 0)}
        # The holder's own directory: it runs as another uid and writes its report there.
        holder_dir = os.path.join(work, f"holder-{label}")
        os.makedirs(holder_dir, exist_ok=True)
        os.chmod(holder_dir, 0o777)
        report = os.path.join(holder_dir, "report.txt")
        script = os.path.join(holder_dir, "holder.py")
        with open(script, "w") as handle:
            handle.write(HOLDER)
        holder_log = open(os.path.join(holder_dir, "stderr.txt"), "wb")
        # The holder runs as another uid: a Python it can execute (not one under root's home).
        python = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
        holder = subprocess.Popen([python, script, daemon.socket, str(args.connections), str(args.reconnect_ms), report],
                                  preexec_fn=as_user(HOLDER_UID), stdout=subprocess.DEVNULL, stderr=holder_log)
        holder_started = time.monotonic()
        time.sleep(3)
        if holder.poll() is not None:
            raise RuntimeError(f"the holder exited: {open(holder_log.name).read()[-500:]}")
        held = {uid: time_devices(daemon, args.runs, uid) for uid in (UNPRIVILEGED_CALLER, 0)}
        if holder.poll() is not None:
            raise RuntimeError(f"the holder exited: {open(holder_log.name).read()[-500:]}")
        holder_state = open(report).read().split() if os.path.exists(report) else ["?", "?"]
        cpu_ticks = cpu_of(daemon.process.pid)
        holder_ticks = cpu_of(holder.pid)
        held_seconds = time.monotonic() - holder_started
        open_fds = len(os.listdir(f"/proc/{daemon.process.pid}/fd"))
        for uid, who in ((UNPRIVILEGED_CALLER, f"uid {UNPRIVILEGED_CALLER}"), (0, "root")):
            log(f"  {who:9s} alone:        {summary(*base[uid], args.runs)}")
            log(f"  {who:9s} with holder:  {summary(*held[uid], args.runs)}")
            if base[uid][0] and held[uid][0]:
                ratio = statistics.median(held[uid][0]) / statistics.median(base[uid][0])
                log(f"  RESULT hold {who}: median {ratio:.2f}x the baseline, {held[uid][1]}/{args.runs} failed")
            else:
                log(f"  RESULT hold {who}: {held[uid][1]}/{args.runs} failed")
        ticks = os.sysconf("SC_CLK_TCK")
        log(f"  holder (uid {HOLDER_UID}): {holder_state[0]} of {args.connections} sockets open at the end, "
            f"{holder_state[1]} reconnects in {held_seconds:.1f} s, {holder_ticks / ticks:.1f} s CPU; "
            f"daemon: {open_fds} fds open, {cpu_ticks / ticks:.1f} s CPU since it started")
    finally:
        if holder is not None:
            holder.kill()
            holder.wait()
        daemon.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", action="append", required=True, help="directory with hotspotd and hotspotctl (repeatable)")
    parser.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--scenario", choices=["export", "hold", "both"], default="both")
    parser.add_argument("--no-access", action="store_true", help="give no access settings (builds before the station had roles)")
    parser.add_argument("--events", type=int, default=60000)
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reconnect-ms", type=int, default=100)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench-slow-clients: run as root (callers run as other uids)")
    work = tempfile.mkdtemp(prefix="bench-slow-clients.")
    os.chmod(work, 0o755)
    load = open("/proc/loadavg").read().split()[:3]
    log(f"== bench-slow-clients ({os.cpu_count()} cores, load {' '.join(load)}), work {work}")
    try:
        template = os.path.join(work, "template.sqlite")
        if args.scenario in ("export", "both"):
            log(f"== filling a ledger with {args.events} events (with {args.bin[-1]})")
            filler = Daemon(args.bin[-1], args.repo, work, template, "fill")
            try:
                fill_ledger(filler, args.events)
            finally:
                filler.stop()
        for number, bin_dir in enumerate(args.bin, 1):
            if args.scenario in ("export", "both"):
                log(f"== export, {args.clients} clients that never read: {bin_dir}")
                scenario_export(args, bin_dir, work, template, f"{number}-export")
            if args.scenario in ("hold", "both"):
                log(f"== hold {args.connections} connections as uid {HOLDER_UID}, time hotspotctl devices: {bin_dir}")
                scenario_hold(args, bin_dir, work, f"{number}-hold")
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
