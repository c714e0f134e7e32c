// Ledger group commit: 32 devices recording an event at the same moment against one device alone, on a durable
// ledger (WAL, `synchronous=FULL`: every commit is an fsync). Each iteration records one event from one writer, then
// one event from each of 32 concurrent writers, each on a thread of its own (`Ledger.runOnOwnThread`, as the daemon
// calls the ledger), and records both times and their ratio: the pair is measured seconds apart, so load from other
// processes hits both alike. The project's target: 32 devices together take ≤ 1.25× the time of one.
//
// bench-check.sh checks the median of the per-iteration ratios (`ratio32to1Permille` / 1000) and reports the medians
// of both times and of the commits the 32 writes took (1 to 32; fewer means more sharing).
import Benchmark
import BenchmarkLedgers
import Foundation
import Ledger

let writers = 32
let oneWriterMetric = BenchmarkMetric.custom("oneWriterNs", polarity: .prefersSmaller, useScalingFactor: false)
let manyWritersMetric = BenchmarkMetric.custom("writers32Ns", polarity: .prefersSmaller, useScalingFactor: false)
let ratioMetric = BenchmarkMetric.custom("ratio32to1Permille", polarity: .prefersSmaller, useScalingFactor: false)
let commitsMetric = BenchmarkMetric.custom("commitsFor32", polarity: .prefersSmaller, useScalingFactor: false)
let scratch = ScratchLedger()

/// Records one `device.unplugged` event for device `index`, on a thread of its own.
func recordEvent(_ ledger: Ledger, device index: Int) async throws {
    try await Ledger.runOnOwnThread {
        _ = try ledger.recordDeviceEvent(imei: "3569380356\(String(format: "%05d", index))", iccid: nil, kind: .unplugged,
                                         detail: ["port": "/dev/ttyUSB\(index)"], actor: nil)
    }
}

/// Nanoseconds in a duration.
func nanoseconds(_ duration: Duration) -> Int {
    let parts = duration.components
    return Int(parts.seconds) * 1_000_000_000 + Int(parts.attoseconds / 1_000_000_000)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark("32 writers vs 1", configuration: .init(
        metrics: [.wallClock, oneWriterMetric, manyWritersMetric, ratioMetric, commitsMetric],
        timeUnits: .nanoseconds,
        warmupIterations: 3,
        scalingFactor: .one,
        maxDuration: .seconds(8),
        maxIterations: 150,
        setup: { try scratch.open() },
        teardown: { scratch.close() }
    )) { benchmark in
        let ledger = scratch.ledger
        let clock = ContinuousClock()

        let oneStart = clock.now
        try await recordEvent(ledger, device: 0)
        let one = nanoseconds(clock.now - oneStart)

        let commitsBefore = ledger.commitStatistics.commits
        let manyStart = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 1...writers {
                group.addTask { try await recordEvent(ledger, device: index) }
            }
            try await group.waitForAll()
        }
        let many = nanoseconds(clock.now - manyStart)

        benchmark.measurement(oneWriterMetric, one)
        benchmark.measurement(manyWritersMetric, many)
        benchmark.measurement(ratioMetric, many * 1000 / max(one, 1))
        benchmark.measurement(commitsMetric, ledger.commitStatistics.commits - commitsBefore)
    }
}
