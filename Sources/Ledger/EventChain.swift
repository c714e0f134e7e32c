import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// The hash chain of the `events` table: how an event's hash is computed, appended and re-walked.
///
/// Canonical form (version 1, fixed by migration `v1-initial`; never change it in place):
///
///     hash(n) = SHA-256( prev_hash(n) || F(seq) || F(at) || F(kind) || F(provisioning_id)
///                        || F(device_imei) || F(iccid) || F(voucher_id) || F(actor_uid) || F(detail) )
///
///     prev_hash(1) = 32 zero bytes; prev_hash(n) = hash(n-1)   (raw 32 bytes, not hex)
///     F(NULL)    = 0x00
///     F(integer) = 0x01 || 8-byte big-endian two's complement
///     F(real)    = 0x03 || 8-byte big-endian IEEE-754 bits          (never written by the ledger)
///     F(text)    = 0x02 || 4-byte big-endian byte length || UTF-8 bytes
///     F(blob)    = 0x04 || 4-byte big-endian byte length || bytes    (never written by the ledger)
///
/// Each field is encoded by the storage class SQLite actually holds, so changing a value's type
/// (5 → '5') breaks the hash too. `at` is the stored text `YYYY-MM-DDTHH:MM:SS.mmmZ`; `detail` is
/// the stored canonical JSON text (see `CanonicalJSON`), hashed as stored, never re-serialized.
enum EventChain {
    /// The prev_hash of seq 1.
    static let genesis = [UInt8](repeating: 0, count: 32)

    /// Columns in hash order followed by prev_hash and hash; the one SELECT list for events.
    static let selectColumns = "seq, at, kind, provisioning_id, device_imei, iccid, voucher_id, actor_uid, detail, prev_hash, hash"

    /// Number of hashed fields (everything but prev_hash and hash).
    static let hashedFieldCount = 9

    /// Appends the canonical encoding of one value to `buffer`.
    static func encode(_ value: DatabaseValue, into buffer: inout [UInt8]) {
        switch value.storage {
        case .null:
            buffer.append(0x00)
        case .int64(let integer):
            buffer.append(0x01)
            appendBigEndian(UInt64(bitPattern: integer), into: &buffer)
        case .double(let real):
            buffer.append(0x03)
            appendBigEndian(real.bitPattern, into: &buffer)
        case .string(let text):
            buffer.append(0x02)
            var text = text
            text.withUTF8 { bytes in
                appendLength(bytes.count, into: &buffer)
                buffer.append(contentsOf: bytes)
            }
        case .blob(let data):
            buffer.append(0x04)
            appendLength(data.count, into: &buffer)
            buffer.append(contentsOf: data)
        }
    }

