#!/usr/bin/env python3
"""How identification scales with the number of devices, in the daemon itself (issue 4: "32 devices ... identified
in <= 1.5x the time of one").

The umockdev benchmark (discovery-bench.sh) is dominated by umockdev creating devices one after the other and by
its single ioctl thread; this one takes the mock out: hotspot-sim serves N generic modems on real pseudo-terminals,
hotspotd runs with discovery off and no default plan (identify only), and the N ports are attached with
POST /v1/devices requests on N API connections, opened and built beforehand and then sent back to back (as a burst
of uevents would arrive). Measured: first request sent -> the daemon's event stream has said, for every device,
that its identification succeeded (its status then shows the ICCID, checked after the clock stops). Each N is run
several times in the same process, alternating, so the ratio compares runs under the same machine load.

Usage: python3 Benchmarks/identify_scaling.py BIN_DIR [runs] [N]
"""
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # importing bench.py must not leave a __pycache__ in the work tree
from bench import http_get, open_event_stream  # noqa: E402  (Benchmarks/, this script's directory)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError(f"timed out waiting for {what}")


def one_run(bin_dir, count, work, latency):
    """Starts a simulator with `count` devices and a daemon; returns seconds from the first attach to all ICCIDs."""
    run = tempfile.mkdtemp(dir=work)
    ports_file = os.path.join(run, "ports")
    personality = os.path.join(ROOT, "simulator/personalities/generic-3gpp.json")
    sim = subprocess.Popen(
        [os.path.join(bin_dir, "hotspot-sim"), "--device", f"{personality}:label=g,count={count}" + ("" if latency is None else f",latencyMs={latency}"),
         "--ports-file", ports_file, "--state", os.path.join(run, "state.json")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    config = json.load(open(os.path.join(ROOT, "config/hotspotd.example.json")))
    config["defaultPlan"] = None
    config["devices"] = []
    config["lockDirectory"] = None
    config["allowPseudoTerminals"] = True
    config_path = os.path.join(run, "hotspotd.json")
    json.dump(config, open(config_path, "w"))
    sock = os.path.join(run, "api.sock")
    daemon = subprocess.Popen(
        [os.path.join(bin_dir, "hotspotd"), "--config", config_path, "--database", os.path.join(run, "ledger.sqlite"),
         "--socket", sock, "--no-discovery", "--log-level", "error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: os.path.exists(ports_file), 10, "the simulator's ports")
        ports = [line.split("\t")[1] for line in open(ports_file).read().splitlines() if line]
        assert len(ports) == count, ports
        wait_for(lambda: http_get(sock, "/v1/health")[0] == 200, 10, "the daemon")
        # The daemon's event stream says when each device's identification succeeded (its ICCID is then in its status).
        # Watching it instead of polling /v1/devices keeps the measurement from costing the daemon CPU.
        # The response's headers come once the daemon has subscribed this watcher: only then can no event be missed.
        events, head, pending = open_event_stream(sock, timeout=10)
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"the event stream was refused: {head[:200]}")
        # Every connection is open and every request built before the clock starts, then all are sent back to back:
        # "plugged together" means the daemon gets them at once, not at the pace of Python threads.
        connections = []
        for path in ports:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.connect(sock)
            body = json.dumps({"path": path}).encode()
            connections.append((connection, b"POST /v1/devices HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body))
        started = time.monotonic()
        for connection, payload in connections:
            connection.sendall(payload)

        identified = set()
        events.settimeout(30)
        while len(identified) < count:
            chunk = events.recv(65536)
            if not chunk:
                raise RuntimeError("the event stream ended")
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                line = line.strip()
                if not line.startswith(b"{"):
                    continue  # chunked-encoding sizes
                event = json.loads(line)
                if event.get("step") == "identify" and event.get("status") == "succeeded":
                    identified.add(event.get("deviceID"))
                elif event.get("state") in ("failed", "gone"):
                    raise RuntimeError(f"device failed: {event}")
        elapsed = time.monotonic() - started
        events.close()
        status, data = http_get(sock, "/v1/devices?reveal=1")
        devices = json.loads(data)
        if status != 200 or len(devices) != count or not all(device.get("iccid") for device in devices):
            raise RuntimeError(f"not every device shows its ICCID: {status} {data[:300]}")
        errors = []
        for connection, _ in connections:
            reply = b""
            while chunk := connection.recv(65536):
                reply += chunk
            connection.close()
            if not reply.startswith(b"HTTP/1.1 201"):
                errors.append(reply[:200])
        if errors:
            raise RuntimeError(f"attach failed: {errors[:3]}")
        return elapsed
    finally:
        for process in (daemon, sim):
            process.send_signal(signal.SIGTERM)
        for process in (daemon, sim):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(run, ignore_errors=True)


def main():
    bin_dir = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    many = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    work = tempfile.mkdtemp(prefix="identify-scaling-")
    try:
        one_run(bin_dir, 1, work, 0)  # warm-up: page cache, first-start costs
        # Instant devices show the daemon's own CPU cost per device; the personality's shipped latencies (15 ms per
        # command, as slow as a fast real modem) show what a counter sees.
        for label, latency in (("instant devices (latencyMs=0)", 0), ("shipped latencies (generic-3gpp)", None)):
            ones, manys = [], []
            for _ in range(runs):
                ones.append(one_run(bin_dir, 1, work, latency))
                manys.append(one_run(bin_dir, many, work, latency))
            one, lots = statistics.median(ones), statistics.median(manys)
            print(f"{label}:")
            print(f"  attach -> ICCID, 1 device: median {one * 1000:.1f} ms ({', '.join(f'{x * 1000:.1f}' for x in ones)})")
            print(f"  attach -> ICCID, {many} devices together: median {lots * 1000:.1f} ms "
                  f"({', '.join(f'{x * 1000:.1f}' for x in manys)})")
            # The target is for devices as a counter sees them; instant devices measure the daemon's CPU per device.
            verdict = "target <= 1.5" if latency is None else "no target: CPU per identification, see docs/discovery.md"
            print(f"  ratio {many} devices / 1 device: {lots / one:.2f} ({verdict}); "
                  f"load average {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
