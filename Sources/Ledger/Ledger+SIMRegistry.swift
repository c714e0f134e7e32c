#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// A SIM read in a card reader, as the ledger registers it.
public struct SIMRegistration: Sendable, Equatable {
    /// The card's serial number (E.118 form, as read).
    public var iccid: String
    /// Whether its Luhn check digit is right.
    public var luhnValid: Bool
    /// The subscriber identity, when it could be read without a PIN.
    public var imsi: String?
    /// The PC/SC reader it was read in.
    public var reader: String
    /// `UICC` or `GSM`.
    public var cardType: String

    /// Creates a registration.
    public init(iccid: String, luhnValid: Bool, imsi: String?, reader: String, cardType: String) {
        self.iccid = iccid
        self.luhnValid = luhnValid
        self.imsi = imsi
        self.reader = reader
        self.cardType = cardType
    }
}

extension Ledger {
    /// Registers a SIM read in a card reader: the SIM's row (inserted on first sight; a newly read IMSI or a changed
    /// Luhn verdict updated) and event `sim.registered` (reader, card type, IMSI when read), in one transaction.
    /// Every read is an event, so the stock of SIMs and where each was seen is in the chain. Returns the event's seq.
    @discardableResult
    public func registerSIM(_ registration: SIMRegistration, actor: Int?) throws(LedgerError) -> Int64 {
        try LedgerInput.text(registration.iccid, "ICCID", max: 32)
        try LedgerInput.optionalText(registration.imsi, "IMSI", max: 32)
        try LedgerInput.text(registration.reader, "reader", max: 256)
        try LedgerInput.text(registration.cardType, "card type", max: 16)
        return try write("register SIM") { db, now in
            let existing = try Row.fetchOne(db, sql: "SELECT imsi FROM sims WHERE iccid = ?", arguments: [registration.iccid])
            var detail = ["reader": registration.reader, "card_type": registration.cardType,
                          "luhn_valid": registration.luhnValid ? "true" : "false"]
            detail["imsi"] = registration.imsi
            if existing == nil {
                try db.execute(sql: "INSERT INTO sims (iccid, imsi, luhn_valid, first_seen) VALUES (?, ?, ?, ?)",
                               arguments: [registration.iccid, registration.imsi, registration.luhnValid, now])
                detail["first"] = "true"
            } else {
                try db.execute(sql: "UPDATE sims SET imsi = COALESCE(?, imsi), luhn_valid = ? WHERE iccid = ?",
                               arguments: [registration.imsi, registration.luhnValid, registration.iccid])
            }
            return try EventChain.append(EventDraft(kind: "sim.registered", iccid: registration.iccid, actorUID: actor,
                                                    detail: detail), at: now, in: db)
        }
    }

    /// Records one PIN attempt a person asked for on a SIM in a reader (event `sim.pin-attempt`): whether the card
    /// took it and the tries left before and after. The PIN itself is never recorded.
    @discardableResult
    public func recordPINAttempt(iccid: String, reader: String, accepted: Bool, triesBefore: Int?, triesAfter: Int?,
                                 actor: Int?) throws(LedgerError) -> Int64 {
        try LedgerInput.text(iccid, "ICCID", max: 32)
        try LedgerInput.text(reader, "reader", max: 256)
        return try write("record PIN attempt") { db, now in
            var detail = ["reader": reader, "accepted": accepted ? "true" : "false"]
            detail["tries_before"] = triesBefore.map(String.init)
            detail["tries_after"] = triesAfter.map(String.init)
            return try EventChain.append(EventDraft(kind: "sim.pin-attempt", iccid: iccid, actorUID: actor, detail: detail),
                                         at: now, in: db)
        }
    }

    /// Cancels an open order on a person's request (event `order.cancelled` with their uid).
    ///
    /// Refused (`.orderHasCredit`) when a voucher is reserved, being sent, of unknown outcome or applied for it:
    /// money may have moved, and only settling that voucher decides. Refused (`.illegalTransition`) when the order is
    /// not open. A run that had started for the order can no longer reserve a voucher for it (the schema refuses a
    /// reservation under a closed order).
    @discardableResult
    public func cancelOrder(id: Int64, actor: Int?) throws(LedgerError) -> OrderRecord {
        try write("cancel order") { db, now in
            guard let order = try Ledger.orderRecord(db, id: id) else { throw LedgerError(.notFound, "no order \(id)") }
            guard order.state == .open else {
                throw LedgerError(.illegalTransition, "order \(id) is \(order.state.rawValue); only an open order is cancelled")
            }
            switch order.credit {
            case .notApplied:
                break
            case .pending(let voucherID, let state):
                throw LedgerError(.orderHasCredit, "order \(id) has voucher #\(voucherID) \(state.rawValue): settle it first")
            case .applied(let voucherID):
                throw LedgerError(.orderHasCredit, "order \(id) was credited by voucher #\(voucherID); it cannot be cancelled")
            }
            try Ledger.closeOrder(db, id: id, as: .cancelled, provisioningID: nil, now: now, actor: actor,
                                  detail: ["reason": "cancelled by a person"])
            guard let closed = try Ledger.orderRecord(db, id: id) else { throw LedgerError(.io, "order \(id) vanished") }
            return closed
        }
    }
}
