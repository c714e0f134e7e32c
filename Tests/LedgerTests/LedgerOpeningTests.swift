import Foundation
import GRDB
import Testing
@testable import Ledger

@Suite struct LedgerOpeningTests {
    @Test func readsBackWALFullSynchronousAndForeignKeysOnEveryConnection() throws {
        let fixture = try LedgerFixture()
        let settings = try fixture.ledger.durability()
        for value in [settings.writer, settings.reader] {
            #expect(value.journalMode == "wal")
            #expect(value.synchronous == 2)
            #expect(value.foreignKeys)
        }
    }

    @Test func refusesToOpenWhenSynchronousIsNotFull() throws {
        let fixture = try LedgerFixture()
        let error = ledgerError {
            _ = try Ledger(path: fixture.path("weak.sqlite"), clock: { Date() }, synchronousPragma: "NORMAL")
        }
        #expect(error?.code == .notDurable)
    }

    @Test func migratesAnEmptyFileToTheCurrentSchemaAndReopens() throws {
        let fixture = try LedgerFixture()
        #expect(try fixture.ledger.appliedMigrations() == ["v1-initial", "v2-orders"])
        let reopened = try Ledger(path: fixture.ledger.path)
        #expect(try reopened.appliedMigrations() == ["v1-initial", "v2-orders"])
        #expect(try reopened.device(imei: fixture.imei)?.model == "E5573")
        let tables = try fixture.ledger.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb%' ORDER BY name")
        }
        #expect(tables == ["devices", "events", "orders", "port_handling", "provisionings", "sims", "vouchers"])
    }

    @Test func theLedgerAndItsFilesAreOwnerOnlyWhateverTheUmask() throws {
        let fixture = try LedgerFixture()
        let previous = umask(0o022)
        defer { umask(previous) }
        let path = fixture.path("modes.sqlite")
        let ledger = try Ledger(path: path)
        try ledger.importVouchers([(code: "12345678", plan: "500MB")], actor: nil)
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(try (FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600, "\(file)")
        }
        // A ledger left readable by an earlier version is narrowed at open.
        let old = fixture.path("old.sqlite")
        _ = try Ledger(path: old)
        chmod(old, 0o644)
        _ = try Ledger(path: old)
        #expect(try (FileManager.default.attributesOfItem(atPath: old)[.posixPermissions] as? Int) == 0o600)
    }

    @Test func aBackupNeverReplacesAFileAndIsOwnerOnly() throws {
        let fixture = try LedgerFixture()
        let previous = umask(0o022)
        defer { umask(previous) }
        let copy = fixture.path("copy.sqlite")
        _ = try fixture.ledger.backup(to: copy)
        #expect(try (FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? Int) == 0o600)
        #expect(ledgerError { _ = try fixture.ledger.backup(to: copy) }?.code == .invalidArgument)
        #expect(ledgerError { _ = try fixture.ledger.backup(to: fixture.ledger.path) }?.code == .invalidArgument)
        #expect(try fixture.ledger.integrityCheck(), "the live ledger is untouched")
    }

    @Test func refusesALedgerWrittenByANewerBuild() throws {
        let fixture = try LedgerFixture()
        try fixture.ledger.pool.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')")
        }
        let error = ledgerError { _ = try Ledger(path: fixture.ledger.path) }
        #expect(error?.code == .migration)
    }

    @Test func refusesAFileThatIsNotADatabase() throws {
        let fixture = try LedgerFixture()
        let path = fixture.path("garbage.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        let error = ledgerError { _ = try Ledger(path: path) }
        #expect(error?.code == .corrupt)
        #expect(error?.sqliteCode == 26)
    }

    @Test func integrityCheckPassesOnAFreshLedger() throws {
        let fixture = try LedgerFixture()
        #expect(try fixture.ledger.integrityCheck())
    }

    @Test func readsOnASnapshotWhileAWriteTransactionIsOpen() throws {
        let fixture = try LedgerFixture()
        try fixture.importVouchers(3)
        let ledger = fixture.ledger
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? ledger.write("test hold") { db, now in
                try db.execute(sql: "INSERT INTO vouchers (code, plan, created_at, updated_at) VALUES ('HELD0001', '2GB', ?, ?)",
                               arguments: [now, now])
                try EventChain.append(EventDraft(kind: "voucher.imported", voucherID: db.lastInsertedRowID), at: now, in: db)
                entered.signal()
                _ = release.wait(timeout: .now() + 10)
            }
            finished.signal()
        }
        #expect(entered.wait(timeout: .now() + 10) == .success)
        // The writer holds an open transaction; WAL readers are not blocked and see the last commit.
        #expect(try ledger.voucherCounts()["2GB"]?[.available] == 3)
        #expect(try ledger.verifyChain().isValid)
        release.signal()
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(try ledger.voucherCounts()["2GB"]?[.available] == 4)
        #expect(try ledger.verifyChain().isValid)
    }

    @Test func diskFullRollsBackTheWholeImportWithATypedError() throws {
        let fixture = try LedgerFixture()
        let before = try fixture.ledger.eventCount()
        let pages = try fixture.ledger.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        try fixture.ledger.pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA max_page_count = \(pages + 2)")
        }
        let codes = (0..<2000).map { (code: "FULL\(String(format: "%06d", $0))", plan: "2GB") }
        let error = ledgerError { try fixture.ledger.importVouchers(codes, actor: nil) }
        #expect(error?.code == .diskFull)
        #expect(error?.sqliteCode == 13)
        #expect(try fixture.ledger.vouchers(limit: 10).isEmpty)
        #expect(try fixture.ledger.eventCount() == before)
        #expect(try fixture.ledger.verifyChain().isValid)
    }
}
