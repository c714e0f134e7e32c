// swift-tools-version:6.1
// In-process benchmarks of hotspot-station (ordo-one/benchmark), kept out of the main package so its build and CI
// never pay for the benchmark framework. Run with `bash scripts/bench-check.sh` from the repository root, or
// `swift package --package-path Benchmarks benchmark`. See README.md beside this file.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

/// One executable target per benchmark suite, in `Benchmarks/<name>/<name>.swift` as the benchmark plugin expects.
func benchmarkSuite(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name,
        dependencies: [.product(name: "Benchmark", package: "benchmark")] + dependencies,
        path: "Benchmarks/\(name)",
        swiftSettings: strict,
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let package = Package(
    name: "hotspot-station-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "hotspot-station", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // The main package's own version, for the chain-verification baseline (SHA-256 alone).
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        // The recorded replies of Tests/ATProtocolTests/Fixtures as one byte stream (AT suites).
        .target(name: "BenchmarkFixtures", path: "Support/BenchmarkFixtures", swiftSettings: strict),
        // A durable ledger in a scratch directory, opened in a benchmark's setup and removed in its teardown.
        .target(name: "BenchmarkLedgers", dependencies: [.product(name: "Ledger", package: "hotspot-station")],
                path: "Support/BenchmarkLedgers", swiftSettings: strict),
        // The AT receive path: line framer + response assembler over a recorded multi-reply byte stream.
        benchmarkSuite("ATReceive", ["BenchmarkFixtures", .product(name: "ATProtocol", package: "hotspot-station")]),
        // Ledger hash-chain verification over N recorded events.
        benchmarkSuite("ChainVerify", [
            "BenchmarkLedgers", .product(name: "Ledger", package: "hotspot-station"), .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Ledger group commit: 32 concurrent writers against one, in the same run.
        benchmarkSuite("GroupCommit", ["BenchmarkLedgers", .product(name: "Ledger", package: "hotspot-station")]),
        // USSD reply decoding (`ATParse.ussd`): GSM 7-bit, UCS-2 and hex-packed replies.
        benchmarkSuite("USSDDecode", ["BenchmarkFixtures", .product(name: "ATProtocol", package: "hotspot-station")]),
    ]
)
