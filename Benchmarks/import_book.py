#!/usr/bin/python3
"""How long a partner's voucher book takes to import through the daemon, all or nothing.

Starts hotspotd on a fresh ledger (no devices), then imports, with `hotspotctl vouchers import`, a baseline book of
1,000 codes and a book of N codes (default 100,000), and prints the time of each and the per-code ratio against the
baseline, measured in the same run. Checks afterwards that every code is there (`hotspotctl plans --json`), and
that a book with one bad line in its last row imports nothing.

  /usr/bin/python3 Benchmarks/import_book.py --bin .build/release [--codes 100000]

Standard library only.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def write_book(path, first, count, plan="500MB", bad_last=False):
    with open(path, "w") as book:
        book.write("code,plan\n")
        for index in range(first, first + count):
            code = "%012d" % index
            if bad_last and index == first + count - 1:
                code = "12;4"  # not a voucher code: the whole book must be refused
            book.write("%s,%s\n" % (code, plan))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory with hotspotd and hotspotctl")
    parser.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--codes", type=int, default=100_000)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="hs-import-")
    config = os.path.join(work, "hotspotd.json")
    with open(os.path.join(args.repo, "config/hotspotd.example.json")) as source:
        text = source.read().replace('"lockDirectory": "/var/lock"', '"lockDirectory": null')
    with open(config, "w") as target:
        target.write(text)
    socket_path = os.path.join(work, "api.sock")
    env = dict(os.environ, HOTSPOTD_SOCKET=socket_path)
    daemon = subprocess.Popen([os.path.join(args.bin, "hotspotd"), "--config", config, "--database",
                               os.path.join(work, "ledger.sqlite"), "--socket", socket_path, "--no-discovery"],
                              stderr=open(os.path.join(work, "hotspotd.log"), "w"))
    ctl = os.path.join(args.bin, "hotspotctl")
    try:
        deadline = time.monotonic() + 20
        while subprocess.run([ctl, "plans"], env=env, capture_output=True).returncode != 0:
            if time.monotonic() > deadline:
                sys.exit("import-book: hotspotd did not start (%s)" % work)
            time.sleep(0.05)

        def timed_import(name, first, count, bad_last=False):
            path = os.path.join(work, name)
            write_book(path, first, count, bad_last=bad_last)
            started = time.perf_counter()
            result = subprocess.run([ctl, "vouchers", "import", path], env=env, capture_output=True, text=True)
            return time.perf_counter() - started, result, os.path.getsize(path)

        base_s, base, _ = timed_import("baseline.csv", 1, 1000)
        if base.returncode != 0:
            sys.exit("import-book: baseline import failed: %s" % base.stderr.strip())
        big_s, big, size = timed_import("book.csv", 1_000_000, args.codes)
        if big.returncode != 0:
            sys.exit("import-book: %d-code import failed: %s" % (args.codes, big.stderr.strip()))
        bad_s, bad, _ = timed_import("bad.csv", 5_000_000, args.codes, bad_last=True)
        plans = json.loads(subprocess.run([ctl, "plans", "--json"], env=env, capture_output=True, text=True).stdout)
        available = sum(plan.get("vouchersAvailable", 0) for plan in plans)
        print("import-book: 1,000 codes in %.2f s (baseline, %.3f ms per code)" % (base_s, base_s * 1000 / 1000))
        print("import-book: %d codes (%.1f MB) in %.2f s (%.3f ms per code, %.2fx the baseline's per-code time)"
              % (args.codes, size / 1e6, big_s, big_s * 1000 / args.codes, (big_s / args.codes) / (base_s / 1000)))
        print("import-book: a %d-code book with a bad last line: refused in %.2f s, exit %d (%s)"
              % (args.codes, bad_s, bad.returncode, bad.stderr.strip()[:120]))
        print("import-book: vouchers available afterwards: %d (expected %d)" % (available, 1000 + args.codes))
        if available != 1000 + args.codes or bad.returncode == 0:
            sys.exit(1)
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
