#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

extension Ledger {
    /// Imports vouchers all or nothing; returns how many were added.
    ///
    /// Line numbers in errors are 1-based positions in `rows`. Refuses the whole batch with
    /// `.invalidVoucherCode` if a code does not match `^[0-9A-Za-z]{4,32}$`, `.invalidArgument`
    /// for an empty or over-long plan, and `.duplicateVoucher` if a code repeats within the batch
    /// or already exists; messages name lines and redacted codes (`••••1234`), never a full code.
    /// Each voucher gets its own `voucher.imported` event in the same transaction.
    @discardableResult
    public func importVouchers(_ rows: [(code: String, plan: String)], actor: Int?) throws(LedgerError) -> Int {
        var badCodes: [Int] = []
        var badPlans: [Int] = []
        var firstLine: [String: Int] = [:]
        var duplicates: [(line: Int, first: Int, code: String)] = []
        for (index, row) in rows.enumerated() {
            let line = index + 1
            if !Ledger.isValidVoucherCode(row.code) {
                badCodes.append(line)
            }
            if row.plan.isEmpty || row.plan.utf8.count > 64
                || row.plan.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                badPlans.append(line)
            }
            if let first = firstLine[row.code] {
                duplicates.append((line, first, row.code))
            } else {
                firstLine[row.code] = line
            }
        }
        if !badCodes.isEmpty {
            throw LedgerError(.invalidVoucherCode,
                              "voucher codes must be 4 to 32 letters or digits; refused line(s) \(Ledger.list(badCodes)); nothing imported",
                              lines: badCodes)
        }
        if !badPlans.isEmpty {
            throw LedgerError(.invalidArgument, "plan names must be 1 to 64 bytes without control characters; refused line(s) "
                              + "\(Ledger.list(badPlans)); nothing imported", lines: badPlans)
        }
        if !duplicates.isEmpty {
            let named = duplicates.prefix(20).map { "line \($0.line) repeats line \($0.first) (\(Voucher.redact($0.code)))" }
            throw LedgerError(.duplicateVoucher, "duplicate voucher codes in the batch: \(named.joined(separator: ", ")); nothing imported",
                              lines: duplicates.map(\.line))
        }
        if rows.isEmpty {
            return 0
        }
        return try write("import vouchers") { db, now in
            let exists = try db.cachedStatement(sql: "SELECT 1 FROM vouchers WHERE code = ?")
            var existing: [Int] = []
            var existingNames: [String] = []
            for (index, row) in rows.enumerated() where try Bool.fetchOne(exists, arguments: [row.code]) != nil {
                existing.append(index + 1)
                if existingNames.count < 20 {
                    existingNames.append("line \(index + 1) (\(Voucher.redact(row.code)))")
                }
            }
            if !existing.isEmpty {
                throw LedgerError(.duplicateVoucher, "voucher codes already in the ledger: \(existingNames.joined(separator: ", "))"
                                  + "\(existing.count > 20 ? " and \(existing.count - 20) more" : ""); nothing imported",
                                  lines: existing)
            }
            let insert = try db.cachedStatement(sql: """
                INSERT INTO vouchers (code, plan, state, created_at, updated_at) VALUES (?, ?, 'available', ?, ?)
                """)
            var appender = try EventAppender(db)
            for row in rows {
                try insert.execute(arguments: [row.code, row.plan, now, now])
                try appender.append(EventDraft(kind: "voucher.imported", voucherID: db.lastInsertedRowID, actorUID: actor,
                                               detail: ["plan": row.plan]), at: now)
            }
            return rows.count
        }
    }

    /// Reserves the oldest available voucher of `plan` for a running provisioning and its SIM.
    ///
    /// Returns nil (writing nothing) when no voucher of that plan is available. Throws
    /// `.simHasUnsettledVoucher` if the SIM holds a voucher in `sending` or `unknown`, `.notFound`
    /// for an unknown provisioning or SIM, `.illegalTransition` if the provisioning is finished.
    /// Writes event `voucher.reserved`.
    public func reserveVoucher(plan: String, provisioningID: Int64, iccid: String, actor: Int?) throws(LedgerError) -> Voucher? {
        try LedgerInput.text(plan, "plan", max: 64)
        try LedgerInput.text(iccid, "ICCID", max: 32)
        return try write("reserve voucher") { db, now in
            let provisioning = try Ledger.provisioningRow(db, id: provisioningID)
            let state: String = provisioning["state"]
            guard state == ProvisioningState.running.rawValue else {
                throw LedgerError(.illegalTransition, "provisioning \(provisioningID) is \(state); it cannot reserve a voucher")
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM sims WHERE iccid = ?", arguments: [iccid]) != nil else {
                throw LedgerError(.notFound, "no SIM with ICCID …\(iccid.suffix(4)) was recorded; call recordSIM first")
            }
            if let unsettled = try Row.fetchOne(db, sql: """
                SELECT id, state FROM vouchers WHERE iccid = ? AND state IN ('sending', 'unknown') ORDER BY id LIMIT 1
                """, arguments: [iccid]) {
                let id: Int64 = unsettled["id"]
                let unsettledState: String = unsettled["state"]
                throw LedgerError(.simHasUnsettledVoucher,
                                  "SIM …\(iccid.suffix(4)) has voucher #\(id) in \(unsettledState); settle it before another recharge")
            }
            guard let id = try Int64.fetchOne(db, sql: """
                SELECT id FROM vouchers WHERE plan = ? AND state = 'available' ORDER BY id LIMIT 1
                """, arguments: [plan]) else {
                return nil
            }
            // The run's order (when it has one) is the voucher's: the schema then refuses a second voucher for it.
            let orderID: Int64? = provisioning["order_id"]
            if let orderID {
                try Ledger.checkOrderTakesVoucher(db, orderID: orderID, iccid: iccid, plan: plan)
            }
            try db.execute(sql: """
                UPDATE vouchers SET state = 'reserved', reserved_by_provisioning = ?, iccid = ?, order_id = ?, updated_at = ?
                WHERE id = ?
                """, arguments: [provisioningID, iccid, orderID, now, id])
            var detail = ["plan": plan, "from": "available", "to": "reserved"]
            detail["order"] = orderID.map { String($0) }
            try EventChain.append(EventDraft(kind: "voucher.reserved", provisioningID: provisioningID,
                                             deviceIMEI: provisioning["imei"], iccid: iccid, voucherID: id, actorUID: actor,
                                             detail: detail), at: now, in: db)
            return try Ledger.voucherRow(db, id: id)
        }
    }

    /// Returns a reserved (never sent) voucher to `available`; event `voucher.released`.
    public func releaseVoucher(id: Int64, actor: Int?) throws(LedgerError) {
        try moveVoucher(id: id, from: [.reserved], to: .available, kind: "voucher.released", actor: actor, context: "release voucher") { db, _, now, _ in
            try db.execute(sql: """
                UPDATE vouchers SET state = 'available', reserved_by_provisioning = NULL, iccid = NULL, order_id = NULL,
                    updated_at = ? WHERE id = ?
                """, arguments: [now, id])
            return [:]
        }
    }

    /// Marks a reserved voucher as being sent; returns only after the commit is on disk.
    ///
    /// Call this BEFORE writing the USSD command to the device: if the process dies after this,
    /// the voucher is found in `sending` at start and moved to `unknown`, never re-sent blindly.
    /// Event `voucher.sending`. The balance its provisioning read before (step `balance-before`) is
    /// copied onto the voucher in the same transaction, so a later settlement can compare against it.
    public func markSending(id: Int64, actor: Int?) throws(LedgerError) {
        try moveVoucher(id: id, from: [.reserved], to: .sending, kind: "voucher.sending", actor: actor, context: "mark voucher sending") { db, _, now, provisioningID in
            let before = try Ledger.recordedBalanceBefore(db, provisioningID: provisioningID)
            try db.execute(sql: "UPDATE vouchers SET state = 'sending', balance_before_mb = COALESCE(?, balance_before_mb), updated_at = ? WHERE id = ?",
                           arguments: [before, now, id])
            var detail: [String: String] = [:]
            detail["balance_before_mb"] = before.map { String($0) }
            return detail
        }
    }

    /// Marks a sending voucher as applied, with the balances read before and after; event `voucher.applied`.
    ///
    /// `rawReply` is stored with the voucher's code masked if the operator echoed it.
    /// `note` says how the acceptance is known when it is not the reply just read (start-up recovery).
    public func markApplied(id: Int64, balanceBeforeMB: Int64?, balanceAfterMB: Int64?, rawReply: String?,
                            note: String? = nil, actor: Int?) throws(LedgerError) {
        try moveVoucher(id: id, from: [.sending], to: .applied, kind: "voucher.applied", actor: actor, context: "mark voucher applied") { db, code, now, _ in
            let reply = Ledger.maskReply(rawReply, code: code)
            try db.execute(sql: """
                UPDATE vouchers SET state = 'applied', balance_before_mb = ?, balance_after_mb = ?,
                    raw_reply = COALESCE(?, raw_reply), updated_at = ? WHERE id = ?
                """, arguments: [balanceBeforeMB, balanceAfterMB, reply, now, id])
            var detail: [String: String] = [:]
            detail["balance_before_mb"] = balanceBeforeMB.map { String($0) }
            detail["balance_after_mb"] = balanceAfterMB.map { String($0) }
            detail["raw_reply"] = reply
            detail["note"] = note
            return detail
        }
    }

    /// Marks a sending voucher as rejected by the operator; event `voucher.rejected`.
    public func markRejected(id: Int64, rawReply: String?, actor: Int?) throws(LedgerError) {
        try moveVoucher(id: id, from: [.sending], to: .rejected, kind: "voucher.rejected", actor: actor, context: "mark voucher rejected") { db, code, now, _ in
            let reply = Ledger.maskReply(rawReply, code: code)
            try db.execute(sql: "UPDATE vouchers SET state = 'rejected', raw_reply = COALESCE(?, raw_reply), updated_at = ? WHERE id = ?",
                           arguments: [reply, now, id])
            var detail: [String: String] = [:]
            detail["raw_reply"] = reply
            return detail
        }
    }

    /// Marks a sending voucher's outcome as unknown (timeout, unplug, ambiguous reply, restart).
    ///
    /// The voucher is never re-sent automatically and its SIM gets no other voucher until it is
    /// settled. Event `voucher.unknown` with `reason`.
    public func markUnknown(id: Int64, reason: String, rawReply: String? = nil, actor: Int?) throws(LedgerError) {
        try LedgerInput.text(reason, "reason", max: 512)
        try moveVoucher(id: id, from: [.sending], to: .unknown, kind: "voucher.unknown", actor: actor, context: "mark voucher unknown") { db, code, now, _ in
            let reply = Ledger.maskReply(rawReply, code: code)
            try db.execute(sql: "UPDATE vouchers SET state = 'unknown', raw_reply = COALESCE(?, raw_reply), updated_at = ? WHERE id = ?",
                           arguments: [reply, now, id])
            var detail = ["reason": reason]
            detail["raw_reply"] = reply
            return detail
        }
    }

    /// Settles an unknown voucher as applied, rejected or manual, with a note saying how it was decided.
    ///
    /// Only from `unknown` (`.illegalTransition` otherwise). Balances, when a comparison decided
    /// it, are recorded. Event `voucher.settled`.
    public func settle(id: Int64, outcome: VoucherSettlement, note: String, balanceBeforeMB: Int64? = nil,
                       balanceAfterMB: Int64? = nil, actor: Int?) throws(LedgerError) {
        try LedgerInput.text(note, "settlement note", max: 1024)
        try moveVoucher(id: id, from: [.unknown], to: outcome.state, kind: "voucher.settled", actor: actor, context: "settle voucher") { db, _, now, _ in
            try db.execute(sql: """
                UPDATE vouchers SET state = ?, settled_note = ?, balance_before_mb = COALESCE(?, balance_before_mb),
                    balance_after_mb = COALESCE(?, balance_after_mb), updated_at = ? WHERE id = ?
                """, arguments: [outcome.state.rawValue, note, balanceBeforeMB, balanceAfterMB, now, id])
            var detail = ["note": note, "outcome": outcome.rawValue]
            detail["balance_before_mb"] = balanceBeforeMB.map { String($0) }
            detail["balance_after_mb"] = balanceAfterMB.map { String($0) }
            return detail
        }
    }

    /// Whether `code` matches `^[0-9A-Za-z]{4,32}$`.
    public static func isValidVoucherCode(_ code: String) -> Bool {
        let bytes = code.utf8
        guard (4...32).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        }
    }

    /// One voucher transition: checks the state in code, runs `update`, appends the event.
    ///
    /// `update` gets the database, the voucher's code (to mask replies), the time text and the provisioning that
    /// reserved it, and returns extra event detail.
    private func moveVoucher(id: Int64, from allowed: Set<VoucherState>, to next: VoucherState, kind: String, actor: Int?,
                             context: String,
                             update: (Database, String, String, Int64?) throws -> [String: String]) throws(LedgerError) {
        try write(context) { db, now in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT v.code, v.state, v.iccid, v.reserved_by_provisioning, d.imei
                FROM vouchers v LEFT JOIN provisionings p ON p.id = v.reserved_by_provisioning
                LEFT JOIN devices d ON d.id = p.device_id
                WHERE v.id = ?
                """, arguments: [id]) else {
                throw LedgerError(.notFound, "no voucher #\(id)")
            }
            let stateText: String = row["state"]
            guard let current = VoucherState(rawValue: stateText) else {
                throw LedgerError(.corrupt, "voucher #\(id) holds an unknown state")
            }
            guard allowed.contains(current), current.canMove(to: next) else {
                let from = allowed.map(\.rawValue).sorted().joined(separator: " or ")
                throw LedgerError(.illegalTransition, "voucher #\(id) is \(current.rawValue); \(context) needs it \(from)")
            }
            let iccid: String? = row["iccid"]
            let provisioningID: Int64? = row["reserved_by_provisioning"]
            let imei: String? = row["imei"]
            var detail = try update(db, row["code"], now, provisioningID)
            detail["from"] = current.rawValue
            detail["to"] = next.rawValue
            try EventChain.append(EventDraft(kind: kind, provisioningID: provisioningID, deviceIMEI: imei, iccid: iccid,
                                             voucherID: id, actorUID: actor, detail: detail), at: now, in: db)
        }
    }

    static func voucherRow(_ db: Database, id: Int64) throws -> Voucher {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM vouchers WHERE id = ?", arguments: [id]) else {
            throw LedgerError(.notFound, "no voucher #\(id)")
        }
        return voucherRecord(row)
    }

    static func voucherRecord(_ row: Row) -> Voucher {
        let stateText: String = row["state"]
        return Voucher(id: row["id"], code: row["code"], plan: row["plan"],
                       state: VoucherState(rawValue: stateText) ?? .unknown,
                       iccid: row["iccid"], provisioningID: row["reserved_by_provisioning"],
                       balanceBeforeMB: row["balance_before_mb"], balanceAfterMB: row["balance_after_mb"],
                       rawReply: row["raw_reply"], settledNote: row["settled_note"],
                       createdAt: date(row["created_at"]), updatedAt: date(row["updated_at"]), orderID: row["order_id"])
    }

    /// The operator's reply, capped at 2 KiB, with every occurrence of the voucher's code masked.
    static func maskReply(_ reply: String?, code: String) -> String? {
        guard let reply else { return nil }
        let masked = reply.replacingOccurrences(of: code, with: Voucher.redact(code))
        return String(masked.prefix(2048))
    }

    static func list(_ lines: [Int]) -> String {
        let shown = lines.prefix(20).map(String.init).joined(separator: ", ")
        return lines.count > 20 ? shown + " and \(lines.count - 20) more" : shown
    }
}

extension LedgerReading {
    /// The voucher with this id, or nil.
    public func voucher(id: Int64) throws(LedgerError) -> Voucher? {
        try read("read voucher") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM vouchers WHERE id = ?", arguments: [id]).map(Ledger.voucherRecord)
        }
    }

    /// Vouchers in `state` (nil: any) and of `plan` (nil: any), oldest first.
    public func vouchers(state: VoucherState? = nil, plan: String? = nil, limit: Int = 100) throws(LedgerError) -> [Voucher] {
        try read("read vouchers") { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let state {
                clauses.append("state = ?")
                arguments += [state.rawValue]
            }
            if let plan {
                clauses.append("plan = ?")
                arguments += [plan]
            }
            let whereClause = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: "SELECT * FROM vouchers" + whereClause + " ORDER BY id LIMIT ?",
                                    arguments: arguments).map(Ledger.voucherRecord)
        }
    }

    /// Every voucher in `sending` or `unknown`, oldest first: what the station settles or queues at start.
    ///
    /// At start the station moves each `sending` one to `unknown` with
    /// `markUnknown(id:reason: "daemon restarted while sending", …)` before reporting ready.
    public func unsettledVouchers() throws(LedgerError) -> [Voucher] {
        try read("read unsettled vouchers") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM vouchers WHERE state IN ('sending', 'unknown') ORDER BY id")
                .map(Ledger.voucherRecord)
        }
    }

    /// Counts of vouchers by plan and state (states with no voucher are absent).
    public func voucherCounts() throws(LedgerError) -> [String: [VoucherState: Int]] {
        try read("count vouchers") { db in
            var counts: [String: [VoucherState: Int]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT plan, state, COUNT(*) AS n FROM vouchers GROUP BY plan, state") {
                let plan: String = row["plan"]
                let stateText: String = row["state"]
                guard let state = VoucherState(rawValue: stateText) else { continue }
                counts[plan, default: [:]][state] = row["n"]
            }
            return counts
        }
    }
}
