import Foundation
import Testing

/// The crash harness as a test: `HOTSPOT_CRASH_ITERATIONS` kills (default 3, a smoke run inside the ordinary
/// end-to-end tests), `HOTSPOT_CRASH_SEED` to replay a run, `HOTSPOT_CRASH_REPORT` a file for the summary,
/// `HOTSPOT_CRASH_FULL_CHECK_EVERY` how often the O(ledger) checks run (default: every restart up to 200 iterations).
/// `scripts/crash-test.sh N` runs it alone with N iterations. Devices stay plugged across restarts and are re-plugged,
/// so a SIM the operator credits twice (one plan ordered) fails it like any lost or double-spent voucher.
extension EndToEnd {
@Suite(.serialized) struct CrashHarnessTests {
    @Test func killNineAtRandomPointsLosesNoMoneyAndNoAcknowledgedRow() async throws {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["HOTSPOT_CRASH_ITERATIONS"].flatMap(Int.init) ?? 3
        let seed = environment["HOTSPOT_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
        // Every restart gets the full check up to 200 iterations; longer runs (the chain grows, its re-hash is O(rows))
        // fully check every 10th restart and the last, and check the new rows' links on the others.
        let fullEvery = environment["HOTSPOT_CRASH_FULL_CHECK_EVERY"].flatMap(Int.init) ?? (iterations <= 200 ? 1 : 10)
        let harness = try CrashHarness(iterations: max(1, iterations), seed: seed, fullCheckEvery: fullEvery)
        // The harness blocks on child processes: give it a thread of its own, off the cooperative pool.
        let summary = await withCheckedContinuation { (continuation: CheckedContinuation<CrashHarness.Summary, Never>) in
            let thread = Thread { continuation.resume(returning: harness.run()) }
            thread.stackSize = 4 << 20
            thread.start()
        }
        print(summary.text)
        if let report = environment["HOTSPOT_CRASH_REPORT"] {
            try (summary.text + "\n").write(toFile: report, atomically: true, encoding: .utf8)
        }
        #expect(summary.iterations == max(1, iterations))
        #expect(summary.checks >= 1, "no restart reached its checks")
        #expect(summary.violations.isEmpty, "\(summary.violations.joined(separator: "\n"))")
    }
}
}
