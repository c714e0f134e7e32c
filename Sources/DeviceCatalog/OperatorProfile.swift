import Foundation

/// How one mobile operator sells prepaid data: the USSD codes to recharge and to ask the balance, and how to read its replies.
///
/// Operators word their replies freely and change them; the patterns are configuration, and the raw reply is
/// always kept in the ledger so a person can judge what a pattern missed.
public struct OperatorProfile: Codable, Sendable, Equatable {
    /// The operator's display name.
    public var name: String
    /// MCC+MNC prefixes of IMSIs served by this profile (`20801`, `00101`).
    public var mccmnc: [String]
    /// The recharge request with `{code}` where the voucher goes (`*123*{code}#`).
    public var rechargeTemplate: String
    /// The balance request (`*100#`).
    public var balanceCode: String
    /// Case-insensitive regular expression a successful recharge reply matches.
    public var successPattern: String
    /// Case-insensitive regular expression a refused recharge reply matches (invalid or used voucher).
    public var refusalPattern: String
    /// Case-insensitive regular expression whose first capture group is the data balance.
    public var balancePattern: String
    /// Unit of the balance figure: `MB` or `GB`.
    public var balanceUnit: String
    /// How long to wait for the network's `+CUSD` answer, in seconds (the field sees 5 s to 2 min).
    public var replyTimeoutSeconds: Int
    /// Replies this operator really sends, one of each kind, which the patterns must read as what they are.
    public var examples: ReplyExamples?

    /// The largest balance the station accepts as a figure, in MB (a petabyte): anything larger is a misread.
    public static let maxBalanceMB = 1_073_741_824

    /// Creates a profile.
    public init(name: String, mccmnc: [String], rechargeTemplate: String, balanceCode: String,
                successPattern: String, refusalPattern: String, balancePattern: String,
                balanceUnit: String = "MB", replyTimeoutSeconds: Int = 60, examples: ReplyExamples? = nil) {
        self.name = name
        self.mccmnc = mccmnc
        self.rechargeTemplate = rechargeTemplate
        self.balanceCode = balanceCode
        self.successPattern = successPattern
        self.refusalPattern = refusalPattern
        self.balancePattern = balancePattern
        self.balanceUnit = balanceUnit
        self.replyTimeoutSeconds = replyTimeoutSeconds
        self.examples = examples
    }

    private enum CodingKeys: String, CodingKey {
        case name, mccmnc, rechargeTemplate, balanceCode, successPattern, refusalPattern, balancePattern
        case balanceUnit, replyTimeoutSeconds, examples
    }

