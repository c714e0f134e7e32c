import Foundation

/// The network side of USSD: turns a request string from a SIM into the operator's reply.
///
/// Shared by all devices of one simulator. The ledger is updated when the request arrives, before
/// the reply is delivered: a device that hangs up or goes silent afterwards still spent the voucher,
/// exactly the ambiguity the daemon must settle with a balance query.
public final class OperatorNetwork: Sendable {
    /// The operator's configuration.
    public let profile: OperatorProfile
    /// The truth: balances and redemptions.
    public let ledger: OperatorLedger

    /// Creates the network over a profile and its ledger.
    public init(profile: OperatorProfile, ledger: OperatorLedger) {
        self.profile = profile
        self.ledger = ledger
    }

    /// The network's answer to one USSD request.
    public struct Reply: Sendable, Equatable {
        /// `+CUSD` status: 0 no further action, 4 not supported.
        public var status: Int
        /// The text to show.
        public var text: String
        /// How long the network takes to answer, in milliseconds.
        public var delayMs: Int
    }

    /// Handles a decoded USSD request (`*123*<code>#`, `*100#`, anything else) from `iccid`.
    ///
    /// Throws only when the state file cannot be written: the simulator then reports it as a
    /// network failure rather than pretending the change was recorded.
    public func handle(request: String, iccid: String) throws(SimulatorError) -> Reply {
        let request = request.trimmingBlanks()
        let texts = profile.texts
        if request == profile.balanceCode {
            let balance = try ledger.queryBalance(iccid: iccid)
            return reply(texts.balance, balance: balance, megabytes: 0, code: "")
        }
        if let code = voucherCode(in: request) {
            switch try ledger.redeem(code: code, iccid: iccid) {
            case let .accepted(megabytes, balance):
                return reply(texts.rechargeSuccess, balance: balance, megabytes: megabytes, code: code)
            case .unknownCode, .alreadyRedeemed:
                return reply(texts.rechargeRefused, balance: 0, megabytes: 0, code: code)
            }
        }
        return reply(texts.unknownRequest, balance: 0, megabytes: 0, code: "")
    }

    /// The voucher code if `request` has the recharge template's shape, e.g. `*123*<digits>#`.
    func voucherCode(in request: String) -> String? {
        let parts = profile.rechargeTemplate.components(separatedBy: "{code}")
        guard parts.count == 2 else { return nil }
        let (prefix, suffix) = (parts[0], parts[1])
        guard request.count > prefix.count + suffix.count,
              request.hasPrefix(prefix), request.hasSuffix(suffix) else { return nil }
        let code = String(request.dropFirst(prefix.count).dropLast(suffix.count))
        guard code.allSatisfy(\.isASCIIDigitCharacter) else { return nil }
        return code
    }

    private func reply(_ template: String, balance: Int, megabytes: Int, code: String) -> Reply {
        let text = template
            .replacingOccurrences(of: "{balance}", with: String(balance))
            .replacingOccurrences(of: "{mb}", with: String(megabytes))
            .replacingOccurrences(of: "{code}", with: code)
        return Reply(status: 0, text: text, delayMs: profile.replyDelayMs)
    }
}
