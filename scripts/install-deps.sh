#!/usr/bin/env bash
# Installs the system packages hotspot-station builds, tests and demos with (Debian 12, as root).
# Skips apt entirely when everything is already there, so repeated runs cost nothing.
set -euo pipefail
packages=(libudev-dev libusb-1.0-0-dev libsqlite3-dev umockdev libumockdev-dev socat usb-modeswitch
          usb-modeswitch-data python3-serial systemd udev zbar-tools procps
          python3-gi gir1.2-umockdev-1.0
          pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools)
packages+=(iproute2 openssl)   # HiLink tests: two units in network namespaces; openssl checks PKCS#1 v1.5 bodies
packages+=(libcairo2-dev libqrencode-dev fonts-dejavu-core poppler-utils cups-client)   # the hand-over card: drawing, QR, reading back, lp
packages+=(tmux)   # the board is tested in a real terminal
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
command -v swift >/dev/null || { echo "install-deps: swift 6.x is not on PATH (expected /opt/swift/usr/bin)" >&2; exit 1; }
