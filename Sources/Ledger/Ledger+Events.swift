import Foundation
import GRDB
import OwnThread

/// The file formats of `exportEvents`.
public enum LedgerExportFormat: String, Sendable, Codable, CaseIterable {
    /// RFC 4180 CSV with a header row; fields quoted when they hold `,` `"` CR or LF.
    case csv
    /// JSON Lines: one JSON object per event, `\n`-terminated.
    case jsonl
}

extension Ledger {
    /// Copies the ledger to `path` with SQLite's online backup, then opens the copy and verifies it.
    ///
    /// Writers may continue during the copy (it is taken from one read snapshot). The copy must
    /// pass `integrity_check` and verify its chain against this ledger's head taken just before
    /// the copy, or the call throws `.backupFailed`. Returns the copy's verification. The copy is created
    /// mode 0600; an existing file at `path` (the live ledger included) is never replaced (`.invalidArgument`).
    @discardableResult
    public func backup(to path: String) throws(LedgerError) -> ChainVerification {
        // Created here, owner-only whatever the umask, and never over an existing file (the live ledger included):
        // O_EXCL refuses any file already there, O_NOFOLLOW a link planted in its place.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST || code == ELOOP {
                throw LedgerError(.invalidArgument, "\(path) already exists: a backup never replaces a file")
            }
            throw LedgerError(code == ENOSPC ? .diskFull : .readOnly, "cannot create the backup \(path): \(String(cString: strerror(code)))")
        }
        _ = fchmod(fd, 0o600)
        close(fd)
        let anchor: ChainAnchor
        do {
            anchor = try headHash()
        } catch {
            unlink(path)
            throw error
        }
        do {
            let destination = try DatabaseQueue(path: path)
            try pool.backup(to: destination)
            let (integrity, verification) = try destination.read { db in
                (try String.fetchAll(db, sql: "PRAGMA integrity_check"), try EventChain.verify(db, anchor: anchor))
            }
            try destination.close()
            guard integrity == ["ok"] else {
                throw LedgerError(.backupFailed, "the backup at \(path) fails integrity_check: \(integrity.prefix(3).joined(separator: "; "))")
            }
            if let failure = verification.failure {
                throw LedgerError(.backupFailed, "the backup at \(path) does not verify at event \(failure.seq): \(failure.message)")
            }
            return verification
        } catch {
            // A copy that did not complete or verify is not left behind to be mistaken for a good one.
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
            throw LedgerError.wrap(error, "back up ledger to \(path)")
        }
    }

    /// `backup(to:)` for async callers: the copy and its verification (seconds on a large ledger) run on a thread for
    /// blocking work (`OwnThread`), while the caller is suspended; writers go on meanwhile.
    public func backingUp(to path: String) async throws(LedgerError) -> ChainVerification {
        let outcome = await OwnThread.run { [self] in Result { () throws(LedgerError) -> ChainVerification in try backup(to: path) } }
        switch outcome {
        case .success(let result): return try result.get()
        case .failure(let failure): throw LedgerError(.io, "cannot start a thread for the ledger backup (errno \(failure.code))")
        }
    }

    /// The export over one read transaction (shared by `Ledger` and `LedgerSnapshot`).
    static func export(_ db: Database, format: LedgerExportFormat, afterSeq: Int64, write: (Data) throws -> Void) throws -> Int {
        do {
            var chunk = Data()
            if format == .csv {
                chunk.append(contentsOf: Array("seq,at,kind,provisioning_id,device_imei,iccid,voucher_id,actor_uid,detail,prev_hash,hash\r\n".utf8))
            }
            var count = 0
            let cursor = try Row.fetchCursor(db, sql: "SELECT \(EventChain.selectColumns) FROM events WHERE seq > ? ORDER BY seq",
                                             arguments: [afterSeq])
            while let row = try cursor.next() {
                let line = format == .csv ? Ledger.csvLine(row) : Ledger.jsonLine(row)
                chunk.append(contentsOf: Array(line.utf8))
                count += 1
                if chunk.count >= 64 * 1024 {
                    try write(chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty {
                try write(chunk)
            }
            return count
        }
    }

    static func head(_ db: Database) throws -> ChainAnchor {
        guard let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1") else {
            return ChainAnchor(seq: 0, hash: EventChain.hex(EventChain.genesis))
        }
        let hash: Data = row[1]
        return ChainAnchor(seq: row[0], hash: EventChain.hex(hash))
    }

    static func eventRecord(_ row: Row) -> LedgerEvent {
        let actor: Int64? = row["actor_uid"]
        let detailText: String = row["detail"]
        let prev: Data = row["prev_hash"]
        let hash: Data = row["hash"]
        return LedgerEvent(seq: row["seq"], at: date(row["at"]), kind: row["kind"], provisioningID: row["provisioning_id"],
                           deviceIMEI: row["device_imei"], iccid: row["iccid"], voucherID: row["voucher_id"],
                           actorUID: actor.map { Int($0) }, detail: CanonicalJSON.decode(detailText) ?? [:],
                           prevHash: EventChain.hex(prev), hash: EventChain.hex(hash))
    }

    /// The text of one exported field: integers in decimal, texts as stored, blobs as hex, NULL empty.
    private static func exportText(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .null: nil
        case .int64(let integer): String(integer)
        case .double(let real): String(real)
        case .string(let text): text
        case .blob(let data): EventChain.hex(data)
        }
    }

    private static let exportNames = ["seq", "at", "kind", "provisioning_id", "device_imei", "iccid", "voucher_id",
                                      "actor_uid", "detail", "prev_hash", "hash"]

    static func csvLine(_ row: Row) -> String {
        var fields: [String] = []
        for index in 0..<exportNames.count {
            let text = exportText(row[index]) ?? ""
            if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
                fields.append("\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
            } else {
                fields.append(text)
            }
        }
        return fields.joined(separator: ",") + "\r\n"
    }

    static func jsonLine(_ row: Row) -> String {
        var out = "{"
        for (index, name) in exportNames.enumerated() {
            if index > 0 { out += "," }
            out += "\"" + name + "\":"
            let value: DatabaseValue = row[index]
            switch value.storage {
            case .null: out += "null"
            case .int64(let integer): out += String(integer)
            default:
                // Reuse the canonical string escaping: a one-key object minus its braces and key.
                let encoded = CanonicalJSON.encode(["": exportText(value) ?? ""])
                out += encoded.dropFirst(4).dropLast()
            }
        }
        return out + "}\n"
    }
}

