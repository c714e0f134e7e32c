#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A point of the ledger's hash chain: the seq and SHA-256 hash (hex) of one event, usually the head.
///
/// Print it and keep it elsewhere: `hotspotctl ledger verify --anchor SEQ:HASH` later proves no event up to it
/// was cut or rewritten, which the chain alone cannot show.
public struct LedgerAnchorInfo: Codable, Sendable, Hashable {
    /// The event's sequence number (0 for an empty ledger).
    public var seq: Int64
    /// Lower-case hex of its hash (64 zeros for an empty ledger).
    public var hash: String
    /// Creates an anchor.
    public init(seq: Int64, hash: String) {
        self.seq = seq
        self.hash = hash
    }

    /// `SEQ:HASH`, the form `--anchor` takes.
    public var text: String { "\(seq):\(hash)" }

    /// Parses `SEQ:HASH` (hash 64 hex digits); nil when malformed.
    public init?(text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let seq = Int64(parts[0]), seq >= 0, parts[1].utf8.count == 64,
              parts[1].allSatisfy({ $0.isHexDigit && $0.isASCII }) else { return nil }
        self.init(seq: seq, hash: parts[1].lowercased())
    }
}

/// `GET /v1/ledger/verify` reply: whether the hash chain (and the anchor, if given) verified, and where it broke.
public struct LedgerVerifyInfo: Codable, Sendable, Equatable {
    /// The first fault found walking from event 1.
    public struct Failure: Codable, Sendable, Equatable {
        /// The first event at fault.
        public var seq: Int64
        /// `hashMismatch` (content changed), `prevHashMismatch` (rows removed, swapped or inserted),
        /// `seqGap` (a row missing), `anchorMismatch` (tail cut or chain rewritten), `malformedRow`, `stateMismatch`
        /// (a voucher's row changed without its event).
        public var reason: String
        /// A sentence for the technician.
        public var message: String
        /// Creates a failure.
        public init(seq: Int64, reason: String, message: String) {
            self.seq = seq
            self.reason = reason
            self.message = message
        }
    }

    /// True when every event verified (and the anchor matched, when given).
    public var ok: Bool
    /// Events read before stopping.
    public var rowsChecked: Int
    /// The last event that verified: the head when `ok`.
    public var lastGood: LedgerAnchorInfo
    /// The anchor checked against, when one was given.
    public var anchor: LedgerAnchorInfo?
    /// The fault, when not `ok`.
    public var failure: Failure?
    /// Milliseconds the walk took.
    public var elapsedMS: Int
    /// Creates a reply.
    public init(ok: Bool, rowsChecked: Int, lastGood: LedgerAnchorInfo, anchor: LedgerAnchorInfo?, failure: Failure?,
                elapsedMS: Int) {
        self.ok = ok
        self.rowsChecked = rowsChecked
        self.lastGood = lastGood
        self.anchor = anchor
        self.failure = failure
        self.elapsedMS = elapsedMS
    }
}

/// `POST /v1/ledger/backup` body: where the daemon writes the copy (an absolute path the daemon may write).
public struct LedgerBackupRequest: Codable, Sendable, Equatable {
    /// Absolute path of the copy on the daemon's machine; an existing file there is replaced.
    public var path: String
    /// Creates the request.
    public init(path: String) { self.path = path }
}

/// `POST /v1/ledger/backup` reply: the copy was made with SQLite's online backup and verified.
public struct LedgerBackupInfo: Codable, Sendable, Equatable {
    /// Where the copy is.
    public var path: String
    /// Events in the copy, all verified.
    public var rowsChecked: Int
    /// The copy's head: the daemon's head just before the copy, checked as an anchor.
    public var head: LedgerAnchorInfo
    /// Whether the copy passed `PRAGMA integrity_check` (always true in a 2xx reply).
    public var integrityOK: Bool
    /// Creates a reply.
    public init(path: String, rowsChecked: Int, head: LedgerAnchorInfo, integrityOK: Bool) {
        self.path = path
        self.rowsChecked = rowsChecked
        self.head = head
        self.integrityOK = integrityOK
    }
}

/// One row of `GET /v1/vouchers/unknown`: a voucher whose outcome a person must decide.
public struct UnknownVoucherInfo: Codable, Sendable, Equatable {
    /// The voucher's id, for `hotspotctl vouchers settle ID`.
    public var id: Int64
    /// Its plan.
    public var plan: String
    /// Its code, redacted unless revealed.
    public var code: String
    /// `unknown` (or `sending` while a run is still waiting for the operator).
    public var state: String
    /// The SIM it was sent to, redacted unless revealed.
    public var iccid: String?
    /// The provisioning that sent it.
    public var provisioningID: Int64?
    /// When its outcome became unknown.
    public var since: Date
    /// Why (timeout, unplug, unclear reply, daemon restart).
    public var reason: String?
    /// The SIM's data balance in MB just before the recharge was sent, when recorded.
    public var balanceBeforeMB: Int?
    /// How many balance checks the daemon already made without settling it.
    public var checks: Int
    /// Creates a row.
    public init(id: Int64, plan: String, code: String, state: String, iccid: String?, provisioningID: Int64?, since: Date,
                reason: String?, balanceBeforeMB: Int?, checks: Int) {
        self.id = id
        self.plan = plan
        self.code = code
        self.state = state
        self.iccid = iccid
        self.provisioningID = provisioningID
        self.since = since
        self.reason = reason
        self.balanceBeforeMB = balanceBeforeMB
        self.checks = checks
    }
}

/// `POST /v1/vouchers/{id}/settle` body: how a person settles an unknown voucher, and why.
public struct VoucherSettleRequest: Codable, Sendable, Equatable {
    /// `applied` (the credit arrived), `rejected` (it did not; the code is spent or refused), or `manual`
    /// (settled outside the ledger: refund, operator ticket).
    public var outcome: String
    /// What the person checked (required, 1 to 1024 bytes): recorded in the ledger with their uid.
    public var note: String
    /// Settle even against what the station's balance checks say (`rejected` with no check or with a balance that
    /// rose, `applied` with a balance that did not); the ledger records that it was forced.
    public var force: Bool?
    /// Creates the request.
    public init(outcome: String, note: String, force: Bool? = nil) {
        self.outcome = outcome
        self.note = note
        self.force = force
    }
}
