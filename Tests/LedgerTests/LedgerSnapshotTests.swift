import Foundation
import Testing
@testable import Ledger

/// Checking a copy of the ledger read-only, without the daemon.
@Suite struct LedgerSnapshotTests {
    @Test func verifiesAnchorsAndExportsABackupWithoutChangingIt() throws {
        let fixture = try LedgerFixture()
        try fixture.importVouchers(3)
        let copy = fixture.path("copy.sqlite")
        try fixture.ledger.backup(to: copy)
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))

        let snapshot = try LedgerSnapshot(path: copy)
        let head = try fixture.ledger.headHash()
        #expect(try snapshot.headHash() == head)
        #expect(try snapshot.integrityCheck())
        let verified = try snapshot.verifyChain(anchor: head)
        #expect(verified.isValid && verified.rowsChecked == 5)
        var exported = Data()
        #expect(try snapshot.exportEvents(format: .jsonl) { exported.append($0) } == 5)
        var live = Data()
        try fixture.ledger.exportEvents(format: .jsonl) { live.append($0) }
        #expect(exported == live)
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)
    }

    @Test func catchesAChangedRowInACopy() throws {
        let fixture = try LedgerFixture()
        try fixture.importVouchers(3)
        let copy = fixture.path("copy.sqlite")
        try fixture.ledger.backup(to: copy)
        try LedgerFixture.rawQueue(copy).write { db in
            try db.execute(sql: "DROP TRIGGER events_no_update")
            try db.execute(sql: "UPDATE events SET detail = '{\"plan\":\"9GB\"}' WHERE seq = 2")
        }
        let result = try LedgerSnapshot(path: copy).verifyChain()
        #expect(result.failure?.seq == 2 && result.failure?.reason == .hashMismatch)
    }

    @Test func refusesAMissingFileAndAFileThatIsNotALedger() throws {
        let fixture = try LedgerFixture()
        #expect(ledgerError { _ = try LedgerSnapshot(path: fixture.path("absent.sqlite")) }?.code == .notFound)
        let other = fixture.path("other.sqlite")
        try LedgerFixture.rawQueue(other).write { db in try db.execute(sql: "CREATE TABLE t (x)") }
        #expect(ledgerError { _ = try LedgerSnapshot(path: other) }?.code == .corrupt)
    }
}
