#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One prepaid voucher as the ledger holds it.
///
/// `code` is a secret: show `redactedCode` in logs and API output unless a flag asks for more.
/// `description` is redacted too, so string interpolation does not leak it.
public struct Voucher: Sendable, Codable, Equatable, Identifiable, CustomStringConvertible {
    /// Row id, stable for the life of the ledger.
    public var id: Int64
    /// The code typed into the USSD recharge command (secret).
    public var code: String
    /// The plan name from the station's configuration, e.g. "2GB-5EUR".
    public var plan: String
    /// Where the voucher is in its state machine.
    public var state: VoucherState
    /// The SIM it was reserved for; nil while available.
    public var iccid: String?
    /// The provisioning that reserved it; nil while available.
    public var provisioningID: Int64?
    /// Data balance in MB read before recharging, when known.
    public var balanceBeforeMB: Int64?
    /// Data balance in MB read after recharging, when known.
    public var balanceAfterMB: Int64?
    /// The operator's last reply text, with the voucher code masked out.
    public var rawReply: String?
    /// The technician's note when settled by hand.
    public var settledNote: String?
    /// When the voucher was imported.
    public var createdAt: Date
    /// When its row last changed.
    public var updatedAt: Date
    /// The order it was reserved for (kept once sent, cleared when released); nil for vouchers reserved before
    /// orders existed, and while available.
    public var orderID: Int64?

    /// Makes a voucher value (the ledger builds these from rows; tests and mappers may too).
    public init(id: Int64, code: String, plan: String, state: VoucherState, iccid: String?, provisioningID: Int64?,
                balanceBeforeMB: Int64?, balanceAfterMB: Int64?, rawReply: String?, settledNote: String?,
                createdAt: Date, updatedAt: Date, orderID: Int64? = nil) {
        self.id = id
        self.code = code
        self.plan = plan
        self.state = state
        self.iccid = iccid
        self.provisioningID = provisioningID
        self.balanceBeforeMB = balanceBeforeMB
        self.balanceAfterMB = balanceAfterMB
        self.rawReply = rawReply
        self.settledNote = settledNote
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.orderID = orderID
    }

    /// The code with all but its last 4 characters hidden, e.g. "••••1234".
    public var redactedCode: String { Voucher.redact(code) }

    /// `Voucher #id ••••1234 plan state`, never the full code.
    public var description: String { "Voucher #\(id) \(redactedCode) \(plan) \(state.rawValue)" }

    /// "••••" followed by the last 4 characters of `code` (all of it hidden if shorter than 5).
    public static func redact(_ code: String) -> String {
        code.count > 4 ? "••••" + String(code.suffix(4)) : "••••"
    }
}
