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

    /// Creates a profile.
    public init(name: String, mccmnc: [String], rechargeTemplate: String, balanceCode: String,
                successPattern: String, refusalPattern: String, balancePattern: String,
                balanceUnit: String = "MB", replyTimeoutSeconds: Int = 60) {
        self.name = name
        self.mccmnc = mccmnc
        self.rechargeTemplate = rechargeTemplate
        self.balanceCode = balanceCode
        self.successPattern = successPattern
        self.refusalPattern = refusalPattern
        self.balancePattern = balancePattern
        self.balanceUnit = balanceUnit
        self.replyTimeoutSeconds = replyTimeoutSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case name, mccmnc, rechargeTemplate, balanceCode, successPattern, refusalPattern, balancePattern
        case balanceUnit, replyTimeoutSeconds
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
    public func classifyRecharge(_ text: String) -> RechargeVerdict {
        if Self.find(refusalPattern, in: text) { return .refused }
        if Self.find(successPattern, in: text) { return .succeeded }
        return .unclear
    }

    /// The data balance in megabytes read from a balance reply, or `nil` when the pattern does not match.
    public func balanceMB(in text: String) -> Int? {
        guard let regex = try? NSRegularExpression(pattern: balancePattern, options: [.caseInsensitive]) else { return nil }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        guard let match = regex.firstMatch(in: text, range: range), match.numberOfRanges > 1,
              let captured = Range(match.range(at: 1), in: text) else { return nil }
        let figure = text[captured].replacingOccurrences(of: ",", with: ".")
        guard let value = Double(figure) else { return nil }
        let megabytes = balanceUnit.uppercased() == "GB" ? value * 1024 : value
        return Int(megabytes.rounded())
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