extension LedgerReading {
    /// Events matching every given filter, in seq order, after `afterSeq` (for paging and tailing).
    ///
    /// `since` keeps events at or after that instant (millisecond precision).
    public func events(iccid: String? = nil, imei: String? = nil, provisioningID: Int64? = nil, voucherID: Int64? = nil,
                       since: Date? = nil, afterSeq: Int64? = nil, limit: Int = 1000) throws(LedgerError) -> [LedgerEvent] {
        try read("read events") { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let iccid {
                clauses.append("iccid = ?")
                arguments += [iccid]
            }
            if let imei {
                clauses.append("device_imei = ?")
                arguments += [imei]
            }
            if let provisioningID {
                clauses.append("provisioning_id = ?")
                arguments += [provisioningID]
            }
            if let voucherID {
                clauses.append("voucher_id = ?")
                arguments += [voucherID]
            }
            if let since {
                clauses.append("at >= ?")
                arguments += [LedgerTimestamp.format(since)]
            }
            if let afterSeq {
                clauses.append("seq > ?")
                arguments += [afterSeq]
            }
            let whereClause = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: "SELECT \(EventChain.selectColumns) FROM events\(whereClause) ORDER BY seq LIMIT ?",
                                    arguments: arguments).map(Ledger.eventRecord)
        }
    }

    /// Number of events in the ledger.
    public func eventCount() throws(LedgerError) -> Int {
        try read("count events") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0 }
    }

    /// The head of the chain (seq 0 and 64 zeros when empty): keep it outside as an anchor.
    public func headHash() throws(LedgerError) -> ChainAnchor {
        try read("read head hash") { db in try Ledger.head(db) }
    }

    /// Re-walks the whole chain (streamed, constant memory) and, if given, checks it against an anchor.
    ///
    /// Names the first bad seq and why: a row's content changed (`hashMismatch`), rows removed,
    /// swapped or inserted (`prevHashMismatch`, `seqGap`), or the tail cut / chain rewritten
    /// (`anchorMismatch`). Without an anchor, a cut tail or a full rewrite cannot be detected.
    public func verifyChain(anchor: ChainAnchor? = nil) throws(LedgerError) -> ChainVerification {
        try read("verify chain") { db in try EventChain.verify(db, anchor: anchor) }
    }

    /// Streams every event (or those after `afterSeq`) in seq order to `write`, in chunks; returns the count.
    ///
    /// The export holds full IMEIs and ICCIDs as stored (never voucher codes or Wi-Fi keys): keep
    /// it as private as the ledger. `detail` is exported as the stored canonical JSON text, so an
    /// external tool can recompute each hash from the exported fields (see `EventChain`).
    @discardableResult
    public func exportEvents(format: LedgerExportFormat, afterSeq: Int64 = 0,
                             write: (Data) throws -> Void) throws(LedgerError) -> Int {
        try read("export events") { db in try Ledger.export(db, format: format, afterSeq: afterSeq, write: write) }
    }

    /// Writes the export to an open file handle; returns the count.
    @discardableResult
    public func exportEvents(format: LedgerExportFormat, afterSeq: Int64 = 0, to handle: FileHandle) throws(LedgerError) -> Int {
        try exportEvents(format: format, afterSeq: afterSeq) { data in try handle.write(contentsOf: data) }
    }
}
