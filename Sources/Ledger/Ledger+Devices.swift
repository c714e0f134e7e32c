#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

extension Ledger {
    /// Records a sighting of a device; returns its row id.
    ///
    /// First sighting inserts the row with event `device.seen` (`detail.first = "true"`). Later
    /// sightings write `device.seen` only when manufacturer, model, firmware or port changed (its
    /// detail lists the new and `previous.` values). A nil argument means "not read this time" and
    /// keeps the stored value. `last_seen` is refreshed on every call: it is an observation time,
    /// not state, and the only column the ledger writes without an event.
    @discardableResult
    public func recordDevice(imei: String, manufacturer: String?, model: String?, firmware: String?,
                             port: String?, actor: Int?) throws(LedgerError) -> Int64 {
        try LedgerInput.text(imei, "IMEI", max: 32)
        try LedgerInput.optionalText(manufacturer, "manufacturer", max: 128)
        try LedgerInput.optionalText(model, "model", max: 128)
        try LedgerInput.optionalText(firmware, "firmware", max: 128)
        try LedgerInput.optionalText(port, "port", max: 256)
        return try write("record device") { db, now in
            let existing = try Row.fetchOne(db, sql: """
                SELECT id, manufacturer, model, firmware, last_port FROM devices WHERE imei = ?
                """, arguments: [imei])
            guard let existing else {
                try db.execute(sql: """
                    INSERT INTO devices (imei, manufacturer, model, firmware, last_port, first_seen, last_seen)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [imei, manufacturer, model, firmware, port, now, now])
                let id = db.lastInsertedRowID
                var detail = ["first": "true"]
                detail["manufacturer"] = manufacturer
                detail["model"] = model
                detail["firmware"] = firmware
                detail["port"] = port
                try EventChain.append(EventDraft(kind: "device.seen", deviceIMEI: imei, actorUID: actor, detail: detail),
                                      at: now, in: db)
                return id
            }
            let id: Int64 = existing["id"]
            var detail: [String: String] = [:]
            let candidates: [(String, String, String?)] = [
                ("manufacturer", "manufacturer", manufacturer), ("model", "model", model),
                ("firmware", "firmware", firmware), ("port", "last_port", port),
            ]
            for (name, column, newValue) in candidates {
                let old: String? = existing[column]
                if let newValue, newValue != old {
                    detail[name] = newValue
                    detail["previous.\(name)"] = old ?? ""
                }
            }
            try db.execute(sql: """
                UPDATE devices SET manufacturer = COALESCE(?, manufacturer), model = COALESCE(?, model),
                    firmware = COALESCE(?, firmware), last_port = COALESCE(?, last_port), last_seen = ?
                WHERE id = ?
                """, arguments: [manufacturer, model, firmware, port, now, id])
            if !detail.isEmpty {
                try EventChain.append(EventDraft(kind: "device.seen", deviceIMEI: imei, actorUID: actor, detail: detail),
                                      at: now, in: db)
            }
            return id
        }
    }

    /// Records a SIM seen in a device.
    ///
    /// First sighting inserts the row with event `sim.seen`; later, an IMSI or Luhn verdict that
    /// differs from the stored one updates the row with a `sim.seen` event. A nil IMSI keeps the
    /// stored one. Nothing is written when nothing changed.
    public func recordSIM(iccid: String, imsi: String?, luhnValid: Bool, actor: Int?) throws(LedgerError) {
        try LedgerInput.text(iccid, "ICCID", max: 32)
        try LedgerInput.optionalText(imsi, "IMSI", max: 32)
        try write("record SIM") { db, now in
            let existing = try Row.fetchOne(db, sql: "SELECT imsi, luhn_valid FROM sims WHERE iccid = ?", arguments: [iccid])
            guard let existing else {
                try db.execute(sql: "INSERT INTO sims (iccid, imsi, luhn_valid, first_seen) VALUES (?, ?, ?, ?)",
                               arguments: [iccid, imsi, luhnValid, now])
                var detail = ["first": "true", "luhn_valid": luhnValid ? "true" : "false"]
                detail["imsi"] = imsi
                try EventChain.append(EventDraft(kind: "sim.seen", iccid: iccid, actorUID: actor, detail: detail), at: now, in: db)
                return
            }
            let oldIMSI: String? = existing["imsi"]
            let oldLuhn: Bool = existing["luhn_valid"]
            var detail: [String: String] = [:]
            if let imsi, imsi != oldIMSI {
                detail["imsi"] = imsi
                detail["previous.imsi"] = oldIMSI ?? ""
            }
            if luhnValid != oldLuhn {
                detail["luhn_valid"] = luhnValid ? "true" : "false"
            }
            guard !detail.isEmpty else { return }
            try db.execute(sql: "UPDATE sims SET imsi = COALESCE(?, imsi), luhn_valid = ? WHERE iccid = ?",
                           arguments: [imsi, luhnValid, iccid])
            try EventChain.append(EventDraft(kind: "sim.seen", iccid: iccid, actorUID: actor, detail: detail), at: now, in: db)
        }
    }

    static func deviceRecord(_ row: Row) -> DeviceRecord {
        DeviceRecord(id: row["id"], imei: row["imei"], manufacturer: row["manufacturer"], model: row["model"],
                     firmware: row["firmware"], lastPort: row["last_port"],
                     firstSeen: date(row["first_seen"]), lastSeen: date(row["last_seen"]))
    }

    /// Parses a stored timestamp; a malformed one (only possible by editing the file) reads as 1970.
    static func date(_ text: String?) -> Date {
        text.flatMap(LedgerTimestamp.parse) ?? Date(timeIntervalSince1970: 0)
    }
}

extension LedgerReading {
    /// The device with this IMEI, or nil.
    public func device(imei: String) throws(LedgerError) -> DeviceRecord? {
        try read("read device") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM devices WHERE imei = ?", arguments: [imei]).map(Ledger.deviceRecord)
        }
    }

    /// Devices, most recently seen first.
    public func devices(limit: Int = 100) throws(LedgerError) -> [DeviceRecord] {
        try read("read devices") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM devices ORDER BY last_seen DESC, id DESC LIMIT ?",
                             arguments: [max(0, limit)]).map(Ledger.deviceRecord)
        }
    }

    /// The SIM with this ICCID, or nil.
    public func sim(iccid: String) throws(LedgerError) -> SIMRecord? {
        try read("read SIM") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sims WHERE iccid = ?", arguments: [iccid]).map { row in
                SIMRecord(iccid: row["iccid"], imsi: row["imsi"], luhnValid: row["luhn_valid"],
                          firstSeen: Ledger.date(row["first_seen"]))
            }
        }
    }
}
