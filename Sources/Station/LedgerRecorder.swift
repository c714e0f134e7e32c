import FailureCodes
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Ledger
import Provisioning

/// The workflow's `ProvisioningRecorder`, written into the SQLite ledger.
///
/// One recorder per run: it carries the uid of whoever asked for the run (`nil` for policy runs) and the port the
/// device was on, so every ledger event says who and where. Every call returns only once its change is
/// committed with `synchronous=FULL`, which is what makes `markSending` safe to rely on; each call is one write of the
/// ledger's next group commit (`Ledger.writing`), and the run is suspended, not blocking a thread, until it is on disk.
struct LedgerRecorder: ProvisioningRecorder {
    let ledger: Ledger
    let actor: Int?
    let port: String

    func recordIdentity(_ identity: DeviceIdentity) async throws(RecorderError) {
        guard let key = identity.deviceKey else {
            throw RecorderError(code: .imeiUnreadable, message: "The device has no IMEI, ICCID or hardware name to be filed under.")
        }
        try await map {
            // A device without an IMEI is filed under its SIM's ICCID (`iccid:…`) or its hardware name (`hw:…`).
            _ = try ledger.recordDevice(imei: String(key.prefix(32)), manufacturer: identity.manufacturer,
                                        model: identity.model, firmware: identity.firmware, port: port, actor: actor)
            if let iccid = identity.iccid {
                try ledger.recordSIM(iccid: iccid.digits, imsi: identity.imsi?.digits, luhnValid: iccid.luhnValid,
                                     actor: actor)
            }
        }
    }

    func startProvisioning(identity: DeviceIdentity, order: ProvisioningOrder) async throws(RecorderError) -> Int64 {
        let key = String((identity.deviceKey ?? "").prefix(32))
        return try await map {
            try ledger.startProvisioning(deviceIMEI: key, iccid: identity.iccid?.digits, plan: order.plan.name,
                                         orderID: order.id, actor: actor)
        }
    }

    /// What SIM `iccid` gets for `intent`, decided and written by the ledger in one transaction.
    func placeOrder(iccid: String, intent: OrderIntent) async -> Result<OrderPlacement, StationError> {
        do {
            return .success(try await ledger.writing { ledger in try ledger.placeOrder(iccid: iccid, intent: intent, actor: actor) })
        } catch let error as LedgerError {
            return .failure(Station.stationError(error, file: nil, lines: []))
        } catch {
            return .failure(StationError(.internalFailure, code: .ledgerIO, message: String(describing: error)))
        }
    }

    func recordStep(_ provisioningID: Int64, step: ProvisioningStep, status: StepStatus,
                    detail: [String: String]) async throws(RecorderError) {
        var detail = detail
        let recorded: ProvisioningStepStatus
        switch status {
        case .started: recorded = .started
        case .succeeded: recorded = .succeeded
        case .failed: recorded = .failed
        case .skipped:
            recorded = .succeeded
            detail["skipped"] = "true"
        }
        let recordedDetail = detail
        try await map {
            try ledger.recordStep(provisioningID: provisioningID, step: step.rawValue, status: recorded, detail: recordedDetail,
                                  actor: actor)
        }
    }

    func reserveVoucher(plan: String, provisioningID: Int64, iccid: String) async throws(RecorderError) -> ReservedVoucher? {
        try await map {
            try ledger.reserveVoucher(plan: plan, provisioningID: provisioningID, iccid: iccid, actor: actor)
                .map { ReservedVoucher(id: $0.id, code: $0.code, plan: $0.plan) }
        }
    }

    func releaseVoucher(_ id: Int64) async throws(RecorderError) {
        try await map { try ledger.releaseVoucher(id: id, actor: actor) }
    }

    func markSending(_ id: Int64) async throws(RecorderError) {
        try await map { try ledger.markSending(id: id, actor: actor) }
    }

    func markApplied(_ id: Int64, balanceBeforeMB: Int?, balanceAfterMB: Int?, rawReply: String) async throws(RecorderError) {
        try await map {
            try ledger.markApplied(id: id, balanceBeforeMB: balanceBeforeMB.map(Int64.init),
                                   balanceAfterMB: balanceAfterMB.map(Int64.init), rawReply: rawReply, actor: actor)
        }
    }

    func markRejected(_ id: Int64, rawReply: String) async throws(RecorderError) {
        try await map { try ledger.markRejected(id: id, rawReply: rawReply, actor: actor) }
    }

    func markUnknown(_ id: Int64, reason: String, rawReply: String?) async throws(RecorderError) {
        try await map { try ledger.markUnknown(id: id, reason: reason, rawReply: rawReply, actor: actor) }
    }

    func finish(_ provisioningID: Int64, outcome: Provisioning.ProvisioningOutcome,
                wifi: WiFiSettings?) async throws(RecorderError) {
        let recorded: LedgerProvisioningOutcome
        switch outcome {
        case .succeeded: recorded = .succeeded
        case .failed(let failure): recorded = .failed(code: failure.code.rawValue, message: failure.message)
        }
        try await map {
            try ledger.finishProvisioning(id: provisioningID, outcome: recorded, wifiSSID: wifi?.ssid,
                                          wifiKey: wifi?.key, actor: actor)
        }
    }

    /// Runs ledger calls as one write of the ledger's writer (`Ledger.writing`): several devices recording at once
    /// share one commit, and no thread waits for it.
    private func map<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws(RecorderError) -> T {
        do {
            return try await ledger.writing { _ in try body() }
        } catch let error as LedgerError {
            throw RecorderError(code: Self.code(error.code), message: error.message)
        } catch {
            throw RecorderError(code: .ledgerIO, message: String(describing: error))
        }
    }

    /// The ledger's error codes as the workflow's stable kebab-case failure codes.
    static func code(_ code: LedgerError.Code) -> FailureCode {
        switch code {
        case .simHasUnsettledVoucher: return .simHasUnsettledVoucher
        case .orderClosed: return .orderClosed
        case .orderHasCredit: return .orderHasCredit
        case .diskFull: return .diskFull
        case .illegalTransition: return .ledgerIllegalTransition
        case .notFound: return .ledgerNotFound
        default: return FailureCode.Family.ledger.code(code.rawValue)
        }
    }
}
