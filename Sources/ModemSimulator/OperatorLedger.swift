import Foundation

/// The network's truth: data balance per ICCID and every voucher redemption attempt.
///
/// Thread-safe (one lock) because every device thread of a simulator shares it. When a state file
/// is given, it is loaded at start and rewritten atomically after every change, so tests can read
/// the truth even after the simulator was killed.
public final class OperatorLedger: @unchecked Sendable {
    // @unchecked Sendable: `state` is only read or written while holding `lock`; `path` and
    // `profile` are immutable.
    private let lock = NSLock()
    private var state: OperatorState
    private let path: String?
    private let profile: OperatorProfile

    /// Opens the ledger for `profile`, loading `path` when that file exists.
    public init(profile: OperatorProfile, path: String?) throws(SimulatorError) {
        self.profile = profile
        self.path = path
        if let path, FileManager.default.fileExists(atPath: path) {
            state = try OperatorLedger.load(path)
        } else {
            state = OperatorState(operatorName: profile.name)
            if let path {
                try AtomicFileWriter.write(try OperatorLedger.encode(state), to: path)
            }
        }
    }

    /// Reads a state file written by a simulator (for tests and `hotspot-sim state`).
    public static func load(_ path: String) throws(SimulatorError) -> OperatorState {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimulatorError(.invalidState, errno: ENOENT, "cannot read \(path)")
        }
        do {
            return try JSONDecoder().decode(OperatorState.self, from: data)
        } catch {
            throw SimulatorError(.invalidState, "\(path): \(error)")
        }
    }

    /// Pretty, key-sorted JSON of a state.
    public static func encode(_ state: OperatorState) throws(SimulatorError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            return Array(try encoder.encode(state)) + [UInt8(ascii: "\n")]
        } catch {
            throw SimulatorError(.invalidState, "cannot encode state: \(error)")
        }
    }

    /// A copy of the current truth.
    public func snapshot() -> OperatorState {
        lock.withLock { state }
    }

    /// The outcome of one recharge request.
    public enum Redemption: Sendable, Equatable {
        /// The voucher was valid and unused: `megabytes` were added, the balance is now `balanceMB`.
        case accepted(megabytes: Int, balanceMB: Int)
        /// The code is not in the book.
        case unknownCode
        /// The code was already redeemed (by `by`).
        case alreadyRedeemed(by: String)
    }

    /// Applies a voucher to a SIM, records the attempt and persists; a second use is refused.
    public func redeem(code: String, iccid: String) throws(SimulatorError) -> Redemption {
        let now = Date().ISO8601Format()
        return try mutate { state in
            state.recharges += 1
            guard let megabytes = profile.vouchers[code] else {
                state.unknownCodeAttempts.append(.init(code: code, iccid: iccid, at: now))
                return .unknownCode
            }
            var record = state.vouchers[code] ?? OperatorState.VoucherRecord(megabytes: megabytes)
            defer { state.vouchers[code] = record }
            if let owner = record.redeemedBy {
                record.attempts.append(.init(iccid: iccid, at: now, accepted: false))
                return .alreadyRedeemed(by: owner)
            }
            let balance = currentBalance(&state, iccid: iccid) + megabytes
            state.balancesMB[iccid] = balance
            record.redeemedBy = iccid
            record.redeemedAt = now
            record.redemptions += 1
            record.attempts.append(.init(iccid: iccid, at: now, accepted: true))
            return .accepted(megabytes: megabytes, balanceMB: balance)
        }
    }

    /// The data balance of a SIM in MB, recording the query.
    public func queryBalance(iccid: String) throws(SimulatorError) -> Int {
        try mutate { state in
            state.balanceQueries[iccid, default: 0] += 1
            return currentBalance(&state, iccid: iccid)
        }
    }

    private func currentBalance(_ state: inout OperatorState, iccid: String) -> Int {
        if let known = state.balancesMB[iccid] { return known }
        let start = profile.startingBalances[iccid] ?? profile.startingBalanceMB
        state.balancesMB[iccid] = start
        return start
    }

    private func mutate<T>(_ body: (inout OperatorState) -> T) throws(SimulatorError) -> T {
        lock.lock()
        defer { lock.unlock() }
        let result = body(&state)
        state.updatedAt = Date().ISO8601Format()
        if let path {
            try AtomicFileWriter.write(try OperatorLedger.encode(state), to: path)
        }
        return result
    }
}

/// The persisted truth of the simulated network (the `--state` file).
public struct OperatorState: Sendable, Codable, Equatable {
    /// File format version, 1.
    public var version: Int
    /// Operator name the state belongs to.
    public var operatorName: String
    /// ICCID → data balance in MB (SIMs the network has seen).
    public var balancesMB: [String: Int]
    /// Voucher code → what happened to it (only codes that were tried).
    public var vouchers: [String: VoucherRecord]
    /// Recharge attempts with codes not in the book.
    public var unknownCodeAttempts: [UnknownCodeAttempt]
    /// ICCID → number of balance queries.
    public var balanceQueries: [String: Int]
    /// Number of recharge requests of any outcome.
    public var recharges: Int
    /// Last change, ISO 8601.
    public var updatedAt: String

    /// An empty truth for an operator.
    public init(operatorName: String) {
        version = 1
        self.operatorName = operatorName
        balancesMB = [:]
        vouchers = [:]
        unknownCodeAttempts = []
        balanceQueries = [:]
        recharges = 0
        updatedAt = Date().ISO8601Format()
    }

    /// What happened to one voucher code.
    public struct VoucherRecord: Sendable, Codable, Equatable {
        /// Megabytes the voucher adds.
        public var megabytes: Int
        /// Successful redemptions (0 or 1: a second one is refused).
        public var redemptions: Int
        /// The ICCID that redeemed it.
        public var redeemedBy: String?
        /// When, ISO 8601.
        public var redeemedAt: String?
        /// Every attempt, accepted or refused, in order.
        public var attempts: [Attempt]

        /// An untouched voucher.
        public init(megabytes: Int) {
            self.megabytes = megabytes
            redemptions = 0
            redeemedBy = nil
            redeemedAt = nil
            attempts = []
        }
    }

    /// One redemption attempt of a known voucher.
    public struct Attempt: Sendable, Codable, Equatable {
        /// The SIM that sent it.
        public var iccid: String
        /// When, ISO 8601.
        public var at: String
        /// Whether the voucher was applied.
        public var accepted: Bool
    }

    /// One recharge attempt with a code that is not in the book.
    public struct UnknownCodeAttempt: Sendable, Codable, Equatable {
        /// The code as sent.
        public var code: String
        /// The SIM that sent it.
        public var iccid: String
        /// When, ISO 8601.
        public var at: String
    }
}
