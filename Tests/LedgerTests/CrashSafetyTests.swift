import Foundation
import Testing
@testable import Ledger

@Suite struct CrashSafetyTests {
    /// The files as a `kill -9` right after `markSending` returned would leave them: main file and
    /// WAL copied while the ledger is still open, nothing checkpointed, no clean close.
    @Test func committedSendingSurvivesAnAbruptStopWithTheWALUncheckpointed() throws {
        let fixture = try LedgerFixture()
        let id = try fixture.voucher(in: .reserved)
        try fixture.ledger.markSending(id: id, actor: nil)
        let crashDirectory = fixture.directory.appendingPathComponent("crash")
        try FileManager.default.createDirectory(at: crashDirectory, withIntermediateDirectories: true)
        let walSize = (try FileManager.default.attributesOfItem(atPath: fixture.ledger.path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
        #expect(walSize > 0, "the commit should still be in the WAL, not yet checkpointed")
        for suffix in ["", "-wal"] {
            try FileManager.default.copyItem(atPath: fixture.ledger.path + suffix,
                                             toPath: crashDirectory.appendingPathComponent("ledger.sqlite" + suffix).path)
        }
        let recovered = try Ledger(path: crashDirectory.appendingPathComponent("ledger.sqlite").path)
        #expect(try recovered.voucher(id: id)?.state == .sending)
        #expect(try recovered.unsettledVouchers().map(\.id) == [id])
        #expect(try recovered.verifyChain(anchor: fixture.ledger.headHash()).isValid)
        #expect(try recovered.integrityCheck())
    }

    @Test func concurrentWritersFromManyThreadsKeepOneUnbrokenChain() throws {
        let fixture = try LedgerFixture()
        let provisioning = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: nil, plan: nil, actor: nil)
        let before = try fixture.ledger.eventCount()
        let ledger = fixture.ledger
        let failures = FailureCounter()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for step in 0..<25 {
                do {
                    try ledger.recordStep(provisioningID: provisioning, step: "w\(worker)-\(step)", status: .started, actor: worker)
                    _ = try ledger.verifyChain()
                } catch {
                    failures.add()
                }
            }
        }
        #expect(failures.count == 0)
        #expect(try fixture.ledger.eventCount() == before + 100)
        #expect(try fixture.ledger.verifyChain().isValid)
    }
}

/// Counts failures reported from several threads.
final class FailureCounter: @unchecked Sendable {
    // @unchecked: every access to `value` holds `lock`.
    private let lock = NSLock()
    private var value = 0

    func add() { lock.withLock { value += 1 } }

    var count: Int { lock.withLock { value } }
}
