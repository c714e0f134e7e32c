/// A point of the chain remembered outside the ledger (seq and hash of the head at some time).
///
/// Keep anchors elsewhere (printed, sent to a central server): verifying against one detects a
/// cut tail, and a rewrite of everything up to it, which the chain alone cannot.
public struct ChainAnchor: Sendable, Codable, Equatable, Hashable {
    /// Sequence number of the anchored event; 0 for an empty ledger.
    public var seq: Int64
    /// Lower-case hex of that event's hash (64 zeros for an empty ledger).
    public var hash: String

    /// Makes an anchor.
    public init(seq: Int64, hash: String) {
        self.seq = seq
        self.hash = hash
    }
}

/// The result of re-walking the event chain.
public struct ChainVerification: Sendable, Codable, Equatable {
    /// Why a chain does not verify.
    public enum Reason: String, Sendable, Codable, Equatable {
        /// The row's recomputed hash differs from its stored hash: its content was changed.
        case hashMismatch
        /// The row's prev_hash differs from the previous row's hash (or from zeros at seq 1).
        case prevHashMismatch
        /// The row with this seq is missing (deleted, or rows renumbered).
        case seqGap
        /// The anchor's seq is past the head (tail cut) or its hash differs from the row's.
        case anchorMismatch
        /// A column holds something the ledger never writes (hash not 32 bytes, bad type).
        case malformedRow
        /// The chain is intact but a voucher's row disagrees with its events: its state was changed, or the row
        /// was inserted, without the event that must go with it (the chain covers events; this covers the table).
        case stateMismatch
    }

    /// The first problem found, walking from seq 1.
    public struct Failure: Sendable, Codable, Equatable {
        /// The first seq at fault.
        public var seq: Int64
        /// What is wrong there.
        public var reason: Reason
        /// A sentence for the technician.
        public var message: String

        /// Makes a failure value.
        public init(seq: Int64, reason: Reason, message: String) {
            self.seq = seq
            self.reason = reason
            self.message = message
        }
    }

    /// Rows read before stopping.
    public var rowsChecked: Int
    /// The last row that verified (seq 0 and zeros when none).
    public var lastGood: ChainAnchor
    /// nil when the whole chain (and the anchor, if given) verified.
    public var failure: Failure?

    /// True when nothing is wrong.
    public var isValid: Bool { failure == nil }

    /// Makes a verification value.
    public init(rowsChecked: Int, lastGood: ChainAnchor, failure: Failure?) {
        self.rowsChecked = rowsChecked
        self.lastGood = lastGood
        self.failure = failure
    }
}
