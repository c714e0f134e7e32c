import Foundation
@testable import Ledger
@testable import Station
import StationAPI
import Synchronization
import Testing

/// Long ledger operations (a voucher book import, a chain verification, a backup) run off the station's actor: while
/// one waits for the ledger, devices and other API calls are still served.
@Suite struct LongLedgerOperationTests {
    /// Holds the ledger's write lock (as a long import or a slow disk would), starts `call`, waits until it queues for
    /// the ledger, then asks the station for its devices. Returns whether the station answered while `call` waited,
    /// and `call`'s result once the lock is released.
    static func answersWhileTheLedgerIsHeld<T: Sendable>(_ rig: SettlementRig, queuing call: @escaping @Sendable () async throws -> T)
        async throws -> (answered: Bool, result: T) {
        let ledger = rig.ledger
        let station = rig.station
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        Thread {
            _ = try? ledger.write("hold") { _, _ in
                entered.signal()
                release.wait()
            }
        }.start()
        #expect(entered.wait(timeout: .now() + 10) == .success)
        let waiting = Task { try await call() }
        let clock = ContinuousClock()
        let queuedBy = clock.now + .seconds(10)
        while ledger.writer.queuedCount < 1 && clock.now < queuedBy { try await Task.sleep(for: .milliseconds(1)) }
        #expect(ledger.writer.queuedCount == 1, "the call never reached the ledger")

        let answered = Atomic(false)
        let listing = Task {
            _ = await station.devices(reveal: false)
            answered.store(true, ordering: .sequentiallyConsistent)
        }
        let answerBy = clock.now + .seconds(5)
        while !answered.load(ordering: .sequentiallyConsistent) && clock.now < answerBy {
            try await Task.sleep(for: .milliseconds(1))
        }
        let answeredWhileWaiting = answered.load(ordering: .sequentiallyConsistent)
        release.signal()
        let result = try await waiting.value
        await listing.value
        return (answeredWhileWaiting, result)
    }

    @Test func anImportWaitingForTheLedgerDoesNotStopTheStationAnsweringOthers() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        let station = rig.station
        let (answeredWhileWaiting, result) = try await Self.answersWhileTheLedgerIsHeld(rig) {
            try await station.importVouchers(VoucherImportRequest(fileName: "book.csv", csv: "code,plan\n1234567890,500MB\n"),
                                             actor: 1000)
        }
        #expect(answeredWhileWaiting, "the station did not answer while an import waited for the ledger")
        #expect(result.imported == 1)
        #expect(try rig.ledger.vouchers(plan: "500MB", limit: 100).contains { $0.code == "1234567890" && $0.state == .available })
    }

    @Test func aSettleWaitingForTheLedgerDoesNotStopTheStationAnsweringOthers() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        let station = rig.station
        let id = try rig.crashWhileSending(balanceBeforeMB: 1000)
        _ = try await station.recoverAfterStart()
        // A long import holds the write lock: the settle must wait for it, the station must not.
        let (answeredWhileWaiting, settled) = try await Self.answersWhileTheLedgerIsHeld(rig) {
            try await station.settleVoucher(id: id, request: VoucherSettleRequest(outcome: "manual", note: "checked with the operator"),
                                            actor: 1000)
        }
        #expect(answeredWhileWaiting, "a settle waiting for the ledger held the station's actor")
        #expect(settled.state == "manual")
    }
}
