import Foundation
@testable import Ledger
@testable import Station
import StationAPI
import Synchronization
import Testing

/// Long ledger operations (a voucher book import, a chain verification, a backup) run off the station's actor: while
/// one waits for the ledger, devices and other API calls are still served.
@Suite struct LongLedgerOperationTests {
    @Test func anImportWaitingForTheLedgerDoesNotStopTheStationAnsweringOthers() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        let ledger = rig.ledger
        let station = rig.station
        // Another write holds the ledger, as a long import or a slow disk would: the import below has to wait.
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        Thread {
            _ = try? ledger.write("hold") { _, _ in
                entered.signal()
                release.wait()
            }
        }.start()
        #expect(entered.wait(timeout: .now() + 10) == .success)
        let importing = Task {
            try await station.importVouchers(VoucherImportRequest(fileName: "book.csv", csv: "code,plan\n1234567890,500MB\n"),
                                             actor: 1000)
        }
        let clock = ContinuousClock()
        let queuedBy = clock.now + .seconds(10)
        while ledger.writer.queuedCount < 1 && clock.now < queuedBy { try await Task.sleep(for: .milliseconds(1)) }
        #expect(ledger.writer.queuedCount == 1, "the import never reached the ledger")

        // Meanwhile the station answers: the device list comes back although the import is still waiting.
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
        let result = try await importing.value
        await listing.value
        #expect(answeredWhileWaiting, "the station did not answer while an import waited for the ledger")
        #expect(result.imported == 1)
        #expect(try ledger.vouchers(plan: "500MB", limit: 100).contains { $0.code == "1234567890" && $0.state == .available })
    }

    @Test func aSettleWaitingForTheLedgerDoesNotStopTheStationAnsweringOthers() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        let ledger = rig.ledger
        let station = rig.station
        let id = try rig.crashWhileSending(balanceBeforeMB: 1000)
        _ = try await station.recoverAfterStart()
        // A long import holds the write lock: the settle below must wait for it, the station must not.
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        Thread {
            _ = try? ledger.write("hold") { _, _ in
                entered.signal()
                release.wait()
            }
        }.start()
        #expect(entered.wait(timeout: .now() + 10) == .success)
        let settling = Task {
            try await station.settleVoucher(id: id, request: VoucherSettleRequest(outcome: "manual", note: "checked with the operator"),
                                            actor: 1000)
        }
        let clock = ContinuousClock()
        let queuedBy = clock.now + .seconds(10)
        while ledger.writer.queuedCount < 1 && clock.now < queuedBy { try await Task.sleep(for: .milliseconds(1)) }
        #expect(ledger.writer.queuedCount == 1, "the settle never reached the ledger")

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
        let settled = try await settling.value
        await listing.value
        #expect(answeredWhileWaiting, "a settle waiting for the ledger held the station's actor")
        #expect(settled.state == "manual")
    }
}
