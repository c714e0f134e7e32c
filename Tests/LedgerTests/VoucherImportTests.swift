import Foundation
import Testing
@testable import Ledger

@Suite struct VoucherImportTests {
    @Test func importsABatchWithOneEventPerVoucher() throws {
        let fixture = try LedgerFixture()
        let before = try fixture.ledger.eventCount()
        let count = try fixture.ledger.importVouchers([(code: "1111222233334444", plan: "2GB"), (code: "abcd", plan: "500MB")], actor: 1000)
        #expect(count == 2)
        #expect(try fixture.ledger.eventCount() == before + 2)
        let counts = try fixture.ledger.voucherCounts()
        let expected: [String: [VoucherState: Int]] = ["2GB": [.available: 1], "500MB": [.available: 1]]
        #expect(counts == expected)
        let events = try fixture.ledger.events(afterSeq: Int64(before))
        #expect(events.allSatisfy { $0.kind == "voucher.imported" && $0.actorUID == 1000 && $0.voucherID != nil })
    }

    @Test func refusesTheWholeBatchWhenACodeRepeatsWithinIt() throws {
        let fixture = try LedgerFixture()
        let before = try fixture.ledger.eventCount()
        let rows = [(code: "AAAA1111", plan: "2GB"), (code: "BBBB2222", plan: "2GB"), (code: "AAAA1111", plan: "2GB")]
        let error = try #require(ledgerError { try fixture.ledger.importVouchers(rows, actor: nil) })
        #expect(error.code == .duplicateVoucher)
        #expect(error.lines == [3])
        #expect(error.message.contains("line 3 repeats line 1"))
        #expect(error.message.contains("••••1111"))
        #expect(!error.message.contains("AAAA1111"))
        #expect(try fixture.ledger.vouchers().isEmpty)
        #expect(try fixture.ledger.eventCount() == before)
    }

    @Test func refusesTheWholeBatchWhenACodeIsAlreadyInTheLedger() throws {
        let fixture = try LedgerFixture()
        try fixture.ledger.importVouchers([(code: "EXIST0001", plan: "2GB")], actor: nil)
        let before = try fixture.ledger.eventCount()
        let rows = [(code: "NEW00001", plan: "2GB"), (code: "NEW00002", plan: "2GB"), (code: "EXIST0001", plan: "2GB")]
        let error = try #require(ledgerError { try fixture.ledger.importVouchers(rows, actor: nil) })
        #expect(error.code == .duplicateVoucher)
        #expect(error.lines == [3])
        #expect(!error.message.contains("EXIST0001"))
        #expect(try fixture.ledger.vouchers().count == 1)
        #expect(try fixture.ledger.eventCount() == before)
    }

    @Test(arguments: ["abc", "ABCD-1234", "12345678901234567890123456789012X", "1234 5678", "ｃｏｄｅ1234", "", "12\n34"])
    func refusesTheWholeBatchForACodeOutsideTheAlphabet(bad: String) throws {
        let fixture = try LedgerFixture()
        let rows = [(code: "GOOD0001", plan: "2GB"), (code: bad, plan: "2GB")]
        let error = try #require(ledgerError { try fixture.ledger.importVouchers(rows, actor: nil) })
        #expect(error.code == .invalidVoucherCode)
        #expect(error.lines == [2])
        #expect(try fixture.ledger.vouchers().isEmpty)
    }

    @Test func schemaRefusesABadCodeEvenWithoutTheSwiftCheck() throws {
        let fixture = try LedgerFixture()
        #expect(throws: (any Error).self) {
            try fixture.ledger.pool.write { db in
                try db.execute(sql: "INSERT INTO vouchers (code, plan, created_at, updated_at) VALUES ('AB-12345', '2GB', 'x', 'x')")
            }
        }
    }

    @Test func acceptsBoundaryLengthCodes() throws {
        let fixture = try LedgerFixture()
        let rows = [(code: "A1b2", plan: "2GB"), (code: String(repeating: "9", count: 32), plan: "2GB")]
        #expect(try fixture.ledger.importVouchers(rows, actor: nil) == 2)
    }
}
