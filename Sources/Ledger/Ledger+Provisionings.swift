#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// How a provisioning step went, as recorded by `recordStep`.
public enum ProvisioningStepStatus: String, Sendable, Codable, CaseIterable, Equatable {
    /// The step began.
    case started
    /// The step completed.
    case succeeded
    /// The step failed (the provisioning usually finishes as failed next).
    case failed
}

extension Ledger {
    /// Starts a provisioning of a recorded device (and SIM, when given); returns its id.
    ///
    /// The device must have been recorded with `recordDevice` and the SIM with `recordSIM`
    /// (`.notFound` otherwise). Writes event `provisioning.started`.
    ///
    /// `orderID` names the order the run works for: it must be open and of the same SIM (`.orderClosed`,
    /// `.invalidArgument`), and the run finishing `succeeded` fulfils it.
    public func startProvisioning(deviceIMEI: String, iccid: String?, plan: String?, orderID: Int64? = nil,
                                  actor: Int?) throws(LedgerError) -> Int64 {
        try LedgerInput.text(deviceIMEI, "IMEI", max: 32)
        try LedgerInput.optionalText(iccid, "ICCID", max: 32)
        try LedgerInput.optionalText(plan, "plan", max: 64)
        return try write("start provisioning") { db, now in
            guard let deviceID = try Int64.fetchOne(db, sql: "SELECT id FROM devices WHERE imei = ?", arguments: [deviceIMEI]) else {
                throw LedgerError(.notFound, "no device with IMEI …\(deviceIMEI.suffix(4)) was recorded; call recordDevice first")
            }
            if let iccid, try Bool.fetchOne(db, sql: "SELECT 1 FROM sims WHERE iccid = ?", arguments: [iccid]) == nil {
                throw LedgerError(.notFound, "no SIM with ICCID …\(iccid.suffix(4)) was recorded; call recordSIM first")
            }
            if let orderID {
                guard let order = try Ledger.orderRecord(db, id: orderID) else { throw LedgerError(.notFound, "no order \(orderID)") }
                guard order.state == .open else {
                    throw LedgerError(.orderClosed, "order \(orderID) is \(order.state.rawValue); no run works for it")
                }
                guard order.iccid == iccid else {
                    throw LedgerError(.invalidArgument, "order \(orderID) is for SIM …\(order.iccid.suffix(4)), not this one")
                }
            }
            try db.execute(sql: """
                INSERT INTO provisionings (device_id, iccid, plan, state, started_at, actor_uid, order_id)
                VALUES (?, ?, ?, 'running', ?, ?, ?)
                """, arguments: [deviceID, iccid, plan, now, actor, orderID])
            let id = db.lastInsertedRowID
            var detail: [String: String] = [:]
            detail["plan"] = plan
            detail["order"] = orderID.map { String($0) }
            try EventChain.append(EventDraft(kind: "provisioning.started", provisioningID: id, deviceIMEI: deviceIMEI,
                                             iccid: iccid, actorUID: actor, detail: detail), at: now, in: db)
            return id
        }
    }

    /// Records one step of a running provisioning as event `provisioning.step`.
    ///
    /// `step` names the workflow step ("identify", "plan", "reserve", "recharge", "confirm",
    /// "wifi", "verify"); `detail` is stored as canonical JSON beside `step` and `status` (so it
    /// may not use those two keys) and must hold no secret. A finished provisioning takes no more
    /// steps (`.illegalTransition`).
    public func recordStep(provisioningID: Int64, step: String, status: ProvisioningStepStatus,
                           detail: [String: String] = [:], actor: Int?) throws(LedgerError) {
        try LedgerInput.text(step, "step", max: 64)
        if detail["step"] != nil || detail["status"] != nil {
            throw LedgerError(.invalidArgument, "a step's detail may not use the keys \"step\" or \"status\"")
        }
        try write("record provisioning step") { db, now in
            let row = try Ledger.provisioningRow(db, id: provisioningID)
            let state: String = row["state"]
            guard state == ProvisioningState.running.rawValue else {
                throw LedgerError(.illegalTransition, "provisioning \(provisioningID) is \(state); it takes no more steps")
            }
            var merged = detail
            merged["step"] = step
            merged["status"] = status.rawValue
            try EventChain.append(EventDraft(kind: "provisioning.step", provisioningID: provisioningID,
                                             deviceIMEI: row["imei"], iccid: row["iccid"], actorUID: actor,
                                             detail: merged), at: now, in: db)
        }
    }

