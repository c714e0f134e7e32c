import Foundation
import Synchronization
import Testing
@testable import Ledger

/// The async path to the ledger: `writing` queues a closure to the ledger's one writer thread (group commit),
/// `reading` runs queries on a reader's queue, `submitting` queues a write without waiting for it.
@Suite struct AsyncLedgerTests {
    /// Holds the writer inside a transaction until `open()`, as a long import does.
    final class HeldWriter: @unchecked Sendable {
        // @unchecked: only the semaphores are shared, and they are thread-safe.
        private let entered = DispatchSemaphore(value: 0)
        private let release = DispatchSemaphore(value: 0)
        private let finished = DispatchSemaphore(value: 0)

        init(_ ledger: Ledger) throws {
            Thread { [entered, release, finished] in
                _ = try? ledger.write("hold") { db, now in
                    try EventChain.append(EventDraft(kind: "test.hold"), at: now, in: db)
                    entered.signal()
                    _ = release.wait(timeout: .now() + 120)
                }
                finished.signal()
            }.start()
            guard entered.wait(timeout: .now() + 10) == .success else { throw LedgerError(.io, "the held write never started") }
        }

        func open() throws {
            release.signal()
            guard finished.wait(timeout: .now() + 10) == .success else { throw LedgerError(.io, "the held write never returned") }
        }
    }

    /// Waits (bounded) until `count` writes are queued behind the held one. Generous: the suite's synchronous tests
    /// (a 100,000-event verification among them) can keep both threads of a 2-core cooperative pool for seconds.
    static func waitUntilQueued(_ count: Int, on ledger: Ledger) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ledger.writer.queuedCount < count {
            guard ContinuousClock.now < deadline else { throw LedgerError(.io, "the writes never queued") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test func thirtyTwoConcurrentWritersShareOneCommitAndEachSeesItsOwnResult() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        let before = ledger.commitStatistics
        let held = try HeldWriter(ledger)
        let writers = Task {
            try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<32 {
                    group.addTask {
                        try await ledger.writing { ledger in
                            try ledger.recordDeviceEvent(imei: "3569380356\(String(format: "%05d", index))", iccid: nil,
                                                         kind: .unplugged, detail: [:], actor: nil)
                        }
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0.append($1) }
            }
        }
        try await Self.waitUntilQueued(32, on: ledger)
        try held.open()
        let seqs = try await writers.value
        #expect(Set(seqs).count == 32, "each writer got its own event's seq")
        let after = ledger.commitStatistics
        #expect(after.commits - before.commits == 2, "the held write's commit, then one for the 32 queued")
        #expect(after.writes - before.writes == 33)
        #expect(try ledger.verifyChain().isValid)
    }

    @Test func aWritingClosureThatThrowsLeavesNothingOfItsWrites() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        let eventsBefore = try ledger.eventCount()
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await ledger.writing { ledger in
                try ledger.recordDevice(imei: "356938035643809", manufacturer: nil, model: nil, firmware: nil, port: nil, actor: nil)
                throw Refused()
            }
        }
        #expect(try ledger.device(imei: "356938035643809") == nil)
        #expect(try ledger.eventCount() == eventsBefore)
        // The writer goes on.
        try await ledger.writing { ledger in
            _ = try ledger.recordDevice(imei: "356938035643809", manufacturer: nil, model: nil, firmware: nil, port: nil, actor: nil)
        }
        #expect(try ledger.device(imei: "356938035643809") != nil)
    }

    @Test func aLedgerErrorInsideWritingComesOutAsThatError() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        await #expect(throws: LedgerError.self) {
            try await ledger.writing { ledger in try ledger.markSending(id: 999_999, actor: nil) }
        }
        do {
            try await ledger.writing { ledger in try ledger.markSending(id: 999_999, actor: nil) }
        } catch let error as LedgerError {
            #expect(error.code == .notFound)
        }
    }

    @Test func aWriteInsideAReadingClosureIsRefused() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        let eventsBefore = try ledger.eventCount()
        await #expect(throws: LedgerError.self) {
            try await ledger.reading { ledger in
                try ledger.recordDevice(imei: "356938035643809", manufacturer: nil, model: nil, firmware: nil, port: nil, actor: nil)
            }
        }
        #expect(try ledger.eventCount() == eventsBefore)
    }

    @Test func readsAnswerWhileTheWriterIsHeld() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        try fixture.importVouchers(3)
        let held = try HeldWriter(ledger)
        let counts = try await ledger.reading { ledger in try ledger.voucherCounts() }
        try held.open()
        #expect(counts["2GB"]?[.available] == 3)
    }

    @Test func submittingReturnsAtOnceAndCommitsAfterTheWritesBeforeIt() async throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        let imei = fixture.imei
        let held = try HeldWriter(ledger)
        let outcome = Mutex<Result<Void, LedgerError>?>(nil)
        let committed = DispatchSemaphore(value: 0)
        ledger.submitting({ ledger in
            _ = try ledger.recordDeviceEvent(imei: imei, iccid: nil, kind: .unplugged, detail: [:], actor: nil)
        }, completion: { result in
            outcome.withLock { $0 = result }
            committed.signal()
        })
        #expect(committed.wait(timeout: .now() + 0.2) == .timedOut, "nothing commits while the writer is held")
        try held.open()
        #expect(committed.wait(timeout: .now() + 10) == .success)
        #expect(outcome.withLock { $0.map { (try? $0.get()) != nil } } == true)
        let events = try ledger.events(limit: 100)
        let hold = try #require(events.first { $0.kind == "test.hold" })
        let unplug = try #require(events.first { $0.kind == "device.unplugged" })
        #expect(unplug.seq > hold.seq)
    }

    @Test func aSnapshotAnswersEveryQueryOfTheLiveLedger() async throws {
        let fixture = try LedgerFixture()
        try fixture.importVouchers(4)
        let copy = fixture.path("copy.sqlite")
        try fixture.ledger.backup(to: copy)
        let snapshot = try LedgerSnapshot(path: copy)
        #expect(try snapshot.voucherCounts() == fixture.ledger.voucherCounts())
        #expect(try snapshot.events(limit: 100) == fixture.ledger.events(limit: 100))
        #expect(try snapshot.sim(iccid: fixture.iccid) == fixture.ledger.sim(iccid: fixture.iccid))
        let viaReading = try await snapshot.reading { snapshot in try snapshot.vouchers(limit: 100).count }
        #expect(viaReading == 4)
    }
}
