import Foundation
import GRDB
import Testing
@testable import Ledger

/// Group commit (`LedgerWriter`): writes that arrive while a commit is under way share the next one, and each
/// still gets exactly the outcome it would have had alone.
///
/// Every test holds the leader's transaction open on a gate, queues the other writes behind it (waiting until the
/// writer reports them queued), then opens the gate: which writes share a batch is then certain, not a race.
@Suite struct GroupCommitTests {
    /// A write that blocks its transaction until `open()` is called, started on a thread of its own.
    final class Gate: @unchecked Sendable {
        // @unchecked: only the semaphores are shared, and they are thread-safe.
        private let entered = DispatchSemaphore(value: 0)
        private let release = DispatchSemaphore(value: 0)
        private let finished = DispatchSemaphore(value: 0)

        /// Starts a leader write on `ledger` that records one event and waits for `open()` inside its transaction.
        init(_ ledger: Ledger) throws {
            Thread { [entered, release, finished] in
                _ = try? ledger.write("gate") { db, now in
                    try EventChain.append(EventDraft(kind: "test.gate"), at: now, in: db)
                    entered.signal()
                    release.wait()
                }
                finished.signal()
            }.start()
            // Bounded: a broken writer must fail the test, not hang the suite.
            guard entered.wait(timeout: .now() + 10) == .success else { throw LedgerError(.io, "the gate's write never started") }
        }

        /// Lets the leader's transaction commit and waits until its write returned.
        func open() throws {
            release.signal()
            guard finished.wait(timeout: .now() + 10) == .success else { throw LedgerError(.io, "the gate's write never returned") }
        }
    }

    /// Runs `count` writes on threads of their own; returns when every one is queued behind the gate.
    static func queue(_ count: Int, on ledger: Ledger, group: DispatchGroup,
                      _ write: @escaping @Sendable (Int) -> Void) throws {
        for index in 0..<count {
            group.enter()
            Thread {
                write(index)
                group.leave()
            }.start()
        }
        let deadline = Date().addingTimeInterval(10)
        while ledger.writer.queuedCount < count {
            guard Date() < deadline else { throw LedgerError(.io, "the writes never queued") }
            usleep(1000)
        }
    }

    /// Queues `count` writes that each append a `test.write` event (detail `index`), then run `after` in the same
    /// transaction; their seqs or errors go into `outcomes`.
    static func queueEventWrites(_ count: Int, on ledger: Ledger, group: DispatchGroup, into outcomes: Outcomes,
                                 after: @escaping @Sendable (Database, Int) throws -> Void) throws {
        try queue(count, on: ledger, group: group) { index in
            outcomes.set(index, Result { () throws(LedgerError) -> Int64 in
                try ledger.write("test write \(index)") { db, now in
                    let seq = try EventChain.append(EventDraft(kind: "test.write", detail: ["index": "\(index)"]), at: now, in: db)
                    try after(db, index)
                    return seq
                }
            })
        }
    }

    /// On a fresh ledger, queues `count` event-writing writes (`queueEventWrites`) behind a gate, so they share one
    /// batch, then opens the gate and waits for all of them; returns the ledger's fixture, its event count before,
    /// and each write's outcome.
    static func eventWritesBehindAGate(_ count: Int, after: @escaping @Sendable (Database, Int) throws -> Void) throws
        -> (fixture: LedgerFixture, eventsBefore: Int, results: [Int: Result<Int64, LedgerError>]) {
        let fixture = try LedgerFixture()
        let eventsBefore = try fixture.ledger.eventCount()
        let gate = try Gate(fixture.ledger)
        let group = DispatchGroup()
        let outcomes = Outcomes()
        try queueEventWrites(count, on: fixture.ledger, group: group, into: outcomes, after: after)
        try gate.open()
        guard group.wait(timeout: .now() + 10) == .success else { throw LedgerError(.io, "the queued writes never returned") }
        return (fixture, eventsBefore, outcomes.all)
    }

    final class Outcomes: @unchecked Sendable {
        // @unchecked: guarded by `lock`.
        private let lock = NSLock()
        private var values: [Int: Result<Int64, LedgerError>] = [:]
        func set(_ index: Int, _ value: Result<Int64, LedgerError>) { lock.withLock { values[index] = value } }
        var all: [Int: Result<Int64, LedgerError>] { lock.withLock { values } }
    }

    @Test func writesQueuedBehindACommitShareTheNextOne() throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        let before = ledger.commitStatistics
        let gate = try Gate(ledger)
        let group = DispatchGroup()
        let outcomes = Outcomes()
        try Self.queue(8, on: ledger, group: group) { index in
            outcomes.set(index, Result { () throws(LedgerError) -> Int64 in
                try ledger.recordDevice(imei: "35000000000000\(index)", manufacturer: "huawei", model: "E3372",
                                        firmware: nil, port: "/dev/ttyUSB\(index)", actor: nil)
            })
        }
        try gate.open()
        guard group.wait(timeout: .now() + 10) == .success else { throw LedgerError(.io, "the queued writes never returned") }
        let after = ledger.commitStatistics
        #expect(after.commits - before.commits == 2, "the gate's commit, then one commit for the eight queued writes")
        #expect(after.writes - before.writes == 9)
        #expect(outcomes.all.count == 8)
        for (_, outcome) in outcomes.all { #expect((try? outcome.get()) != nil) }
        #expect(try ledger.devices(limit: 100).count == 9, "the fixture's device and the eight new ones")
        #expect(try ledger.verifyChain().isValid)
    }