    /// Finishes a running provisioning as succeeded or failed, with the Wi-Fi name and key set; a run that succeeded
    /// fulfils its order (event `order.fulfilled`).
    ///
    /// Writes event `provisioning.finished` (its detail says whether a key was set, never the key).
    /// A provisioning finishes once (`.illegalTransition` after that).
    public func finishProvisioning(id: Int64, outcome: ProvisioningOutcome, wifiSSID: String?, wifiKey: String?,
                                   actor: Int?) throws(LedgerError) {
        try LedgerInput.optionalText(wifiSSID, "Wi-Fi SSID", max: 64)
        try LedgerInput.optionalText(wifiKey, "Wi-Fi key", max: 64)
        let state: ProvisioningState
        let failureCode: String?
        let failureMessage: String?
        switch outcome {
        case .succeeded:
            (state, failureCode, failureMessage) = (.succeeded, nil, nil)
        case .failed(let code, let message):
            try LedgerInput.text(code, "failure code", max: 64)
            (state, failureCode, failureMessage) = (.failed, code, String(message.prefix(1024)))
        }
        try write("finish provisioning") { db, now in
            let row = try Ledger.provisioningRow(db, id: id)
            let current: String = row["state"]
            guard current == ProvisioningState.running.rawValue else {
                throw LedgerError(.illegalTransition, "provisioning \(id) is already \(current)")
            }
            try db.execute(sql: """
                UPDATE provisionings SET state = ?, failure_code = ?, failure_message = ?, wifi_ssid = ?,
                    wifi_key = ?, finished_at = ?
                WHERE id = ?
                """, arguments: [state.rawValue, failureCode, failureMessage, wifiSSID, wifiKey, now, id])
            var detail = ["outcome": state.rawValue, "wifi_key_set": wifiKey == nil ? "false" : "true"]
            detail["failure_code"] = failureCode
            detail["failure_message"] = failureMessage
            detail["wifi_ssid"] = wifiSSID
            try EventChain.append(EventDraft(kind: "provisioning.finished", provisioningID: id, deviceIMEI: row["imei"],
                                             iccid: row["iccid"], actorUID: actor, detail: detail), at: now, in: db)
            // A run that succeeded did what its order asked: the order is fulfilled in the same transaction.
            if state == .succeeded, let orderID: Int64 = row["order_id"],
               try Ledger.orderRecord(db, id: orderID)?.state == .open {
                try Ledger.closeOrder(db, id: orderID, as: .fulfilled, provisioningID: id, now: now, actor: actor)
            }
        }
    }

    static let provisioningSelect = "SELECT p.*, d.imei AS imei FROM provisionings p JOIN devices d ON d.id = p.device_id"

    static func provisioningRow(_ db: Database, id: Int64) throws -> Row {
        guard let row = try Row.fetchOne(db, sql: provisioningSelect + " WHERE p.id = ?", arguments: [id]) else {
            throw LedgerError(.notFound, "no provisioning \(id)")
        }
        return row
    }

    static func provisioningRecord(_ row: Row) -> ProvisioningRecord {
        let stateText: String = row["state"]
        let actor: Int64? = row["actor_uid"]
        return ProvisioningRecord(
            id: row["id"], deviceIMEI: row["imei"], iccid: row["iccid"], plan: row["plan"],
            state: ProvisioningState(rawValue: stateText) ?? .failed,
            failureCode: row["failure_code"], failureMessage: row["failure_message"],
            wifiSSID: row["wifi_ssid"], wifiKey: row["wifi_key"],
            startedAt: date(row["started_at"]), finishedAt: (row["finished_at"] as String?).map { date($0) },
            actorUID: actor.map { Int($0) }, orderID: row["order_id"])
    }
}

extension LedgerReading {
    /// The provisioning with this id, or nil.
    public func provisioning(id: Int64) throws(LedgerError) -> ProvisioningRecord? {
        try read("read provisioning") { db in
            try Row.fetchOne(db, sql: Ledger.provisioningSelect + " WHERE p.id = ?", arguments: [id]).map(Ledger.provisioningRecord)
        }
    }

    /// Provisionings of a device and/or SIM and/or in one state (all nil: all), newest first.
    public func provisionings(imei: String? = nil, iccid: String? = nil, state: ProvisioningState? = nil,
                              limit: Int = 100) throws(LedgerError) -> [ProvisioningRecord] {
        try read("read provisionings") { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let state {
                clauses.append("p.state = ?")
                arguments += [state.rawValue]
            }
            if let imei {
                clauses.append("d.imei = ?")
                arguments += [imei]
            }
            if let iccid {
                clauses.append("p.iccid = ?")
                arguments += [iccid]
            }
            let whereClause = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: Ledger.provisioningSelect + whereClause + " ORDER BY p.id DESC LIMIT ?",
                                    arguments: arguments).map(Ledger.provisioningRecord)
        }
    }

    /// The newest provisioning of a device, or nil.
    public func latestProvisioning(imei: String) throws(LedgerError) -> ProvisioningRecord? {
        try provisionings(imei: imei, limit: 1).first
    }
}
