#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

extension Ledger {
    /// The most keys a device event's detail may hold.
    public static let deviceEventDetailKeyLimit = 16
    /// The most bytes one key or value of a device event's detail may hold.
    public static let deviceEventDetailValueLimit = 512

    /// Appends one device event (unplugged, plugged back) to the hash chain in its own transaction; returns its seq.
    ///
    /// Nothing else changes: the event is the record. At least one of `imei` and `iccid` must be given (the event is
    /// found by them, `hotspotctl ledger --imei/--iccid`). `provisioningID`, when given, links the event to that
    /// provisioning (it must exist). `detail` is stored as canonical JSON like every event's and must hold no secret;
    /// at most `deviceEventDetailKeyLimit` keys, each key and value at most `deviceEventDetailValueLimit` bytes
    /// (`.invalidArgument` otherwise). `actor` is the uid of the person who asked, nil when the daemon observed it.
    @discardableResult
    public func recordDeviceEvent(imei: String?, iccid: String?, kind: DeviceEventKind, detail: [String: String] = [:],
                                  provisioningID: Int64? = nil, actor: Int?) throws(LedgerError) -> Int64 {
        guard imei != nil || iccid != nil else {
            throw LedgerError(.invalidArgument, "a device event needs the device's IMEI or its SIM's ICCID")
        }
        try LedgerInput.optionalText(imei, "IMEI", max: 32)
        try LedgerInput.optionalText(iccid, "ICCID", max: 32)
        guard detail.count <= Self.deviceEventDetailKeyLimit else {
            throw LedgerError(.invalidArgument, "a device event's detail holds at most \(Self.deviceEventDetailKeyLimit) keys")
        }
        for (key, value) in detail where key.isEmpty || key.utf8.count > Self.deviceEventDetailValueLimit
            || value.utf8.count > Self.deviceEventDetailValueLimit {
            throw LedgerError(.invalidArgument, "a device event's detail keys are 1 to \(Self.deviceEventDetailValueLimit) bytes "
                + "and its values at most \(Self.deviceEventDetailValueLimit) bytes (key \(key.prefix(32)))")
        }
        return try write("record \(kind.rawValue)") { db, now in
            if let provisioningID {
                _ = try Ledger.provisioningRow(db, id: provisioningID)
            }
            return try EventChain.append(EventDraft(kind: kind.rawValue, provisioningID: provisioningID, deviceIMEI: imei,
                                                    iccid: iccid, actorUID: actor, detail: detail), at: now, in: db)
        }
    }

    /// Records that the API refused a caller (event `access.refused`, with their uid, the request and the role needed).
    ///
    /// `suppressed` counts refusals of the same caller not recorded since the last one (the API records at most one a
    /// second per uid, so a flood of refused requests cannot fill the disk).
    public func recordAccessRefusal(uid: Int?, method: String, path: String, needed: String, suppressed: Int) throws(LedgerError) {
        try LedgerInput.text(method, "method", max: 16)
        try write("record access refusal") { db, now in
            var detail = ["method": method, "path": String(path.prefix(256)), "needed": needed]
            if suppressed > 0 { detail["suppressed"] = String(suppressed) }
            _ = try EventChain.append(EventDraft(kind: "access.refused", actorUID: uid, detail: detail), at: now, in: db)
        }
    }
}
