import Foundation

/// The simulated mobile network: its name, USSD codes, reply texts and voucher book (JSON file).
///
/// Shared by every device of one simulator process; the mutable truth (balances, redemptions)
/// lives in `OperatorLedger`, not here.
public struct OperatorProfile: Sendable, Codable, Equatable {
    /// Network name shown by `+COPS?`.
    public var name: String
    /// MCC followed by MNC, e.g. `00101` (the ITU test network).
    public var mccMnc: String
    /// Recharge USSD with `{code}` where the voucher code goes, e.g. `*123*{code}#`.
    public var rechargeTemplate: String
    /// Balance USSD, e.g. `*100#`.
    public var balanceCode: String
    /// Reply texts with placeholders.
    public var texts: Texts
    /// Milliseconds between the request and the network's `+CUSD:` reply.
    public var replyDelayMs: Int
    /// Voucher code → megabytes it adds. Each code can be redeemed once.
    public var vouchers: [String: Int]
    /// Data balance in MB of a SIM the network has not seen before.
    public var startingBalanceMB: Int
    /// ICCID → starting balance in MB, overriding `startingBalanceMB`.
    public var startingBalances: [String: Int]

    /// The built-in SimuNet operator with an empty voucher book.
    public init() {
        name = "SimuNet"
        mccMnc = "00101"
        rechargeTemplate = "*123*{code}#"
        balanceCode = "*100#"
        texts = Texts()
        replyDelayMs = 300
        vouchers = [:]
        startingBalanceMB = 0
        startingBalances = [:]
    }

    enum CodingKeys: String, CodingKey {
        case name, mccMnc, rechargeTemplate, balanceCode, texts, replyDelayMs, vouchers
        case startingBalanceMB, startingBalances
    }

    /// Decodes, with SimuNet defaults for every absent field.
    public init(from decoder: any Decoder) throws {
        let defaults = OperatorProfile()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? defaults.name
        mccMnc = try c.decodeIfPresent(String.self, forKey: .mccMnc) ?? defaults.mccMnc
        rechargeTemplate = try c.decodeIfPresent(String.self, forKey: .rechargeTemplate) ?? defaults.rechargeTemplate
        balanceCode = try c.decodeIfPresent(String.self, forKey: .balanceCode) ?? defaults.balanceCode
        texts = try c.decodeIfPresent(Texts.self, forKey: .texts) ?? defaults.texts
        replyDelayMs = try c.decodeIfPresent(Int.self, forKey: .replyDelayMs) ?? defaults.replyDelayMs
        vouchers = try c.decodeIfPresent([String: Int].self, forKey: .vouchers) ?? [:]
        startingBalanceMB = try c.decodeIfPresent(Int.self, forKey: .startingBalanceMB) ?? 0
        startingBalances = try c.decodeIfPresent([String: Int].self, forKey: .startingBalances) ?? [:]
    }

    /// Reads and validates an operator file.
    public static func load(_ path: String) throws(SimulatorError) -> OperatorProfile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimulatorError(.invalidOperator, errno: ENOENT, "cannot read \(path)")
        }
        let profile: OperatorProfile
        do {
            profile = try JSONDecoder().decode(OperatorProfile.self, from: data)
        } catch {
            throw SimulatorError(.invalidOperator, "\(path): \(error)")
        }
        try profile.validate(source: path)
        return profile
    }

    /// Checks the template, the delays and the voucher book.
    public func validate(source: String) throws(SimulatorError) {
        func fail(_ why: String) -> SimulatorError { SimulatorError(.invalidOperator, "\(source): \(why)") }
        guard rechargeTemplate.components(separatedBy: "{code}").count == 2 else {
            throw fail("rechargeTemplate must contain {code} exactly once")
        }
        guard replyDelayMs >= 0 else { throw fail("replyDelayMs must be >= 0") }
        for (code, megabytes) in vouchers {
            guard !code.isEmpty, code.allSatisfy(\.isASCIIDigitCharacter) else { throw fail("voucher code \(code.prefix(4))… is not all digits") }
            guard megabytes > 0 else { throw fail("voucher \(code.prefix(4))… must add > 0 MB") }
        }
    }

    /// The operator's reply texts. Placeholders: `{mb}` added, `{balance}` new balance, `{code}`.
    public struct Texts: Sendable, Codable, Equatable {
        /// Sent after a successful recharge.
        public var rechargeSuccess: String
        /// Sent when a code is unknown or already used.
        public var rechargeRefused: String
        /// Sent for a balance query.
        public var balance: String
        /// Sent for any other USSD string.
        public var unknownRequest: String

        /// French-operator-style fictional texts (GSM 7-bit safe: no accents).
        public init() {
            rechargeSuccess = "Rechargement reussi: {mb} Mo ajoutes. Nouveau solde data: {balance} Mo."
            rechargeRefused = "Code de recharge invalide ou deja utilise."
            balance = "Votre solde data est de {balance} Mo."
            unknownRequest = "Service indisponible. Tapez *100# pour votre solde."
        }

        enum CodingKeys: String, CodingKey { case rechargeSuccess, rechargeRefused, balance, unknownRequest }

        /// Decodes, keeping the default text for each absent field.
        public init(from decoder: any Decoder) throws {
            let defaults = Texts()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            rechargeSuccess = try c.decodeIfPresent(String.self, forKey: .rechargeSuccess) ?? defaults.rechargeSuccess
            rechargeRefused = try c.decodeIfPresent(String.self, forKey: .rechargeRefused) ?? defaults.rechargeRefused
            balance = try c.decodeIfPresent(String.self, forKey: .balance) ?? defaults.balance
            unknownRequest = try c.decodeIfPresent(String.self, forKey: .unknownRequest) ?? defaults.unknownRequest
        }
    }
}

extension Character {
    /// Whether this is one of the ASCII digits 0–9.
    var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}