    /// Decodes a profile; `balanceUnit` defaults to MB and `replyTimeoutSeconds` to 60.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decode(String.self, forKey: .name)
        self.mccmnc = try container.decode([String].self, forKey: .mccmnc)
        self.rechargeTemplate = try container.decode(String.self, forKey: .rechargeTemplate)
        self.balanceCode = try container.decode(String.self, forKey: .balanceCode)
        self.successPattern = try container.decode(String.self, forKey: .successPattern)
        self.refusalPattern = try container.decode(String.self, forKey: .refusalPattern)
        self.balancePattern = try container.decode(String.self, forKey: .balancePattern)
        self.balanceUnit = try container.decodeIfPresent(String.self, forKey: .balanceUnit) ?? "MB"
        self.replyTimeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .replyTimeoutSeconds) ?? 60
        self.examples = try container.decodeIfPresent(ReplyExamples.self, forKey: .examples)
    }

    /// Whether this profile serves the IMSI.
    public func serves(imsi: String) -> Bool {
        mccmnc.contains { imsi.hasPrefix($0) }
    }

    /// The recharge USSD string for a voucher code.
    public func rechargeRequest(code: String) -> String {
        rechargeTemplate.replacingOccurrences(of: "{code}", with: code)
    }

    /// What a recharge reply says.
    ///
    /// A reply both patterns match is `unclear`: a pattern too wide (a refusal pattern that also matches words of the
    /// success reply) must not turn a spent voucher into a refused one.
    public func classifyRecharge(_ text: String) -> RechargeVerdict {
        let refused = Self.find(refusalPattern, in: text)
        let succeeded = Self.find(successPattern, in: text)
        switch (refused, succeeded) {
        case (true, false): return .refused
        case (false, true): return .succeeded
        default: return .unclear
        }
    }

    /// Whether a reply reads as an answer to a balance request: the balance pattern finds a figure in it (even one out
    /// of range) and it is no recharge verdict. Used to tell a late balance reply from the recharge's own.
    public func looksLikeBalanceReply(_ text: String) -> Bool {
        guard classifyRecharge(text) == .unclear else { return false }
        switch Result(catching: { () throws(BalanceReadError) -> Int in try readBalance(in: text) }) {
        case .success: return true
        case .failure(let error): return error != .noMatch
        }
    }

    /// Whether a reply can answer a balance request: it holds a balance figure, or at least is no recharge verdict
    /// (a verdict owed to an earlier recharge is not this balance).
    public func couldAnswerBalance(_ text: String) -> Bool {
        balanceMB(in: text) != nil || classifyRecharge(text) == .unclear
    }

    /// The data balance in megabytes read from a balance reply, or `nil` when it cannot be read (see `readBalance`).
    public func balanceMB(in text: String) -> Int? {
        try? readBalance(in: text)
    }

    /// The data balance in megabytes read from a balance reply.
    ///
    /// The captured figure must be ASCII digits with at most one `.` or `,` decimal part (no sign, exponent, `inf`,
    /// hexadecimal or other scripts' digits) and at most `maxBalanceMB` once converted: a device or network that
    /// sends anything else gets a typed failure, never a trap.
    public func readBalance(in text: String) throws(BalanceReadError) -> Int {
        guard let regex = try? NSRegularExpression(pattern: balancePattern, options: [.caseInsensitive]) else {
            throw .noMatch
        }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        guard let match = regex.firstMatch(in: text, range: range), match.numberOfRanges > 1,
              let captured = Range(match.range(at: 1), in: text) else { throw .noMatch }
        let figure = String(text[captured])
        return try Self.megabytes(figure, unit: balanceUnit)
    }

    /// A balance figure (`1234`, `1,5`, `0.25`) in `unit` (`MB` or `GB`) as whole megabytes, bounded.
    static func megabytes(_ figure: String, unit: String) throws(BalanceReadError) -> Int {
        let parts = figure.split(separator: ",", omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: ".", omittingEmptySubsequences: false) }
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty,
              parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }) else {
            throw .notANumber(String(figure.prefix(40)))
        }
        // Leading zeros cannot overflow anything; digits past twelve are beyond any real balance.
        let significant = whole.drop(while: { $0 == "0" })
        guard significant.count <= 12, let integer = Int(significant.isEmpty ? "0" : String(significant)) else {
            throw .outOfRange(String(figure.prefix(40)))
        }
        let fraction = parts.count == 2 ? parts[1].prefix(6) : ""
        let fractional = fraction.isEmpty ? 0.0 : (Double("0." + fraction) ?? 0)
        let value = (Double(integer) + fractional) * (unit.uppercased() == "GB" ? 1024 : 1)
        guard value <= Double(maxBalanceMB) else { throw .outOfRange(String(figure.prefix(40))) }
        return Int(value.rounded())
    }

    /// Checks the patterns compile and the template has one `{code}`; returns the problems by field name.
    public func problems() -> [(field: String, reason: String)] {
        var found: [(String, String)] = []
        for (field, pattern) in [("successPattern", successPattern), ("refusalPattern", refusalPattern),
                                 ("balancePattern", balancePattern)] {
            do {
                let regex = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
                if field == "balancePattern" && regex.numberOfCaptureGroups < 1 {
                    found.append((field, "needs one capture group around the balance figure"))
                }
            } catch {
                found.append((field, "is not a valid regular expression"))
            }
        }
        if rechargeTemplate.components(separatedBy: "{code}").count != 2 {
            found.append(("rechargeTemplate", "must contain {code} exactly once"))
        }
        if mccmnc.isEmpty || mccmnc.contains(where: { $0.count < 5 || $0.count > 6 || !$0.allSatisfy(\.isASCII) || !$0.allSatisfy(\.isNumber) }) {
            found.append(("mccmnc", "must list 5- or 6-digit MCC+MNC prefixes"))
        }
        if !["MB", "GB"].contains(balanceUnit.uppercased()) {
            found.append(("balanceUnit", "must be MB or GB"))
        }
        if replyTimeoutSeconds < 1 || replyTimeoutSeconds > 600 {
            found.append(("replyTimeoutSeconds", "must be between 1 and 600"))
        }
        if found.isEmpty, let examples { found += exampleProblems(examples) }
        return found
    }

    /// The patterns against the operator's own replies: each example must read as what it is, and only as that.
    private func exampleProblems(_ examples: ReplyExamples) -> [(field: String, reason: String)] {
        var found: [(String, String)] = []
        if let success = examples.success {
            if Self.find(refusalPattern, in: success) {
                found.append(("refusalPattern", "matches the operator's success reply (examples.success): a spent voucher would be recorded as refused"))
            }
            if !Self.find(successPattern, in: success) {
                found.append(("successPattern", "does not match the operator's success reply (examples.success)"))
            }
        }
        if let refusal = examples.refusal {
            if Self.find(successPattern, in: refusal) {
                found.append(("successPattern", "matches the operator's refusal reply (examples.refusal)"))
            }
            if !Self.find(refusalPattern, in: refusal) {
                found.append(("refusalPattern", "does not match the operator's refusal reply (examples.refusal)"))
            }
        }
        if let balance = examples.balance {
            do {
                _ = try readBalance(in: balance)
            } catch {
                found.append(("balancePattern", "does not read a balance from the operator's balance reply (examples.balance): \(error)"))
            }
            if classifyRecharge(balance) != .unclear {
                found.append(("successPattern", "or refusalPattern matches the operator's balance reply (examples.balance): a late balance reply would be read as a recharge verdict"))
            }
        }
        return found
    }

    private static func find(_ pattern: String, in text: String) -> Bool {
        text.range(of: pattern, options: [.regularExpression, .caseInsensitive]) != nil
    }
}

