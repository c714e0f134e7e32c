#!/usr/bin/env bash
# Installs the release builds of hotspotd and hotspotctl with their man pages and shell completion (as root).
# PREFIX (default /usr/local) and DESTDIR (default empty, for packaging) say where.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX="${PREFIX:-/usr/local}"
DESTDIR="${DESTDIR:-}"
export PATH="/opt/swift/usr/bin:$PATH"
[ -x .build/release/hotspotctl ] && [ -x .build/release/hotspotd ] || swift build -c release
install -D -m 0755 .build/release/hotspotd "$DESTDIR$PREFIX/bin/hotspotd"
install -D -m 0755 .build/release/hotspotctl "$DESTDIR$PREFIX/bin/hotspotctl"
install -D -m 0644 docs/man/hotspotd.1 "$DESTDIR$PREFIX/share/man/man1/hotspotd.1"
install -D -m 0644 docs/man/hotspotctl.1 "$DESTDIR$PREFIX/share/man/man1/hotspotctl.1"
# Completion scripts come from hotspotctl itself, so they always match its commands and options.
ctl=.build/release/hotspotctl
install -d "$DESTDIR$PREFIX/share/bash-completion/completions" "$DESTDIR$PREFIX/share/zsh/site-functions" \
           "$DESTDIR$PREFIX/share/fish/vendor_completions.d"
"$ctl" --generate-completion-script bash > "$DESTDIR$PREFIX/share/bash-completion/completions/hotspotctl"
"$ctl" --generate-completion-script zsh > "$DESTDIR$PREFIX/share/zsh/site-functions/_hotspotctl"
"$ctl" --generate-completion-script fish > "$DESTDIR$PREFIX/share/fish/vendor_completions.d/hotspotctl.fish"
command -v mandb >/dev/null && [ -z "$DESTDIR" ] && mandb -q || true
echo "install: hotspotd and hotspotctl $("$ctl" --version) in $DESTDIR$PREFIX (man pages, bash/zsh/fish completion)"