    /// SHA-256 over `prev` and the canonical encoding of `fields` (in hash order).
    static func hash(prev: some Sequence<UInt8>, fields: [DatabaseValue], buffer: inout [UInt8]) -> [UInt8] {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: prev)
        for field in fields {
            encode(field, into: &buffer)
        }
        return Array(SHA256.hash(data: buffer))
    }

    /// Lower-case hex of `bytes`.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes of a lower-case or upper-case hex string; nil if it is not hex of even length.
    static func bytes(fromHex hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ char: UInt8) -> UInt8? {
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func appendBigEndian(_ value: UInt64, into buffer: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) {
            buffer.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    private static func appendLength(_ length: Int, into buffer: inout [UInt8]) {
        // The ledger caps every text far below 4 GiB; a longer value would be a broken invariant.
        let value = UInt32(clamping: length)
        for shift in stride(from: 24, through: 0, by: -8) {
            buffer.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }
}

/// An event about to be appended: everything but seq, time and hashes.
struct EventDraft {
    var kind: String
    var provisioningID: Int64? = nil
    var deviceIMEI: String? = nil
    var iccid: String? = nil
    var voucherID: Int64? = nil
    var actorUID: Int? = nil
    var detail: [String: String] = [:]
}

/// Appends events after the head within one write transaction, reading the head once.
///
/// Valid only inside the transaction it was made in: SQLite serializes write transactions, so no
/// other writer (other processes included) can move the head meanwhile.
struct EventAppender {
    private var seq: Int64
    private var prev: [UInt8]
    private var buffer = [UInt8]()
    private let db: Database

    init(_ db: Database) throws {
        self.db = db
        let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        seq = head?[0] as Int64? ?? 0
        prev = (head?[1] as Data?).map { Array($0) } ?? EventChain.genesis
    }

    /// Appends `draft` stamped `at`; returns its seq.
    @discardableResult
    mutating func append(_ draft: EventDraft, at: String) throws -> Int64 {
        let next = seq + 1
        let fields: [DatabaseValue] = [
            next.databaseValue,
            at.databaseValue,
            draft.kind.databaseValue,
            draft.provisioningID.databaseValue,
            draft.deviceIMEI.databaseValue,
            draft.iccid.databaseValue,
            draft.voucherID.databaseValue,
            draft.actorUID.map { Int64($0) }.databaseValue,
            CanonicalJSON.encode(draft.detail).databaseValue,
        ]
        let hash = EventChain.hash(prev: prev, fields: fields, buffer: &buffer)
        let statement = try db.cachedStatement(sql: """
            INSERT INTO events (\(EventChain.selectColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: StatementArguments(fields + [Data(prev).databaseValue, Data(hash).databaseValue]))
        seq = next
        prev = hash
        return next
    }
}

extension EventChain {
    /// Appends one event after the current head inside the caller's write transaction; returns its seq.
    @discardableResult
    static func append(_ draft: EventDraft, at: String, in db: Database) throws -> Int64 {
        var appender = try EventAppender(db)
        return try appender.append(draft, at: at)
    }

    /// Re-walks the whole chain from seq 1 with a cursor (constant memory), stopping at the first fault.
    static func verify(_ db: Database, anchor: ChainAnchor?) throws -> ChainVerification {
        let anchorBytes: [UInt8]?
        if let anchor {
            guard let bytes = bytes(fromHex: anchor.hash), bytes.count == 32, anchor.seq >= 0 else {
                return ChainVerification(
                    rowsChecked: 0, lastGood: ChainAnchor(seq: 0, hash: hex(genesis)),
                    failure: .init(seq: anchor.seq, reason: .anchorMismatch, message: "the anchor is not a seq and a 64-digit hex hash"))
            }
            anchorBytes = bytes
        } else {
            anchorBytes = nil
        }
        let cursor = try Row.fetchCursor(db, sql: "SELECT \(selectColumns) FROM events ORDER BY seq")
        var expected: Int64 = 1
        var prev: [UInt8] = genesis
        var rows = 0
        var buffer = [UInt8]()
        var fields = [DatabaseValue](repeating: .null, count: hashedFieldCount)
        func result(_ failure: ChainVerification.Failure?) -> ChainVerification {
            ChainVerification(rowsChecked: rows, lastGood: ChainAnchor(seq: expected - 1, hash: hex(prev)), failure: failure)
        }
        if let anchor, let anchorBytes, anchor.seq == 0, anchorBytes != genesis {
            return result(.init(seq: 0, reason: .anchorMismatch, message: "an anchor at seq 0 must hold 32 zero bytes"))
        }
        while let row = try cursor.next() {
            guard case .int64(let seq) = (row[0] as DatabaseValue).storage else {
                return result(.init(seq: expected, reason: .malformedRow, message: "a row after seq \(expected - 1) has no integer seq"))
            }
            if seq != expected {
                return result(.init(seq: expected, reason: .seqGap,
                                    message: "event \(expected) is missing: the next row is \(seq)"))
            }
            guard case .blob(let storedPrev) = (row[9] as DatabaseValue).storage, storedPrev.count == 32,
                  case .blob(let storedHash) = (row[10] as DatabaseValue).storage, storedHash.count == 32
            else {
                return result(.init(seq: seq, reason: .malformedRow, message: "event \(seq) does not hold two 32-byte hashes"))
            }
            if !storedPrev.elementsEqual(prev) {
                return result(.init(seq: seq, reason: .prevHashMismatch,
                                    message: "event \(seq) does not link to event \(seq - 1): rows were removed, reordered or inserted"))
            }
            for index in 0..<hashedFieldCount {
                fields[index] = row[index]
            }
            let computed = hash(prev: prev, fields: fields, buffer: &buffer)
            if !storedHash.elementsEqual(computed) {
                return result(.init(seq: seq, reason: .hashMismatch,
                                    message: "event \(seq) was altered: its content does not match its hash"))
            }
            if let anchor, let anchorBytes, anchor.seq == seq, !storedHash.elementsEqual(anchorBytes) {
                return result(.init(seq: seq, reason: .anchorMismatch,
                                    message: "event \(seq) differs from the anchor: the chain was rewritten up to it"))
            }
            prev = computed
            expected += 1
            rows += 1
        }
        if let anchor, anchor.seq > expected - 1 {
            return result(.init(seq: expected, reason: .anchorMismatch,
                                message: "the chain ends at event \(expected - 1) but the anchor is at \(anchor.seq): the tail was cut"))
        }
        return result(try voucherStateFailure(db))
    }

    /// Checks the vouchers table against the chain: every voucher was imported by an event, and its state is the
    /// `to` of its last state-changing event (`available` after the import alone).
    ///
    /// Every state change writes its event in the same transaction (`moveVoucher`, `markSending`, `reserve`), so a
    /// disagreement means the table was edited behind the ledger's back, which the hash chain alone cannot see.
    static func voucherStateFailure(_ db: Database) throws -> ChainVerification.Failure? {
        if let row = try Row.fetchOne(db, sql: """
            SELECT v.id FROM vouchers v
            WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.voucher_id = v.id AND e.kind = 'voucher.imported')
            ORDER BY v.id LIMIT 1
            """) {
            let id: Int64 = row[0]
            return .init(seq: 0, reason: .stateMismatch,
                         message: "voucher \(id) has no voucher.imported event: the row was added without the ledger")
        }
        // SQLite returns the other columns of the row holding MAX(seq) in an aggregate (documented behaviour).
        guard let row = try Row.fetchOne(db, sql: """
            WITH last AS (
                SELECT voucher_id, json_extract(detail, '$.to') AS state, MAX(seq) AS seq FROM events
                WHERE voucher_id IS NOT NULL AND json_valid(detail) AND json_extract(detail, '$.to') IS NOT NULL
                GROUP BY voucher_id
            )
            SELECT v.id, v.state, COALESCE(l.state, 'available'), COALESCE(l.seq, 0) FROM vouchers v
            LEFT JOIN last l ON l.voucher_id = v.id
            WHERE v.state IS NOT COALESCE(l.state, 'available')
            ORDER BY v.id LIMIT 1
            """) else { return nil }
        let id: Int64 = row[0]
        let actual: String? = row[1]
        let expected: String = row[2]
        let seq: Int64 = row[3]
        let origin = seq == 0 ? "its import" : "event \(seq)"
        return .init(seq: seq, reason: .stateMismatch,
                     message: "voucher \(id) is '\(actual ?? "null")' but \(origin) left it '\(expected)': its state was changed without an event")
    }
}
