#!/usr/bin/env bash
# Times `Ledger.verifyChain` over a 100,000-event ledger in a release build (issue 5 target: ≤ 2 s).
# Builds only the Ledger target and its tests, in a throw-away package whose Sources/Ledger and
# Tests/LedgerTests are symlinks to this repository (a release build of the whole package would take
# far longer). The test is Tests/LedgerTests/VerifyBenchmark.swift; it prints one `ledger-verify:` line.
# Usage: bash Benchmarks/ledger-verify.sh [rows]     (BENCH_DIR=dir keeps the build between runs)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rows="${1:-100000}"
work="${BENCH_DIR:-$(mktemp -d /tmp/ledger-bench.XXXXXX)}"
mkdir -p "$work/Sources" "$work/Tests"
ln -sfn "$root/Sources/Ledger" "$work/Sources/Ledger"
ln -sfn "$root/Tests/LedgerTests" "$work/Tests/LedgerTests"
cp "$root/Package.resolved" "$work/" 2>/dev/null || true
cat > "$work/Package.swift" <<'MANIFEST'
// swift-tools-version:6.1
import PackageDescription
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]
let package = Package(
    name: "ledger-bench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        .target(name: "Ledger", dependencies: [
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger"], swiftSettings: strict),
    ]
)
MANIFEST
cd "$work"
export HOTSPOT_LEDGER_BENCH=1 HOTSPOT_LEDGER_BENCH_ROWS="$rows"
# -enable-testing: other LedgerTests files use @testable imports; the code is still optimised.
swift test -c release -Xswiftc -enable-testing --filter 'LedgerTests.VerifyBenchmark' 2>&1 \
    | grep -E '^ledger-verify:|error:' | sort -u