/// What an operator's reply to a recharge says.
public enum RechargeVerdict: String, Sendable, Equatable {
    /// The operator accepted the voucher.
    case succeeded
    /// The operator refused it (invalid or already used).
    case refused
    /// Neither pattern matched: the outcome is unknown.
    case unclear
}

/// One real reply of each kind from an operator, checked against its patterns when the configuration is loaded.
public struct ReplyExamples: Codable, Sendable, Equatable {
    /// A reply to an accepted recharge.
    public var success: String?
    /// A reply to a refused recharge (invalid or used voucher).
    public var refusal: String?
    /// A reply to the balance request.
    public var balance: String?

    /// Creates examples.
    public init(success: String? = nil, refusal: String? = nil, balance: String? = nil) {
        self.success = success
        self.refusal = refusal
        self.balance = balance
    }
}

/// Why a balance could not be read from a reply.
public enum BalanceReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The balance pattern does not match the reply.
    case noMatch
    /// The captured figure is not a plain decimal number.
    case notANumber(String)
    /// The figure is beyond any real balance (`OperatorProfile.maxBalanceMB`).
    case outOfRange(String)

    /// A sentence for people.
    public var description: String {
        switch self {
        case .noMatch: return "the balance pattern does not match the reply"
        case .notANumber(let figure): return "the balance figure \"\(figure)\" is not a plain number"
        case .outOfRange(let figure): return "the balance figure \"\(figure)\" is out of range"
        }
    }
}
