#!/usr/bin/env python3
"""Generates hotspotd's mode-switch catalog and udev ids from the installed usb-modeswitch-data.

usb-modeswitch-data describes, one file per storage personality inside
/usr/share/usb_modeswitch/configPack.tar.gz, how a modem stick that arrives as a virtual CD-ROM is
told to show its modem personality. This script turns those files into:

  catalog/devices/00-usb-modeswitch.json       one catalog entry per file the station can switch
  udev/69-hotspot-station-modeswitch.rules     HOTSPOTD_USB_MODE for the storage and target ids, and
                                               for the products of catalog/devices/10-modemmanager-ports.json

The catalog file is loaded first (name order), so the hand-written files (huawei.json, ...) keep
the last word for any id they also list. The udev file runs before 70-hotspot-station.rules, which
adds the candidate mark, the ModemManager ignore flag and the permissions to every device that got
a mode.

Usage:
  scripts/generate-modeswitch-catalog.py            write both files, print the coverage summary
  scripts/generate-modeswitch-catalog.py --check    exit 1 when the committed files differ from
                                                    what the installed package generates
  --config-pack PATH --data-version VERSION          read another pack (tests, other releases)

How each key is read follows usb_modeswitch 2.6 (its man page and config parser):
  file name vvvv:pppp:uMa=TEXT / :uPr=TEXT           the entry applies when the USB manufacturer / product
                                                    string contains TEXT (whenManufacturer / whenProduct)
  TargetVendor + TargetProduct / TargetProductList  the ids the device comes back with
  TargetClass                                       or: the same id with this interface class
  MessageContent, MessageContent2, MessageContent3  bulk messages, sent in that order
  StandardEject=1                                   SCSI ALLOW MEDIUM REMOVAL + START STOP UNIT
                                                    to LUN 0 and 1, then MessageContent if given
  HuaweiNewMode / HuaweiAltModeGlobal / OptionMode  the tool's built-in bulk messages
  CiscoMode                                         the tool's eleven built-in bulk messages
  HuaweiMode / SierraMode / PantechMode / QuantaMode / QisdaMode / KobilMode / SequansMode /
  BlackberryMode                                    the tool's built-in control requests
  Configuration=N (N > 0)                           SET_CONFIGURATION N after the messages
  NeedResponse=1                                    read a reply after every message (the tool
                                                    always reads the 13-byte CSW after a CBW)
  MessageEndpoint / ResponseEndpoint / Interface    endpoint and interface overrides
  ResetUSB=1                                        USB port reset at the end
Files the station cannot switch are counted by reason in the summary and in the catalog's
description; they get no catalog entry (usb_modeswitch itself remains the tool for them).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PACK = "/usr/share/usb_modeswitch/configPack.tar.gz"
CATALOG_OUT = os.path.join(HERE, "catalog", "devices", "00-usb-modeswitch.json")
UDEV_OUT = os.path.join(HERE, "udev", "69-hotspot-station-modeswitch.rules")
# Per-product AT port hints from ModemManager (scripts/generate-port-hints.py): their ids get a mode too.
PORT_HINTS = os.path.join(HERE, "catalog", "devices", "10-modemmanager-ports.json")

# Special modes and the catalog method each becomes (None: not implemented by the station).
SPECIAL_MODES = {
    "HuaweiNewMode": "huaweiNewMode",
    "HuaweiAltModeGlobal": "huaweiAltMode",
    "HuaweiAltMode": "huaweiAltMode",
    "OptionMode": "optionMode",
    "CiscoMode": "ciscoMode",
    "HuaweiMode": "huaweiSetFeature",
    "SierraMode": "sierraMode",
    "PantechMode": "pantechMode",
    "QuantaMode": "quantaMode",
    "QisdaMode": "qisdaMode",
    "KobilMode": "kobilMode",
    "SequansMode": "sequansMode",
    "BlackberryMode": "blackberryMode",
    "SonyMode": None,          # switches, waits for the device to re-enumerate, sends again
    "GCTMode": None,           # class requests to a claimed interface, reply checked
    "MobileActionMode": None,  # ~150 interrupt transfers derived from a USB sniff
}

# Keys that change nothing the station does (success checks, dispatcher timing, driver hints).
IGNORED_KEYS = {"CheckSuccess", "NoDriverLoading", "WaitBefore", "ReleaseDelay", "DetachStorageOnly",
                "AltSetting", "DefaultVendor", "DefaultProduct"}

# Interface classes a modem personality shows: CDC (02), CDC data (0a), vendor-specific (ff).
MODEM_CLASSES = {0x02, 0x0a, 0xff}

FILE_NAME = re.compile(r"^([0-9a-f]{4}):([0-9a-f]{4})(?::(.+))?$")
HEX_MESSAGE = re.compile(r"^(?:[0-9a-fA-F]{2})+$")


class Unsupported(Exception):
    """A file the station cannot switch; the message is the reason counted in the summary."""


def package_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "usb-modeswitch-data"],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def parse_config(text):
    """Key=value lines of one usb_modeswitch file; '#' starts a comment, values may be quoted."""
    values = {}
    title = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            if title is None and line.strip("# "):
                title = line.lstrip("#").strip()
            continue
        line = line.split("#", 1)[0].strip()
        if "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip('"').strip()
    return title, values


def number(value, base):
    text = value.lower()
    if text.startswith("0x"):
        return int(text, 16)
    return int(text, base)


def flag(values, key):
    return key in values and number(values[key], 10) != 0


def hex4(value):
    return "%04x" % value


def entry_for(name, text):
    """The catalog entry of one file, or raises Unsupported."""
    match = FILE_NAME.match(name)
    if not match:
        raise Unsupported("file name is not vvvv:pppp")
    vendor, product, condition = match.groups()
    conditions = {}
    if condition:
        # uMa/uPr: the USB manufacturer/product string contains the text (usb_modeswitch's dispatcher picks
        # such a variant over the plain file); sVe/sMo: SCSI inquiry strings, which discovery does not read.
        key, _, wanted = condition.partition("=")
        if key == "uMa":
            conditions["whenManufacturer"] = wanted
        elif key == "uPr":
            conditions["whenProduct"] = wanted
        else:
            raise Unsupported("variant chosen by a %s string (%s)" % (
                "SCSI inquiry" if key.startswith("s") else "USB descriptor", key))
    title, values = parse_config(text)
    known = set(SPECIAL_MODES) | IGNORED_KEYS | {
        "TargetVendor", "TargetProduct", "TargetProductList", "TargetClass", "MessageContent",
        "MessageContent2", "MessageContent3", "StandardEject", "NeedResponse", "MessageEndpoint",
        "ResponseEndpoint", "Interface", "Configuration", "ResetUSB"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise Unsupported("unknown key %s" % unknown[0])

    spec = {}
    specials = [key for key in SPECIAL_MODES if key in values and number(values[key], 10) != 0]
    if len(specials) > 1:
        raise Unsupported("more than one special mode")
    messages = [values[key] for key in ("MessageContent", "MessageContent2", "MessageContent3") if values.get(key)]
    for message in messages:
        if not HEX_MESSAGE.match(message) or len(message) > 2 * 1024:
            raise Unsupported("message is not hex")
    messages = [message.lower() for message in messages]

    if specials:
        mode = specials[0]
        method = SPECIAL_MODES[mode]
        if method is None:
            raise Unsupported(mode)
        spec["method"] = method
        if method == "pantechMode":
            spec["pantechValue"] = number(values["PantechMode"], 10)
    elif flag(values, "StandardEject"):
        spec["method"] = "standardEject"
        if messages:
            spec["message"] = messages[0]
    elif messages:
        if len(messages) == 1:
            spec["method"] = "bulkMessage"
            spec["message"] = messages[0]
        else:
            spec["method"] = "bulkMessages"
            spec["messages"] = messages
    elif "Configuration" in values and number(values["Configuration"], 16) > 0:
        spec["method"] = "setConfiguration"
    elif "Configuration" in values:
        # Configuration=0: usb_modeswitch_dispatcher picks the MBIM configuration when the kernel
        # has cdc_mbim; nothing is sent to the device itself.
        raise Unsupported("Configuration=0 (dispatcher picks the MBIM configuration)")
    else:
        raise Unsupported("no switching method")

    if "Configuration" in values and number(values["Configuration"], 16) > 0:
        spec["configuration"] = number(values["Configuration"], 16)
    if flag(values, "NeedResponse"):
        spec["needResponse"] = True
    for key, out in (("MessageEndpoint", "messageEndpoint"), ("ResponseEndpoint", "responseEndpoint")):
        if key in values:
            spec[out] = "%02x" % number(values[key], 16)
    if "Interface" in values:
        spec["interface"] = number(values["Interface"], 16)
    if flag(values, "ResetUSB"):
        spec["resetUSB"] = True

    targets = []
    if "TargetVendor" in values:
        target_vendor = number(values["TargetVendor"], 16)
        products = []
        if values.get("TargetProductList"):
            products = [int(p.strip(), 16) for p in values["TargetProductList"].split(",") if p.strip()]
        elif "TargetProduct" in values:
            products = [number(values["TargetProduct"], 16)]
        targets = ["%s:%s" % (hex4(target_vendor), hex4(p)) for p in products]
    if targets:
        spec["targetUSBIDs"] = targets
    if "TargetClass" in values:
        target_class = number(values["TargetClass"], 16)
        if target_class not in MODEM_CLASSES:
            # Printers (07), game controllers (03): usb_modeswitch's business, not a station's.
            raise Unsupported("not a modem (target interface class %02x)" % target_class)
        spec["targetClass"] = "%02x" % target_class
    if not targets and "TargetClass" not in values:
        # No target given: any personality on the same path without a storage interface.
        spec["targetClass"] = "any"

    suffix = "".join("-" + re.sub(r"[^a-z0-9]+", "", wanted.lower()) for wanted in conditions.values())
    entry = {
        "id": "usb-modeswitch-%s-%s%s" % (vendor, product, suffix),
        "name": title or "usb-modeswitch-data %s:%s" % (vendor, product),
        "usbIDs": ["%s:%s" % (vendor, product)],
    }
    entry.update(conditions)
    entry["modeSwitch"] = spec
    return entry


def generate(pack, version):
    entries = []
    unsupported = {}
    total = 0
    vendors = set()
    with tarfile.open(pack, "r:gz") as archive:
        members = sorted((m for m in archive.getmembers() if m.isfile()), key=lambda m: m.name)
        for member in members:
            name = os.path.basename(member.name)
            if not FILE_NAME.match(name):
                continue  # new.lst and other notes
            total += 1
            vendors.add(name[:4])
            text = archive.extractfile(member).read().decode("latin-1")
            try:
                entries.append(entry_for(name, text))
            except Unsupported as reason:
                unsupported.setdefault(str(reason), []).append(name)
    return total, vendors, entries, unsupported


def catalog_text(version, total, vendors, entries, unsupported):
    lines = ["%d %s (%s)" % (len(names), reason, ", ".join(names[:4]) + (", ..." if len(names) > 4 else ""))
             for reason, names in sorted(unsupported.items(), key=lambda item: (-len(item[1]), item[0]))]
    document = {
        "formatVersion": 1,
        "description": ("GENERATED by scripts/generate-modeswitch-catalog.py from usb-modeswitch-data %s "
                        "(/usr/share/usb_modeswitch/configPack.tar.gz): %d of %d device files from %d vendors "
                        "can be switched by hotspotd. Not switched: %s. Do not edit; run the script."
                        % (version, len(entries), total, len(vendors), "; ".join(lines) or "none")),
        "generatedFrom": {"package": "usb-modeswitch-data", "version": version, "files": total,
                          "switchable": len(entries)},
        "devices": entries,
    }
    # One device per line: a package update shows up as a readable diff.
    head = json.dumps({key: value for key, value in document.items() if key != "devices"}, indent=1)
    devices = ",\n".join("  " + json.dumps(entry, separators=(", ", ": ")) for entry in entries)
    return head[:-2] + ',\n "devices": [\n' + devices + "\n ]\n}\n"


def udev_text(version, entries, port_hint_ids):
    storage = {}
    targets = {}
    for usb_id in port_hint_ids:
        vendor, product = usb_id.split(":")
        targets.setdefault(vendor, set()).add(product)
    for entry in entries:
        for usb_id in entry["usbIDs"]:
            vendor, product = usb_id.split(":")
            storage.setdefault(vendor, set()).add(product)
        for usb_id in entry["modeSwitch"].get("targetUSBIDs", []):
            vendor, product = usb_id.split(":")
            targets.setdefault(vendor, set()).add(product)
    out = [
        "# GENERATED by scripts/generate-modeswitch-catalog.py from usb-modeswitch-data %s: do not edit." % version,
        "# hotspot-station: storage (CD-ROM) personalities the station can switch, and the ids they switch to.",
        "# Install with 70-hotspot-station.rules (same directory): this file only sets HOTSPOTD_USB_MODE; 70 then",
        "# marks the device a candidate, keeps ModemManager off it and grants the hotspotd group access.",
        "# The ids match catalog/devices/00-usb-modeswitch.json and 10-modemmanager-ports.json",
        "# (Tests/DeviceDiscoveryTests/ModeSwitchCatalogTests checks).",
        "",
        'ACTION=="remove", GOTO="hotspot_station_modeswitch_end"',
        'SUBSYSTEM!="usb|tty|net", GOTO="hotspot_station_modeswitch_end"',
        'ENV{HOTSPOTD_USB_MODE}!="", GOTO="hotspot_station_modeswitch_end"',
        "",
    ]
    for vendor in sorted(storage):
        out.append('ATTRS{idVendor}=="%s", ATTRS{idProduct}=="%s", ENV{HOTSPOTD_USB_MODE}="cdrom"'
                   % (vendor, "|".join(sorted(storage[vendor]))))
    for vendor in sorted(targets):
        products = sorted(targets[vendor] - storage.get(vendor, set()))
        if products:
            out.append('ATTRS{idVendor}=="%s", ATTRS{idProduct}=="%s", ENV{HOTSPOTD_USB_MODE}="serial"'
                       % (vendor, "|".join(products)))
    out += ["", 'LABEL="hotspot_station_modeswitch_end"', ""]
    return "\n".join(out)


def port_hint_ids(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [usb_id for entry in json.load(handle)["devices"] for usb_id in entry["usbIDs"]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    parser.add_argument("--config-pack", default=DEFAULT_PACK)
    parser.add_argument("--data-version", default=None)
    parser.add_argument("--catalog-out", default=CATALOG_OUT)
    parser.add_argument("--udev-out", default=UDEV_OUT)
    parser.add_argument("--port-hints", default=PORT_HINTS)
    args = parser.parse_args()
    version = args.data_version or package_version()
    total, vendors, entries, unsupported = generate(args.config_pack, version)
    outputs = {args.catalog_out: catalog_text(version, total, vendors, entries, unsupported),
               args.udev_out: udev_text(version, entries, port_hint_ids(args.port_hints))}

    skipped = sum(len(names) for names in unsupported.values())
    print("usb-modeswitch-data %s: %d files, %d vendors; switchable %d (%.1f%%); not switched %d"
          % (version, total, len(vendors), len(entries), 100.0 * len(entries) / max(total, 1), skipped))
    methods = {}
    for entry in entries:
        methods[entry["modeSwitch"]["method"]] = methods.get(entry["modeSwitch"]["method"], 0) + 1
    for method, count in sorted(methods.items(), key=lambda item: -item[1]):
        print("  switch  %4d  %s" % (count, method))
    for reason, names in sorted(unsupported.items(), key=lambda item: -len(item[1])):
        print("  skip    %4d  %s" % (len(names), reason))

    if args.check:
        stale = []
        for path, text in outputs.items():
            try:
                with open(path, encoding="utf-8") as handle:
                    if handle.read() != text:
                        stale.append(path)
            except OSError:
                stale.append(path)
        if stale:
            print("STALE (run scripts/generate-modeswitch-catalog.py): " + ", ".join(stale), file=sys.stderr)
            return 1
        print("committed files match the installed package")
        return 0
    for path, text in outputs.items():
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
