#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One row of the append-only, hash-chained event log.
///
/// Every change of a device, SIM, provisioning or voucher row is written in the same transaction
/// as an event describing it; provisioning steps are events only. `detail` never holds a voucher
/// code or a Wi-Fi key. `prevHash`/`hash` are lower-case hex of 32 bytes; see `EventChain` for the
/// exact bytes hashed.
public struct LedgerEvent: Sendable, Codable, Equatable, Identifiable {
    /// Position in the chain, 1, 2, 3… with no gaps.
    public var seq: Int64
    /// When it was written (millisecond precision, UTC).
    public var at: Date
    /// Dotted kind, e.g. "voucher.sending", "provisioning.step", "device.seen".
    public var kind: String
    /// The provisioning it belongs to, if any.
    public var provisioningID: Int64?
    /// The device's IMEI, if any.
    public var deviceIMEI: String?
    /// The SIM's ICCID, if any.
    public var iccid: String?
    /// The voucher it changed, if any.
    public var voucherID: Int64?
    /// Unix uid of the API caller; nil for the daemon's own decisions.
    public var actorUID: Int?
    /// Flat key/value detail (stored as canonical JSON).
    public var detail: [String: String]
    /// Hex of the previous event's hash (64 zeros for seq 1).
    public var prevHash: String
    /// Hex of this event's hash.
    public var hash: String

    /// `seq` is the identity of an event.
    public var id: Int64 { seq }

    /// Makes an event value (the ledger builds these from rows).
    public init(seq: Int64, at: Date, kind: String, provisioningID: Int64?, deviceIMEI: String?, iccid: String?,
                voucherID: Int64?, actorUID: Int?, detail: [String: String], prevHash: String, hash: String) {
        self.seq = seq
        self.at = at
        self.kind = kind
        self.provisioningID = provisioningID
        self.deviceIMEI = deviceIMEI
        self.iccid = iccid
        self.voucherID = voucherID
        self.actorUID = actorUID
        self.detail = detail
        self.prevHash = prevHash
        self.hash = hash
    }
}
