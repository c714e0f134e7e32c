#!/usr/bin/env python3
"""Generates per-product AT port hints from ModemManager's 77-mm-*-port-types.rules.

ModemManager tags, per vendor:product and USB interface number, which tty is the primary and the
secondary AT port, which carries PPP, and which are QCDM/diag, GPS, audio or ignored. The same facts
tell hotspotd which tty to probe first and which never to open. This script reads the rules from a
ModemManager source tree (the plugin directories under src/plugins) and writes

  catalog/devices/10-modemmanager-ports.json

one entry per product with at least one AT port. Products that usb-modeswitch-data lists as a
storage personality (catalog/devices/00-usb-modeswitch.json) are left out: the mode-switch entry
must keep its id. Run by hand when ModemManager's data should be picked up again, then run
scripts/generate-modeswitch-catalog.py, which adds these ids to the generated udev rules:

  scripts/generate-port-hints.py --modemmanager ~/src/ModemManager [--revision GITREV]
"""

import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(HERE, "catalog", "devices", "10-modemmanager-ports.json")
SWITCH_CATALOG = os.path.join(HERE, "catalog", "devices", "00-usb-modeswitch.json")

VENDOR_GOTO = re.compile(r'ATTRS\{idVendor\}=="([0-9a-fA-F]{4})",\s*GOTO=')
VENDOR = re.compile(r'ATTRS\{idVendor\}=="([0-9a-fA-F]{4})"')
PRODUCT = re.compile(r'ATTRS\{idProduct\}=="([0-9a-fA-F]{4})"')
IFNUM = re.compile(r'ENV\{\.MM_USBIFNUM\}=="([0-9a-fA-F]{2})"')
TAG = re.compile(r'ENV\{(ID_MM_PORT_TYPE_[A-Z_]+|ID_MM_PORT_IGNORE)\}="1"')

NON_AT = {"ID_MM_PORT_TYPE_QCDM", "ID_MM_PORT_TYPE_GPS", "ID_MM_PORT_TYPE_AUDIO", "ID_MM_PORT_IGNORE"}


def parse(text, family, products):
    vendors = [v.lower() for v in VENDOR_GOTO.findall(text)]
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#"):
            continue
        product = PRODUCT.search(line)
        ifnum = IFNUM.search(line)
        tag = TAG.search(line)
        if not (product and ifnum and tag):
            continue
        vendor = VENDOR.search(line)
        if vendor:
            vendor = vendor.group(1).lower()
        elif len(vendors) == 1:
            vendor = vendors[0]
        else:
            continue  # a product line whose vendor the file does not make unambiguous
        key = "%s:%s" % (vendor, product.group(1).lower())
        ports = products.setdefault(key, {"family": family, "primary": [], "secondary": [], "ppp": [], "nonAT": []})
        number = int(ifnum.group(1), 16)
        kind = tag.group(1)
        slot = {"ID_MM_PORT_TYPE_AT_PRIMARY": "primary", "ID_MM_PORT_TYPE_AT_SECONDARY": "secondary",
                "ID_MM_PORT_TYPE_AT_PPP": "ppp"}.get(kind, "nonAT" if kind in NON_AT else None)
        if slot and number not in ports[slot]:
            ports[slot].append(number)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modemmanager", required=True, help="ModemManager source tree")
    parser.add_argument("--revision", default=None, help="recorded in the output (default: git rev-parse HEAD)")
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args()
    revision = args.revision
    if revision is None:
        try:
            revision = subprocess.run(["git", "-C", args.modemmanager, "rev-parse", "HEAD"], capture_output=True,
                                      text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            revision = "unknown"
    plugins = os.path.join(args.modemmanager, "src", "plugins")
    products = {}
    files = []
    for family in sorted(os.listdir(plugins)):
        directory = os.path.join(plugins, family)
        for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
            if name.startswith("77-mm-") and name.endswith("-port-types.rules"):
                files.append("src/plugins/%s/%s" % (family, name))
                with open(os.path.join(directory, name), encoding="utf-8") as handle:
                    parse(handle.read(), family, products)
    with open(SWITCH_CATALOG, encoding="utf-8") as handle:
        storage = {usb_id for entry in json.load(handle)["devices"] for usb_id in entry["usbIDs"]}
    entries = []
    skipped = 0
    for usb_id in sorted(products):
        ports = products[usb_id]
        at_ports = ports["primary"] + [n for n in ports["secondary"] if n not in ports["primary"]]
        if not at_ports:
            continue
        if usb_id in storage:
            skipped += 1
            continue
        hints = {"interfaceNumbers": at_ports}
        if ports["ppp"]:
            hints["modemInterfaceNumbers"] = ports["ppp"]
        non_at = [n for n in ports["nonAT"] if n not in at_ports and n not in ports["ppp"]]
        if non_at:
            hints["nonATInterfaceNumbers"] = non_at
        entries.append({"id": "mm-%s" % usb_id.replace(":", "-"),
                        "name": "%s %s (ModemManager %s port types)" % (ports["family"], usb_id, ports["family"]),
                        "usbIDs": [usb_id], "role": "modem", "atPort": hints})
    document = {
        "formatVersion": 1,
        "description": ("GENERATED by scripts/generate-port-hints.py from ModemManager %s (%s): the AT, PPP and "
                        "never-probe interface numbers ModemManager's port-type rules give per product. %d products; "
                        "%d left out because usb-modeswitch-data lists them as storage personalities. Do not edit."
                        % (revision[:12], ", ".join(files), len(entries), skipped)),
        "generatedFrom": {"package": "ModemManager", "version": revision, "files": len(files),
                          "products": len(entries)},
    }
    head = json.dumps(document, indent=1)
    body = ",\n".join("  " + json.dumps(entry, separators=(", ", ": ")) for entry in entries)
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(head[:-2] + ',\n "devices": [\n' + body + "\n ]\n}\n")
    families = {}
    for usb_id in products:
        families[products[usb_id]["family"]] = families.get(products[usb_id]["family"], 0) + 1
    print("ModemManager %s: %d rule files, %d products with AT ports written, %d skipped (storage ids)"
          % (revision[:12], len(files), len(entries), skipped))
    print("  " + ", ".join("%s %d" % item for item in sorted(families.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
