import Foundation
import GRDB
@testable import Ledger

/// A fresh ledger in its own temporary directory, with a device, a SIM and helpers to put a
/// voucher in any state through the public API. The directory is removed when the fixture goes.
final class LedgerFixture {
    let directory: URL
    let ledger: Ledger
    let imei = "861234567890123"
    let iccid = "89860012345678901234"

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        ledger = try Ledger(path: directory.appendingPathComponent("ledger.sqlite").path)
        try ledger.recordDevice(imei: imei, manufacturer: "huawei", model: "E5573", firmware: "21.1", port: "/dev/ttyUSB0", actor: nil)
        try ledger.recordSIM(iccid: iccid, imsi: "208011234567890", luhnValid: true, actor: nil)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// Imports `count` vouchers of `plan` with distinct codes; returns the codes.
    @discardableResult
    func importVouchers(_ count: Int, plan: String = "2GB", prefix: String = "CODE") throws -> [String] {
        let codes = (0..<count).map { "\(prefix)\(String(format: "%06d", $0))" }
        try ledger.importVouchers(codes.map { (code: $0, plan: plan) }, actor: 1000)
        return codes
    }

    /// Puts a new voucher in `state` through legal calls; returns its id.
    func voucher(in state: VoucherState, iccid: String? = nil) throws -> Int64 {
        let sim = iccid ?? self.iccid
        if try ledger.sim(iccid: sim) == nil {
            try ledger.recordSIM(iccid: sim, imsi: nil, luhnValid: true, actor: nil)
        }
        let code = "V" + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12))
        // A plan of its own, so reserving below picks exactly this voucher.
        let plan = "\(state.rawValue)-\(UUID().uuidString.prefix(8))"
        try ledger.importVouchers([(code: code, plan: plan)], actor: nil)
        guard let id = try ledger.vouchers(plan: plan, limit: 1).first?.id else {
            throw LedgerError(.notFound, "fixture voucher vanished")
        }
        if state == .available { return id }
        let provisioning = try ledger.startProvisioning(deviceIMEI: imei, iccid: sim, plan: plan, actor: nil)
        let reserved = try ledger.reserveVoucher(plan: plan, provisioningID: provisioning, iccid: sim, actor: nil)
        guard reserved?.id == id else { throw LedgerError(.notFound, "fixture reserved another voucher") }
        if state == .reserved { return id }
        try ledger.markSending(id: id, actor: nil)
        switch state {
        case .sending: break
        case .applied: try ledger.markApplied(id: id, balanceBeforeMB: 0, balanceAfterMB: 2048, rawReply: "ok", actor: nil)
        case .rejected: try ledger.markRejected(id: id, rawReply: "invalid", actor: nil)
        case .unknown: try ledger.markUnknown(id: id, reason: "timeout", actor: nil)
        case .manual:
            try ledger.markUnknown(id: id, reason: "timeout", actor: nil)
            try ledger.settle(id: id, outcome: .manual, note: "refunded", actor: 0)
        case .available, .reserved: break
        }
        return id
    }

    /// Opens a raw GRDB connection on a file, bypassing the Ledger type (for tampering).
    static func rawQueue(_ path: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.foreignKeysEnabled = false
        return try DatabaseQueue(path: path, configuration: config)
    }
}

/// Runs `body` and returns the `LedgerError` it threw, or nil (also nil for any other error,
/// which the calling `#expect` then reports as a mismatch).
func ledgerError(_ body: () throws -> Void) -> LedgerError? {
    do {
        try body()
        return nil
    } catch {
        return error as? LedgerError
    }
}
