// Ledger group commit: 32 devices recording an event at the same moment against one device alone, on a durable
// ledger (WAL, `synchronous=FULL`: every commit is an fsync). Each iteration measures, seconds apart so that load
// from other processes hits them alike:
// - one event recorded by one writer;
// - one event from each of 32 concurrent tasks, each through `Ledger.writing` (as the daemon calls the ledger: the
//   task is suspended while the ledger's one writer thread commits): the writes queued together share commits
//   (`LedgerWriter`);
// - the same 32 events recorded one after the other by one writer (32 transactions, 32 fsyncs): what the 32 would
//   cost without group commit;
// - 32 tasks started the same way that do nothing: the part of the 32-writer time that is task start-up.
// The per-iteration ratios are recorded in per mille; bench-check.sh checks their medians. The project's target:
// 32 devices together take ≤ 1.25× the time of one.
import Benchmark
import BenchmarkLedgers
import Foundation
import Ledger

/// Concurrent writers, one per device.
let writers = 32
/// Per-iteration times (ns), ratios (per mille) and the commits the concurrent writes took.
let oneWriterMetric = BenchmarkMetric.custom("oneWriterNs", polarity: .prefersSmaller, useScalingFactor: false)
let concurrentMetric = BenchmarkMetric.custom("writers32Ns", polarity: .prefersSmaller, useScalingFactor: false)
let serialMetric = BenchmarkMetric.custom("serial32Ns", polarity: .prefersSmaller, useScalingFactor: false)
let spawnMetric = BenchmarkMetric.custom("threads32Ns", polarity: .prefersSmaller, useScalingFactor: false)
let ratioToOneMetric = BenchmarkMetric.custom("ratio32to1Permille", polarity: .prefersSmaller, useScalingFactor: false)
let ratioToSerialMetric = BenchmarkMetric.custom("ratio32toSerialPermille", polarity: .prefersSmaller, useScalingFactor: false)
let commitsMetric = BenchmarkMetric.custom("commitsFor32", polarity: .prefersSmaller, useScalingFactor: false)
/// The ledger written to; it grows by 65 events an iteration.
let scratch = ScratchLedger()

/// Records one `device.unplugged` event for device `index` on the calling thread.
func recordEvent(_ ledger: Ledger, device index: Int) throws {
    _ = try ledger.recordDeviceEvent(imei: "3569380356\(String(format: "%05d", index))", iccid: nil, kind: .unplugged,
                                     detail: ["port": "/dev/ttyUSB\(index)"], actor: nil)
}

/// Runs `body(index)` for index 1...32 concurrently, each in a task of its own, and waits for all.
func onThirtyTwoTasks(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for index in 1...writers {
            group.addTask { try await body(index) }
        }
        try await group.waitForAll()
    }
}

/// Nanoseconds `body` took.
func nanoseconds(_ body: () async throws -> Void) async rethrows -> Int {
    let clock = ContinuousClock()
    let start = clock.now
    try await body()
    let parts = (clock.now - start).components
    return Int(parts.seconds) * 1_000_000_000 + Int(parts.attoseconds / 1_000_000_000)
}

/// Registers the suite (the benchmark plugin calls it at start-up).
let benchmarks: @Sendable () -> Void = {
    let metrics = [.wallClock, oneWriterMetric, concurrentMetric, serialMetric, spawnMetric, ratioToOneMetric,
                   ratioToSerialMetric, commitsMetric]
    Benchmark("32 writers vs 1", configuration: .init(
        metrics: metrics,
        timeUnits: .nanoseconds,
        // Raw counts and nanoseconds in the exports (not K or M): bench-check.sh divides them.
        units: Dictionary(uniqueKeysWithValues: metrics.map { ($0, BenchmarkUnits.count) }),
        warmupIterations: 3,
        scalingFactor: .one,
        maxDuration: .seconds(10),
        maxIterations: 100,
        setup: { try scratch.open() },
        teardown: { scratch.close() }
    )) { benchmark in
        let ledger = scratch.ledger
        let one = try await nanoseconds {
            try await ledger.writing { ledger in try recordEvent(ledger, device: 0) }
        }
        let commitsBefore = ledger.commitStatistics.commits
        let concurrent = try await nanoseconds {
            try await onThirtyTwoTasks { index in try await ledger.writing { ledger in try recordEvent(ledger, device: index) } }
        }
        let commits = ledger.commitStatistics.commits - commitsBefore
        let serial = try await nanoseconds {
            for index in 1...writers {
                try await ledger.writing { ledger in try recordEvent(ledger, device: index) }
            }
        }
        let spawn = try await nanoseconds {
            try await onThirtyTwoTasks { index in blackHole(index) }
        }

        benchmark.measurement(oneWriterMetric, one)
        benchmark.measurement(concurrentMetric, concurrent)
        benchmark.measurement(serialMetric, serial)
        benchmark.measurement(spawnMetric, spawn)
        benchmark.measurement(ratioToOneMetric, concurrent * 1000 / max(one, 1))
        benchmark.measurement(ratioToSerialMetric, concurrent * 1000 / max(serial, 1))
        benchmark.measurement(commitsMetric, commits)
    }
}
