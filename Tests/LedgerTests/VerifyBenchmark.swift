import Foundation
import Testing
import Ledger

/// Times `verifyChain` over 100,000 events. Not a timed assertion: it prints the figure, and runs only when
/// `HOTSPOT_LEDGER_BENCH=1` (see `Benchmarks/ledger-verify.sh`, which runs it in a release build).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["HOTSPOT_LEDGER_BENCH"] == "1", "set HOTSPOT_LEDGER_BENCH=1"))
struct VerifyBenchmark {
    @Test func verifiesOneHundredThousandEvents() throws {
        let count = Int(ProcessInfo.processInfo.environment["HOTSPOT_LEDGER_BENCH_ROWS"] ?? "") ?? 100_000
        let ledger = try Ledger.temporary()
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: ledger.path + suffix) }
        }
        // Imports in batches of 10,000 (each voucher writes one event), like a big partner file at a time.
        var next = 0
        while next < count {
            let batch = (next..<min(count, next + 10_000)).map { (code: String(format: "V%011d", $0), plan: "500MB") }
            try ledger.importVouchers(batch, actor: 1000)
            next += batch.count
        }
        #expect(try ledger.eventCount() == count)
        var times: [Double] = []
        for _ in 0..<3 {
            let started = ContinuousClock.now
            let result = try ledger.verifyChain(anchor: try ledger.headHash())
            let elapsed = started.duration(to: .now)
            #expect(result.isValid && result.rowsChecked == count)
            times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let line = "ledger-verify: \(count) events, best \(String(format: "%.3f", times.min() ?? 0)) s, "
            + "runs \(times.map { String(format: "%.3f", $0) }.joined(separator: " ")) s (target ≤ 2 s)"
        print(line)
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
