// Ledger hash-chain verification (`Ledger.verifyChain(anchor:)`) over a durable ledger of N events: N vouchers imported
// in transactions of 5,000, one `voucher.imported` event each, then the whole chain re-walked and every SHA-256 link
// recomputed, against the head as anchor (as `hotspotctl ledger verify` does).
//
// The baseline, in the same run, is SHA-256 alone (swift-crypto, the hash the chain uses), chained over N messages
// of the size of these events' canonical records (135 bytes with the previous hash): what verification could not go
// below without skipping the hashes.
// bench-check.sh reports verification as a ratio to it, as time per event against the project's target
// (100,000 events verified in ≤ 2 s, so ≤ 20 µs an event), and allocations per event as an absolute count.
import Benchmark
import BenchmarkLedgers
import Crypto
import Foundation
import Ledger

/// Events in the ledger; set with `HOTSPOT_BENCH_CHAIN_EVENTS` (default 10,000).
let eventCount = ProcessInfo.processInfo.environment["HOTSPOT_BENCH_CHAIN_EVENTS"].flatMap { Int($0) } ?? 10_000
/// Bytes hashed per event by the baseline besides the 32-byte previous hash: a `voucher.imported` event's canonical
/// fields here are 103 bytes (seq 9, `at` 29, kind 21, three NULLs 3, voucher id 9, actor 9, detail `{"plan":"1GB-30d"}` 23).
let baselineMessageBytes = 103

/// Events verified (or hashed) per iteration, for per-event figures.
let eventsMetric = BenchmarkMetric.custom("events", polarity: .prefersLarger, useScalingFactor: false)
/// The ledger under verification.
let scratch = ScratchLedger()

/// Imports `count` vouchers (one event each) into a fresh ledger, in batches of 5,000.
func fillLedger(count: Int) throws {
    let ledger = try scratch.open()
    var next = 0
    while next < count {
        let batch = (next..<min(count, next + 5_000)).map { (code: "BENCH\(String($0, radix: 36).uppercased())X", plan: "1GB-30d") }
        try ledger.importVouchers(batch, actor: 1000)
        next += batch.count
    }
}

/// Registers the suite (the benchmark plugin calls it at start-up).
let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .mallocCountTotal, eventsMetric]
    Benchmark.defaultConfiguration = .init(
        metrics: metrics,
        timeUnits: .nanoseconds,
        // Raw counts and nanoseconds in the exports (not K or M): bench-check.sh divides them.
        units: Dictionary(uniqueKeysWithValues: metrics.map { ($0, BenchmarkUnits.count) }),
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(4),
        maxIterations: 40
    )

    var verifyConfiguration = Benchmark.defaultConfiguration
    verifyConfiguration.setup = { try fillLedger(count: eventCount) }
    verifyConfiguration.teardown = { scratch.close() }
    Benchmark("verifyChain", configuration: verifyConfiguration) { benchmark in
        let ledger = scratch.ledger
        // Reading the head is one indexed row; it stays inside the measurement, as in `hotspotctl ledger verify`.
        let verification = try ledger.verifyChain(anchor: try ledger.headHash())
        guard verification.isValid, verification.rowsChecked >= eventCount else {
            fatalError("ChainVerify: \(verification.rowsChecked) rows checked, failure \(String(describing: verification.failure))")
        }
        benchmark.measurement(eventsMetric, verification.rowsChecked)
    }

    let message = [UInt8](repeating: 0x61, count: baselineMessageBytes)
    Benchmark("SHA-256 only (baseline)") { benchmark in
        var previous = SHA256.hash(data: message)
        for _ in 0..<eventCount {
            var hasher = SHA256()
            previous.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            hasher.update(data: message)
            previous = hasher.finalize()
        }
        blackHole(previous)
        benchmark.measurement(eventsMetric, eventCount)
    }
}
