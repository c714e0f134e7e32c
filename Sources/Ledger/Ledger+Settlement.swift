#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// A voucher waiting for a person, with what the ledger knows to help decide it.
public struct UnsettledVoucher: Sendable, Equatable {
    /// The voucher as stored (its code is secret: show `voucher.redactedCode`).
    public var voucher: Voucher
    /// When it entered `unknown` (or `sending`), from its last state event.
    public var since: Date
    /// Why its outcome is unknown, from the `voucher.unknown` event (nil while still `sending`).
    public var reason: String?
    /// The SIM's data balance in MB read just before the recharge was sent, when recorded.
    public var balanceBeforeMB: Int64?
    /// Balance checks already made for it (`voucher.checked` events), newest last.
    public var checks: Int
}

extension Ledger {
    /// The provisioning step whose succeeded event carries the balance read before a recharge.
    static let balanceBeforeStep = "balance-before"
    /// The detail key of that figure.
    static let balanceBeforeKey = "balance.mb"

    /// Records a balance check made to settle an unknown voucher that did not settle it; event `voucher.checked`.
    ///
    /// The voucher stays `unknown`. `result` says why it was not settled (e.g. "balance did not rise by 500 MB").
    public func recordSettlementCheck(id: Int64, balanceBeforeMB: Int64?, balanceAfterMB: Int64?, result: String,
                                      actor: Int?) throws(LedgerError) {
        try LedgerInput.text(result, "check result", max: 512)
        try write("record settlement check") { db, now in
            guard let row = try Row.fetchOne(db, sql: "SELECT state, iccid, reserved_by_provisioning FROM vouchers WHERE id = ?",
                                             arguments: [id]) else {
                throw LedgerError(.notFound, "no voucher #\(id)")
            }
            let state: String = row["state"]
            guard state == VoucherState.unknown.rawValue else {
                throw LedgerError(.illegalTransition, "voucher #\(id) is \(state); only an unknown voucher is checked")
            }
            var detail = ["result": result]
            detail["balance_before_mb"] = balanceBeforeMB.map { String($0) }
            detail["balance_after_mb"] = balanceAfterMB.map { String($0) }
            try EventChain.append(EventDraft(kind: "voucher.checked", provisioningID: row["reserved_by_provisioning"],
                                             iccid: row["iccid"], voucherID: id, actorUID: actor, detail: detail),
                                  at: now, in: db)
        }
    }

    /// The `balance.mb` of the provisioning's last succeeded `balance-before` step, if any.
    static func recordedBalanceBefore(_ db: Database, provisioningID: Int64?) throws -> Int64? {
        guard let provisioningID else { return nil }
        let text = try String.fetchOne(db, sql: """
            SELECT json_extract(detail, '$."\(balanceBeforeKey)"') FROM events
            WHERE provisioning_id = ? AND kind = 'provisioning.step'
              AND json_extract(detail, '$.step') = ? AND json_extract(detail, '$.status') = 'succeeded'
            ORDER BY seq DESC LIMIT 1
            """, arguments: [provisioningID, balanceBeforeStep])
        return text.flatMap { Int64($0) }
    }

    /// What start-up did with a voucher a stop left in `sending`.
    public enum SendingRecovery: Sendable, Equatable {
        /// Its run had recorded the operator's acceptance: it is `applied`, with that reply as evidence.
        case applied
        /// Nothing says what the operator did: it is `unknown`, for a balance check or a person.
        case unknown
    }

    /// Settles a voucher a stop left in `sending`, from what its run recorded before the stop.
    ///
    /// The workflow records the recharge step `succeeded` (with the operator's reply) as soon as the operator accepts,
    /// before its confirming balance query, which can last the profile's reply timeout. A stop in that window leaves
    /// the voucher `sending` with the acceptance already on disk: it becomes `applied` with that evidence (the
    /// balance after is not known). Anything else becomes `unknown`; the voucher is never re-sent.
    public func recoverSending(id: Int64, actor: Int?) throws(LedgerError) -> SendingRecovery {
        let evidence: String? = try read("read recharge evidence") { db in
            guard let voucher = try Row.fetchOne(db, sql: "SELECT state, reserved_by_provisioning FROM vouchers WHERE id = ?",
                                                 arguments: [id]) else {
                throw LedgerError(.notFound, "no voucher #\(id)")
            }
            guard let provisioningID: Int64 = voucher["reserved_by_provisioning"] else { return nil }
            let sentAt = try Int64.fetchOne(db, sql: """
                SELECT MAX(seq) FROM events WHERE voucher_id = ? AND kind = 'voucher.sending'
                """, arguments: [id]) ?? Int64.max
            let detail = try String.fetchOne(db, sql: """
                SELECT detail FROM events WHERE provisioning_id = ? AND kind = 'provisioning.step' AND seq > ?
                  AND json_extract(detail, '$.step') = 'recharge' AND json_extract(detail, '$.status') = 'succeeded'
                ORDER BY seq LIMIT 1
                """, arguments: [provisioningID, sentAt])
            return detail.map { CanonicalJSON.decode($0)?["reply"] ?? "" }
        }
        guard let voucher = try self.voucher(id: id), voucher.state == .sending else {
            throw LedgerError(.illegalTransition, "voucher #\(id) is not sending")
        }
        if let reply = evidence {
            try markApplied(id: id, balanceBeforeMB: voucher.balanceBeforeMB, balanceAfterMB: nil, rawReply: reply,
                            note: "the operator's acceptance was recorded before the daemon stopped", actor: actor)
            return .applied
        }
        try markUnknown(id: id, reason: "daemon restarted while the voucher was being sent", rawReply: nil, actor: actor)
        return .unknown
    }
}

extension LedgerReading {
    /// Every voucher in `unknown` (and `sending`), oldest first, with since, reason and balance before; only those of
    /// SIM `iccid` in `unknown` when it is given (what a device's identification asks for, through the SIM's index).
    ///
    /// The balance before comes from the voucher row, or else from the `balance-before` step its
    /// provisioning recorded just before reserving it (`markSending` copies it onto the row).
    public func vouchersNeedingSettlement(unknownOfSIM iccid: String? = nil) throws(LedgerError) -> [UnsettledVoucher] {
        try read("read vouchers needing settlement") { db in
            let rows = if let iccid {
                try Row.fetchAll(db, sql: "SELECT * FROM vouchers WHERE iccid = ? AND state = 'unknown' ORDER BY id",
                                 arguments: [iccid])
            } else {
                try Row.fetchAll(db, sql: "SELECT * FROM vouchers WHERE state IN ('sending', 'unknown') ORDER BY id")
            }
            return try rows.map { row in
                let voucher = Ledger.voucherRecord(row)
                let last = try Row.fetchOne(db, sql: """
                    SELECT at, detail FROM events WHERE voucher_id = ? AND kind IN ('voucher.sending', 'voucher.unknown')
                    ORDER BY seq DESC LIMIT 1
                    """, arguments: [voucher.id])
                let detail = (last?["detail"] as String?).flatMap(CanonicalJSON.decode) ?? [:]
                let checks = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE voucher_id = ? AND kind = 'voucher.checked'",
                                              arguments: [voucher.id]) ?? 0
                let before = try voucher.balanceBeforeMB ?? Ledger.recordedBalanceBefore(db, provisioningID: voucher.provisioningID)
                return UnsettledVoucher(voucher: voucher, since: last.map { Ledger.date($0["at"]) } ?? voucher.updatedAt,
                                        reason: voucher.state == .unknown ? detail["reason"] : nil,
                                        balanceBeforeMB: before, checks: checks)
            }
        }
    }
}
