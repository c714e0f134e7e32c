import Foundation
import Testing
@testable import Ledger

@Suite struct ExportAndBackupTests {
    @Test func backupCopyVerifiesAndHoldsTheSameHead() throws {
        let fixture = try EventChainTests.populated()
        let copyPath = fixture.path("backup.sqlite")
        let verification = try fixture.ledger.backup(to: copyPath)
        let head = try fixture.ledger.headHash()
        #expect(verification.isValid)
        #expect(verification.lastGood == head)
        let copy = try Ledger(path: copyPath)
        #expect(try copy.headHash() == head)
        #expect(try copy.integrityCheck())
        #expect(try copy.verifyChain(anchor: head).isValid)
        #expect(try copy.vouchers().count == fixture.ledger.vouchers().count)
    }

    @Test func backupIntoAnUnwritablePlaceFailsWithATypedError() throws {
        let fixture = try EventChainTests.populated()
        let target = fixture.path("no/such/dir/backup.sqlite")
        let error = ledgerError { try fixture.ledger.backup(to: target) }
        #expect(error?.code == .readOnly)
        #expect(error?.message.contains(target) == true, "the message names the path the technician gave")
    }

    @Test func jsonLinesExportHasOneObjectPerEventWithTheStoredFields() throws {
        let fixture = try EventChainTests.populated()
        var data = Data()
        let count = try fixture.ledger.exportEvents(format: .jsonl) { data.append($0) }
        let events = try fixture.ledger.events()
        #expect(count == events.count)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")
        #expect(lines.count - 1 == events.count)
        for (line, event) in zip(lines, events) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect((object["seq"] as? NSNumber)?.int64Value == event.seq)
            #expect(object["kind"] as? String == event.kind)
            #expect(object["hash"] as? String == event.hash)
            #expect(object["prev_hash"] as? String == event.prevHash)
            let detail = try #require(object["detail"] as? String)
            #expect(CanonicalJSON.decode(detail) == event.detail)
            #expect(object.keys.count == 11)
        }
    }

    @Test func csvExportRoundTripsRowCountsAndQuotedFields() throws {
        let fixture = try EventChainTests.populated()
        let url = URL(fileURLWithPath: fixture.path("events.csv"))
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        let count = try fixture.ledger.exportEvents(format: .csv, to: handle)
        try handle.close()
        let records = Self.parseCSV(try String(contentsOf: url, encoding: .utf8))
        let events = try fixture.ledger.events()
        #expect(count == events.count)
        #expect(records.count == events.count + 1)
        #expect(records.first == ["seq", "at", "kind", "provisioning_id", "device_imei", "iccid", "voucher_id",
                                  "actor_uid", "detail", "prev_hash", "hash"])
        for (record, event) in zip(records.dropFirst(), events) {
            #expect(record.count == 11)
            #expect(record[0] == String(event.seq))
            #expect(record[2] == event.kind)
            #expect(CanonicalJSON.decode(record[8]) == event.detail)
            #expect(record[10] == event.hash)
        }
        // The step detail holds a quote, a comma and a newline: it must survive quoting.
        #expect(records.contains { $0.count > 8 && CanonicalJSON.decode($0[8])?["note"] == "quote \" comma , newline \n end" })
    }

    @Test func exportAfterSeqStreamsOnlyTheTail() throws {
        let fixture = try EventChainTests.populated()
        let head = try fixture.ledger.headHash()
        var text = ""
        let count = try fixture.ledger.exportEvents(format: .jsonl, afterSeq: head.seq - 2) { text += String(decoding: $0, as: UTF8.self) }
        #expect(count == 2)
        #expect(text.split(separator: "\n").count == 2)
    }

    @Test func exportsNeverHoldTheVoucherCodeOrWiFiKey() throws {
        let fixture = try EventChainTests.populated()
        var text = ""
        try fixture.ledger.exportEvents(format: .csv) { text += String(decoding: $0, as: UTF8.self) }
        for voucher in try fixture.ledger.vouchers() {
            #expect(!text.contains(voucher.code))
        }
        #expect(!text.contains("s3cret-key-123"))
    }

    /// RFC 4180 reader for the test: quoted fields may hold commas, quotes (doubled) and newlines.
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text.unicodeScalars)[...]
        while let char = chars.popFirst() {
            if quoted {
                if char == "\"" {
                    if chars.first == "\"" {
                        field.unicodeScalars.append("\"")
                        chars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(char)
                }
            } else if char == "\"" {
                quoted = true
            } else if char == "," {
                record.append(field)
                field = ""
            } else if char == "\r" {
                continue
            } else if char == "\n" {
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else {
                field.unicodeScalars.append(char)
            }
        }
        return records
    }
}
