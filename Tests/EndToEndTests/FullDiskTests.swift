import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Ledger
import Testing

/// The ledger on a small tmpfs that fills up: money operations are refused whole with `diskFull`, nothing of them is
/// written, and once space is freed the same operations succeed, `integrity_check` is ok and the chain verifies.
///
/// Needs to mount a tmpfs (root, as in CI). Where mounting is not permitted the test is reported as skipped, with
/// the reason, instead of passing.
extension EndToEnd {
    @Suite struct FullDiskTests {
        /// Whether this process may mount a tmpfs, probed once by mounting and unmounting one.
        static let canMountTmpfs: Bool = {
            let probe = FileManager.default.temporaryDirectory.appendingPathComponent("hs-mount-probe-\(getpid())").path
            try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: probe) }
            guard mount("tmpfs", probe, "tmpfs", 0, "size=64k") == 0 else { return false }
            umount2(probe, Int32(MNT_DETACH))
            return true
        }()

        /// A tmpfs of `size` mounted on a fresh directory; unmounted (lazily) by `unmount()`.
        struct SmallDisk {
            let path: String

            init(size: String) throws {
                path = FileManager.default.temporaryDirectory.appendingPathComponent("hs-disk-\(UUID().uuidString.prefix(8))").path
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                guard mount("tmpfs", path, "tmpfs", 0, "size=\(size)") == 0 else {
                    throw EndToEnd.StationEndToEndTests.FixtureError("mount tmpfs on \(path): errno \(errno)")
                }
            }

            func unmount() {
                umount2(path, Int32(MNT_DETACH))
                try? FileManager.default.removeItem(atPath: path)
            }

            /// Writes a filler file until the disk refuses (ENOSPC); returns its size.
            func fill(_ name: String) -> Int {
                let fd = open(path + "/" + name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                guard fd >= 0 else { return 0 }
                defer { close(fd) }
                let chunk = [UInt8](repeating: 0xA5, count: 4096)
                var total = 0
                while true {
                    let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    if written <= 0 { break }
                    total += written
                }
                return total
            }
        }

        static func codes(_ prefix: Int, _ count: Int) -> [(code: String, plan: String)] {
            (0..<count).map { (String(format: "%02d%010d", prefix, $0), "500MB") }
        }

        @Test(.enabled(if: FullDiskTests.canMountTmpfs, "mounting a tmpfs is not permitted here (needs root / CAP_SYS_ADMIN)"))
        func fullDiskRefusesMoneyOperationsWholeAndServiceResumesAfterSpaceIsFreed() throws {
            let disk = try SmallDisk(size: "2m")
            defer { disk.unmount() }
            var anchor = ChainAnchor(seq: 0, hash: String(repeating: "0", count: 64))
            do {
                let ledger = try Ledger(path: disk.path + "/ledger.sqlite")
                try ledger.importVouchers(Self.codes(10, 20), actor: 1000)
                try ledger.recordDevice(imei: "352099001761481", manufacturer: "huawei", model: "E5573", firmware: nil, port: "pty", actor: nil)
                try ledger.recordSIM(iccid: "89001010000123456782", imsi: "001010000012345", luhnValid: true, actor: nil)
                let provisioning = try ledger.startProvisioning(deviceIMEI: "352099001761481", iccid: "89001010000123456782",
                                                                plan: "500MB", actor: nil)
                let reserved = try #require(try ledger.reserveVoucher(plan: "500MB", provisioningID: provisioning,
                                                                      iccid: "89001010000123456782", actor: nil))
                anchor = try ledger.headHash()

                // Fill the disk, then keep writing until the ledger itself is refused (its WAL may have room left).
                let filled = disk.fill("filler")
                #expect(filled > 0)
                var firstRefusal: LedgerError?
                for batch in 0..<500 where firstRefusal == nil {
                    do {
                        try ledger.importVouchers(Self.codes(20 + batch % 70, 40).map { ("\(batch)" + $0.code, $0.plan) }, actor: 1000)
                        anchor = try ledger.headHash()
                    } catch {
                        firstRefusal = error
                    }
                }
                let refusal = try #require(firstRefusal, "the ledger never reported the full disk")
                #expect(refusal.code == .diskFull, "\(refusal)")
                #expect(refusal.message.contains("full") && refusal.message.contains("nothing"), "\(refusal.message)")

                // Every money operation now: refused with diskFull, and nothing of it written.
                let events = try ledger.eventCount()
                let counts = try ledger.voucherCounts()
                let head = try ledger.headHash()
                let importError = #expect(throws: LedgerError.self) {
                    try ledger.importVouchers(Self.codes(99, 5), actor: 1000)
                }
                #expect(importError?.code == .diskFull)
                let reserveError = #expect(throws: LedgerError.self) {
                    _ = try ledger.reserveVoucher(plan: "500MB", provisioningID: provisioning, iccid: "89001010000123456782", actor: nil)
                }
                #expect(reserveError?.code == .diskFull || reserveError?.code == .simHasUnsettledVoucher)
                let sendingError = #expect(throws: LedgerError.self) {
                    try ledger.markSending(id: reserved.id, actor: nil)
                }
                #expect(sendingError?.code == .diskFull, "\(String(describing: sendingError))")
                #expect(try ledger.eventCount() == events)
                #expect(try ledger.voucherCounts() == counts)
                #expect(try ledger.headHash() == head)
                #expect(try ledger.voucher(id: reserved.id)?.state == .reserved, "a refused `sending` must leave the voucher reserved")

                // Space freed: the same operations go through, and the file is sound.
                try FileManager.default.removeItem(atPath: disk.path + "/filler")
                try ledger.importVouchers(Self.codes(99, 5), actor: 1000)
                try ledger.markSending(id: reserved.id, actor: nil)
                try ledger.markApplied(id: reserved.id, balanceBeforeMB: 0, balanceAfterMB: 500, rawReply: "ok", actor: nil)
                #expect(try ledger.voucher(id: reserved.id)?.state == .applied)
                #expect(try ledger.integrityCheck())
                #expect(try ledger.verifyChain(anchor: anchor).isValid)
            }
            // Reopened from the file after the episode: still sound.
            let reopened = try Ledger(path: disk.path + "/ledger.sqlite")
            #expect(try reopened.integrityCheck())
            #expect(try reopened.verifyChain(anchor: anchor).isValid)
        }
    }
}