    @Test func aWriteThatFailsInABatchRollsBackOnlyItsOwnChanges() throws {
        // One write changes the chain and then fails: its event must not survive.
        let (fixture, eventsBefore, results) = try Self.eventWritesBehindAGate(5) { _, index in
            if index == 2 { throw LedgerError(.invalidArgument, "write 2 refuses") }
        }
        let ledger = fixture.ledger
        // The fixture's two writes, the gate's, and one shared commit: the failure did not break the batch apart.
        #expect(ledger.commitStatistics.commits == 2 + 1 + 1)
        for index in 0..<5 {
            let outcome = try #require(results[index])
            if index == 2 {
                #expect(throws: LedgerError.self) { try outcome.get() }
            } else {
                #expect((try? outcome.get()) != nil)
            }
        }
        let written = try ledger.events(limit: 100).filter { $0.kind == "test.write" }.compactMap { $0.detail["index"] }
        #expect(Set(written) == ["0", "1", "3", "4"])
        #expect(try ledger.eventCount() == eventsBefore + 1 + 4, "the gate's event and the four good writes")
        #expect(try ledger.verifyChain().isValid)
    }

    @Test func aBatchThatCannotCommitRunsEveryOtherWriteAloneExactlyOnce() throws {
        // The last write ends the whole transaction under the batch, as SQLite does after an I/O error or a full
        // disk: the writes before it in the batch are lost with it and must be run again.
        let (fixture, eventsBefore, results) = try Self.eventWritesBehindAGate(4) { db, index in
            if index == 3 { try db.execute(sql: "ROLLBACK") }
        }
        let ledger = fixture.ledger
        for index in 0..<3 { #expect((try? #require(results[index]).get()) != nil, "write \(index) succeeds when run alone") }
        #expect(throws: LedgerError.self) { try #require(results[3]).get() }
        let written = try ledger.events(limit: 100).filter { $0.kind == "test.write" }.compactMap { $0.detail["index"] }
        #expect(written.sorted() == ["0", "1", "2"], "each surviving write once, none twice")
        #expect(try ledger.eventCount() == eventsBefore + 1 + 3)
        #expect(try ledger.verifyChain().isValid)
    }

    @Test func aBatchWhoseCommitFailsRunsEveryWriteAloneAndOnlyTheCulpritFails() throws {
        // Write 1 leaves a foreign-key violation that SQLite checks only at COMMIT (deferred): the shared commit
        // fails after every write in it succeeded. Each is then run alone; only write 1's own commit fails.
        let (fixture, eventsBefore, results) = try Self.eventWritesBehindAGate(4) { db, index in
            guard index == 1 else { return }
            try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
            try EventChain.append(EventDraft(kind: "test.dangling", provisioningID: 999_999), at: "2026-11-22T00:00:00.000Z", in: db)
        }
        let ledger = fixture.ledger
        for index in [0, 2, 3] { #expect((try? #require(results[index]).get()) != nil, "write \(index) succeeds when run alone") }
        #expect(throws: LedgerError.self) { try #require(results[1]).get() }
        #expect(ledger.commitStatistics.commits == 2 + 1 + 3, "fixture, gate, then the three good writes alone")
        let written = try ledger.events(limit: 100).filter { $0.kind == "test.write" }.compactMap { $0.detail["index"] }
        #expect(written.sorted() == ["0", "2", "3"], "each surviving write once, none twice")
        #expect(try ledger.events(limit: 100).allSatisfy { $0.kind != "test.dangling" })
        #expect(try ledger.eventCount() == eventsBefore + 1 + 3)
        #expect(try ledger.verifyChain().isValid)
    }

    @Test func aWriteStartedInsideAWriteIsRefusedInsteadOfWaitingForItself() throws {
        let fixture = try LedgerFixture()
        let ledger = fixture.ledger
        let eventsBefore = try ledger.eventCount()
        #expect(throws: LedgerError.self) {
            try ledger.write("outer") { db, now in
                try EventChain.append(EventDraft(kind: "test.outer"), at: now, in: db)
                _ = try ledger.write("inner") { db, now in try EventChain.append(EventDraft(kind: "test.inner"), at: now, in: db) }
            }
        }
        #expect(try ledger.eventCount() == eventsBefore, "the outer write failed with the inner one and left nothing")
        // The writer is usable afterwards.
        try ledger.recordDevice(imei: "356938035643809", manufacturer: nil, model: nil, firmware: nil, port: nil, actor: nil)
        #expect(try ledger.verifyChain().isValid)
    }
}
