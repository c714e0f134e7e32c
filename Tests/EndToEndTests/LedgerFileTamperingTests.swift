import Foundation
import Ledger
import Testing

/// Tampering at the file level, below SQL: one byte of a copy of the ledger file changed with a hex editor's
/// bluntness. The ledger's own tests cover SQL-level edits (rows changed, deleted, swapped, inserted, tail cut);
/// this one proves `verifyChain` also catches a raw byte flip in an event's content or in a stored hash.
extension EndToEnd {
    @Suite struct LedgerFileTamperingTests {
        static let marker = "TAMPER-MARKER-7f3a"

        /// A ledger with a few events, one carrying `marker` in its detail; returns it and the marked event's seq.
        static func makeLedger() throws -> (Ledger, Int64) {
            let ledger = try Ledger.temporary()
            try ledger.importVouchers([("123456789012", "500MB"), ("123456789013", "500MB")], actor: 1000)
            _ = try ledger.recordDevice(imei: "352099001761481", manufacturer: "huawei", model: "E5573", firmware: nil, port: "pty", actor: nil)
            let provisioning = try ledger.startProvisioning(deviceIMEI: "352099001761481", iccid: nil, plan: "500MB", actor: nil)
            try ledger.recordStep(provisioningID: provisioning, step: "identify", status: .succeeded, detail: ["note": marker], actor: nil)
            let marked = try ledger.headHash().seq
            try ledger.recordStep(provisioningID: provisioning, step: "sim", status: .succeeded, detail: ["note": "after"], actor: nil)
            return (ledger, marked)
        }

        /// Backs the ledger up to a new file, flips the first byte of every occurrence of `needle` in it, returns the copy.
        static func tamperedCopy(of ledger: Ledger, replacing needle: [UInt8]) throws -> String {
            let copy = FileManager.default.temporaryDirectory.appendingPathComponent("tampered-\(UUID().uuidString).sqlite").path
            try ledger.backup(to: copy)
            var flipped = 0
            for path in [copy, copy + "-wal"] where FileManager.default.fileExists(atPath: path) {
                var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                var index = 0
                while index + needle.count <= bytes.count {
                    if bytes[index] == needle[0], Array(bytes[index..<index + needle.count]) == needle {
                        bytes[index] ^= 0x01
                        flipped += 1
                        index += needle.count
                    } else {
                        index += 1
                    }
                }
                try Data(bytes).write(to: URL(fileURLWithPath: path))
            }
            #expect(flipped >= 1, "the bytes to change were not found in the file")
            return copy
        }

        static func remove(_ paths: String...) {
            for path in paths {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }

        @Test func oneChangedByteInAnEventsContentIsCaughtAtThatEvent() throws {
            let (ledger, marked) = try Self.makeLedger()
            #expect(try ledger.verifyChain().isValid)
            let copy = try Self.tamperedCopy(of: ledger, replacing: Array(Self.marker.utf8))
            defer { Self.remove(copy, ledger.path) }
            let verification = try Ledger(path: copy).verifyChain()
            #expect(verification.failure?.seq == marked)
            #expect(verification.failure?.reason == .hashMismatch)
        }

        @Test func oneChangedByteInAStoredHashIsCaught() throws {
            let (ledger, marked) = try Self.makeLedger()
            let event = try #require(try ledger.events(afterSeq: marked - 1, limit: 1).first)
            var hash: [UInt8] = []
            var hex = Substring(event.hash)
            while hex.count >= 2 {
                hash.append(UInt8(hex.prefix(2), radix: 16) ?? 0)
                hex = hex.dropFirst(2)
            }
            let copy = try Self.tamperedCopy(of: ledger, replacing: hash)
            defer { Self.remove(copy, ledger.path) }
            let verification = try Ledger(path: copy).verifyChain()
            #expect(!verification.isValid)
            #expect(verification.failure?.seq == marked, "\(String(describing: verification.failure))")
        }
    }
}
