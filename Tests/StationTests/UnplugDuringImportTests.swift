import Foundation
@testable import Ledger
@testable import Station
import StationAPI
import Synchronization
import Testing

/// An unplug while a long voucher import holds the ledger's writer: the station ends the session and answers at once;
/// the `device.unplugged` event is queued behind the import and committed after it, not lost.
@Suite struct UnplugDuringImportTests {
    @Test func anUnplugDuringALongImportReturnsWithoutWaitingForTheImport() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        let station = rig.station
        let ledger = rig.ledger
        let usbPath = "1-1.4"
        let status = try await station.attachDiscovered(path: rig.port, usbPath: usbPath)
        // Identified (its IMEI and ICCID are known, so the unplug is recorded), no plan: it waits for one.
        try await rig.waitForDevice(status.id, in: [.awaitingPlan])

        // A book import in progress: its write transaction holds the ledger's writer until released.
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let importDone = DispatchSemaphore(value: 0)
        Thread {
            _ = try? ledger.write("import a long voucher book") { db, now in
                try EventChain.append(EventDraft(kind: "test.import", detail: ["rows": "100000"]), at: now, in: db)
                entered.signal()
                _ = release.wait(timeout: .now() + 30)
            }
            importDone.signal()
        }.start()
        #expect(entered.wait(timeout: .now() + 10) == .success, "the import never started")

        let clock = ContinuousClock()
        let returned = Atomic(false)
        let unplug = Task {
            let ended = await station.detachDiscovered(usbPath: usbPath, reason: "unplugged from USB \(usbPath)")
            returned.store(true, ordering: .sequentiallyConsistent)
            return ended
        }
        let returnBy = clock.now + .seconds(5)
        while !returned.load(ordering: .sequentiallyConsistent) && clock.now < returnBy {
            try await Task.sleep(for: .milliseconds(5))
        }
        let returnedDuringImport = returned.load(ordering: .sequentiallyConsistent)
        let importStillRunning = importDone.wait(timeout: .now()) == .timedOut
        release.signal()
        #expect(returnedDuringImport, "the unplug waited for the import to commit")
        #expect(importStillRunning, "the import ended before the unplug was judged")
        #expect(await unplug.value == [status.id])
        #expect(importDone.wait(timeout: .now() + 10) == .success)

        // Queued, not lost: the unplug is committed after the import, in the chain's order.
        let recordBy = clock.now + .seconds(10)
        var unplugs: [LedgerEvent] = []
        while unplugs.isEmpty && clock.now < recordBy {
            unplugs = try ledger.events(imei: SettlementRig.imei, limit: 1000).filter { $0.kind == "device.unplugged" }
            if unplugs.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(unplugs.count == 1)
        let importSeq = try #require(try ledger.events(limit: 100_000).first { $0.kind == "test.import" }?.seq)
        #expect(unplugs.allSatisfy { $0.seq > importSeq })
        #expect(try ledger.verifyChain().isValid)
        await rig.stop()
    }
}
