import Crypto
import Foundation
import GRDB
import Testing
@testable import Ledger

@Suite struct EventChainTests {
    /// A ledger with a little of everything: devices, SIMs, a provisioning, vouchers through their states.
    static func populated() throws -> LedgerFixture {
        let fixture = try LedgerFixture()
        try fixture.importVouchers(4)
        let provisioning = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: fixture.iccid, plan: "2GB", actor: 1000)
        try fixture.ledger.recordStep(provisioningID: provisioning, step: "identify", status: .succeeded,
                                      detail: ["model": "E5573", "note": "quote \" comma , newline \n end"], actor: 1000)
        let voucher = try #require(try fixture.ledger.reserveVoucher(plan: "2GB", provisioningID: provisioning, iccid: fixture.iccid, actor: 1000))
        try fixture.ledger.markSending(id: voucher.id, actor: 1000)
        try fixture.ledger.markApplied(id: voucher.id, balanceBeforeMB: 0, balanceAfterMB: 2048, rawReply: "OK, €5 → 2 GB", actor: 1000)
        try fixture.ledger.finishProvisioning(id: provisioning, outcome: .succeeded, wifiSSID: "Trotter-42", wifiKey: "s3cret-key-123", actor: 1000)
        return fixture
    }

    @Test func freshChainVerifiesAndHeadIsTheLastEvent() throws {
        let fixture = try Self.populated()
        let verification = try fixture.ledger.verifyChain()
        let events = try fixture.ledger.events()
        #expect(verification.isValid)
        #expect(verification.rowsChecked == events.count)
        let head = try fixture.ledger.headHash()
        #expect(head.seq == Int64(events.count))
        #expect(head.hash == events.last?.hash)
        #expect(verification.lastGood == head)
        #expect(try fixture.ledger.verifyChain(anchor: head).isValid)
        #expect(events.first?.prevHash == String(repeating: "0", count: 64))
        #expect(zip(events.dropFirst(), events).allSatisfy { $0.prevHash == $1.hash })
        #expect(events.map(\.seq) == Array(1...Int64(events.count)))
    }

    @Test func emptyLedgerHeadIsSeqZeroAndZeros() throws {
        let ledger = try Ledger.temporary()
        #expect(try ledger.headHash() == ChainAnchor(seq: 0, hash: String(repeating: "0", count: 64)))
        #expect(try ledger.verifyChain(anchor: ledger.headHash()).isValid)
    }

    /// Recomputes every hash from the documented canonical form, written again here from the doc.
    @Test func hashesFollowTheDocumentedCanonicalForm() throws {
        let fixture = try Self.populated()
        let rows = try fixture.ledger.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, at, kind, provisioning_id, device_imei, iccid, voucher_id, actor_uid, detail, prev_hash, hash FROM events ORDER BY seq")
        }
        var prev = [UInt8](repeating: 0, count: 32)
        for row in rows {
            var message = prev
            for index in 0..<9 {
                let value: DatabaseValue = row[index]
                switch value.storage {
                case .null: message.append(0)
                case .int64(let integer):
                    message.append(1)
                    message += withUnsafeBytes(of: integer.bigEndian) { Array($0) }
                case .string(let text):
                    message.append(2)
                    message += withUnsafeBytes(of: UInt32(text.utf8.count).bigEndian) { Array($0) }
                    message += Array(text.utf8)
                default:
                    Issue.record("the ledger wrote a real or blob in a hashed column")
                }
            }
            let stored: Data = row[10]
            let storedPrev: Data = row[9]
            #expect(Array(storedPrev) == prev)
            #expect(Array(SHA256.hash(data: message)) == Array(stored))
            prev = Array(stored)
        }
        #expect(rows.count > 10)
    }

    @Test func normalConnectionCannotUpdateOrDeleteEvents() throws {
        let fixture = try Self.populated()
        for sql in ["UPDATE events SET detail = '{}' WHERE seq = 2", "DELETE FROM events WHERE seq = 3",
                    "DELETE FROM events", "INSERT INTO events (seq, at, kind, detail, prev_hash, hash) VALUES (1000, 'x', 'k', '{}', zeroblob(32), zeroblob(32))"] {
            let error = #expect(throws: DatabaseError.self, "\(sql)") {
                try fixture.ledger.pool.write { db in try db.execute(sql: sql) }
            }
            #expect(error?.resultCode == .SQLITE_CONSTRAINT)
        }
        #expect(try fixture.ledger.verifyChain().isValid)
        #expect(try fixture.ledger.events(limit: 10_000).count == Int(try fixture.ledger.headHash().seq))
    }

    // MARK: - Tampering on copies opened with a raw connection, triggers dropped

    /// Copies the populated ledger, drops the triggers in the copy, applies `tamper`, and verifies the copy.
    static func verifyTamperedCopy(anchor: Bool = false, _ tamper: (Database) throws -> Void) throws -> (ChainVerification, ChainAnchor) {
        let fixture = try populated()
        let head = try fixture.ledger.headHash()
        let copy = fixture.path("copy.sqlite")
        try fixture.ledger.backup(to: copy)
        let raw = try LedgerFixture.rawQueue(copy)
        try raw.writeWithoutTransaction { db in
            for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            try db.inTransaction {
                try tamper(db)
                return .commit
            }
        }
        try raw.close()
        let reopened = try Ledger(path: copy)
        return (try reopened.verifyChain(anchor: anchor ? head : nil), head)
    }

    @Test func detectsAVoucherStateChangedWithoutAnEvent() throws {
        // The applied voucher put back on the shelf so it could be sold again: the events are untouched.
        let (result, head) = try Self.verifyTamperedCopy { db in
            try db.execute(sql: """
                UPDATE vouchers SET state = 'available', reserved_by_provisioning = NULL, iccid = NULL WHERE state = 'applied'
                """)
        }
        let failure = try #require(result.failure)
        #expect(failure.reason == .stateMismatch)
        #expect(failure.message.contains("'available'") && failure.message.contains("'applied'"))
        #expect(result.lastGood == head)  // the chain itself is whole
    }

    @Test func detectsAnAvailableVoucherMarkedUsedWithoutAnEvent() throws {
        let (result, _) = try Self.verifyTamperedCopy { db in
            try db.execute(sql: """
                UPDATE vouchers SET state = 'rejected', reserved_by_provisioning = (SELECT MIN(id) FROM provisionings), iccid = '89001010000123456782'
                WHERE id = (SELECT MIN(id) FROM vouchers WHERE state = 'available')
                """)
        }
        #expect(result.failure?.reason == .stateMismatch)
        #expect(result.failure?.seq == 0)
        #expect(result.failure?.message.contains("its import left it 'available'") == true)
    }

    @Test func detectsAVoucherRowAddedWithoutItsImportEvent() throws {
        let (result, _) = try Self.verifyTamperedCopy { db in
            try db.execute(sql: """
                INSERT INTO vouchers (code, plan, state, created_at, updated_at)
                VALUES ('999999999999', '2GB', 'available', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')
                """)
        }
        #expect(result.failure?.reason == .stateMismatch)
        #expect(result.failure?.message.contains("no voucher.imported event") == true)
    }

    @Test func detectsOneChangedByteInADetail() throws {
        let (result, _) = try Self.verifyTamperedCopy { db in
            try db.execute(sql: "UPDATE events SET detail = replace(detail, '2GB', '2GC') WHERE seq = 5")
        }
        #expect(result.failure?.seq == 5)
        #expect(result.failure?.reason == .hashMismatch)
        #expect(result.lastGood.seq == 4)
    }

    @Test func detectsAChangedActor() throws {
        let (result, _) = try Self.verifyTamperedCopy { db in
            try db.execute(sql: "UPDATE events SET actor_uid = 0 WHERE seq = (SELECT MIN(seq) FROM events WHERE actor_uid = 1000)")
        }
        #expect(result.failure?.reason == .hashMismatch)
        #expect(result.failure?.seq == result.lastGood.seq + 1)
    }

    @Test func detectsADeletedRow() throws {
        let (result, _) = try Self.verifyTamperedCopy { db in
            try db.execute(sql: "DELETE FROM events WHERE seq = 7")
        }
        #expect(result.failure?.seq == 7)
        #expect(result.failure?.reason == .seqGap)
    }

    @Test func detectsTwoSwappedRows() throws {
        let (result, _) = try Self.verifyTamperedCopy { db in
            try db.execute(sql: "UPDATE events SET seq = -1 WHERE seq = 4")
            try db.execute(sql: "UPDATE events SET seq = 4 WHERE seq = 6")
            try db.execute(sql: "UPDATE events SET seq = 6 WHERE seq = -1")
        }
        #expect(result.failure?.seq == 4)
        #expect(result.failure?.reason == .prevHashMismatch)
    }

    @Test func detectsAForgedRowInsertedWithAValidHashInTheMiddle() throws {
        let (result, _) = try Self.verifyTamperedCopy { db in
            // Make room after seq 8, then insert a row that links correctly to seq 8.
            try db.execute(sql: "UPDATE events SET seq = -seq WHERE seq > 8")
            try db.execute(sql: "UPDATE events SET seq = -seq + 1 WHERE seq < 0")
            let prev: Data = try Data.fetchOne(db, sql: "SELECT hash FROM events WHERE seq = 8") ?? Data()
            let fields: [DatabaseValue] = [Int64(9).databaseValue, "2026-01-01T00:00:00.000Z".databaseValue,
                                           "voucher.applied".databaseValue, DatabaseValue.null, DatabaseValue.null,
                                           DatabaseValue.null, Int64(2).databaseValue, DatabaseValue.null, "{}".databaseValue]
            var buffer = [UInt8]()
            let hash = EventChain.hash(prev: Array(prev), fields: fields, buffer: &buffer)
            try db.execute(sql: "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           arguments: StatementArguments(fields + [prev.databaseValue, Data(hash).databaseValue]))
        }
        #expect(result.failure?.seq == 10)
        #expect(result.failure?.reason == .prevHashMismatch)
    }

    @Test func detectsAGarbageRowAppendedAtTheEnd() throws {
        var appended: Int64 = 0
        let (result, _) = try Self.verifyTamperedCopy { db in
            appended = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") ?? 0) + 1
            let prev: Data = try Data.fetchOne(db, sql: "SELECT hash FROM events WHERE seq = ?", arguments: [appended - 1]) ?? Data()
            try db.execute(sql: "INSERT INTO events VALUES (?, '2026-01-01T00:00:00.000Z', 'voucher.applied', NULL, NULL, NULL, 1, NULL, '{}', ?, zeroblob(32))",
                           arguments: [appended, prev])
        }
        #expect(result.failure?.seq == appended)
        #expect(result.failure?.reason == .hashMismatch)
    }

    @Test func detectsACutTailOnlyWithAnAnchor() throws {
        // The last event (provisioning.finished) changes no voucher, so only an anchor can tell it was cut.
        let cut: (Database) throws -> Void = { db in
            try db.execute(sql: "DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)")
        }
        let (withoutAnchor, _) = try Self.verifyTamperedCopy(cut)
        #expect(withoutAnchor.isValid, "a cut tail is a valid shorter chain without an anchor")
        let (withAnchor, head) = try Self.verifyTamperedCopy(anchor: true, cut)
        #expect(withAnchor.failure?.reason == .anchorMismatch)
        #expect(withAnchor.failure?.seq == head.seq)
        #expect(withAnchor.lastGood.seq == head.seq - 1)
    }

    @Test func aCutTailThatTookAVoucherChangeIsCaughtEvenWithoutAnAnchor() throws {
        // Cutting `voucher.applied` leaves the applied voucher's row ahead of its events.
        let (result, _) = try Self.verifyTamperedCopy { db in
            try db.execute(sql: "DELETE FROM events WHERE seq > (SELECT MAX(seq) - 3 FROM events)")
        }
        #expect(result.failure?.reason == .stateMismatch)
    }

    @Test func detectsARewrittenChainWithAnAnchor() throws {
        // Rewrite every hash after changing seq 3, as an attacker who knows the algorithm would.
        let (result, head) = try Self.verifyTamperedCopy(anchor: true) { db in
            try db.execute(sql: "UPDATE events SET detail = '{\"plan\":\"FREE\"}' WHERE seq = 3")
            var prev = [UInt8](repeating: 0, count: 32)
            var buffer = [UInt8]()
            for row in try Row.fetchAll(db, sql: "SELECT \(EventChain.selectColumns) FROM events ORDER BY seq") {
                let fields = (0..<9).map { row[$0] as DatabaseValue }
                let hash = EventChain.hash(prev: prev, fields: fields, buffer: &buffer)
                try db.execute(sql: "UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?",
                               arguments: [Data(prev), Data(hash), row[0] as Int64])
                prev = hash
            }
        }
        #expect(result.failure?.reason == .anchorMismatch)
        #expect(result.failure?.seq == head.seq)
    }

    @Test func refusesAMalformedAnchor() throws {
        let fixture = try LedgerFixture()
        let result = try fixture.ledger.verifyChain(anchor: ChainAnchor(seq: 1, hash: "xyz"))
        #expect(result.failure?.reason == .anchorMismatch)
    }
}
