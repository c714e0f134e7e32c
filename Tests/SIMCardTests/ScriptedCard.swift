import SIMCard

/// A transport that plays recorded exchanges: each command must be the one expected next, answered with the
/// recorded reply. Anything else (an unexpected command, such as a VERIFY with a PIN) fails the exchange, and
/// `sent` keeps every command for the test to inspect.
final class ScriptedCard: APDUTransport {
    /// One recorded exchange: the command bytes and the card's raw answer, both as hex.
    struct Exchange {
        var command: String
        var reply: String
    }

    private var script: [Exchange]
    private var overrideReply: [UInt8]?
    private(set) var sent: [[UInt8]] = []
    private var failure: SIMCardError?

    init(_ script: [Exchange]) {
        self.script = script
    }

    /// Makes the next transmission fail as the reader would (card pulled, reader unplugged).
    static func failing(after script: [Exchange], with error: SIMCardError) -> ScriptedCard {
        let card = ScriptedCard(script)
        card.failure = error
        return card
    }

    /// Answers every command with `reply` (raw bytes), recording what was sent.
    static func answering(_ reply: [UInt8]) -> ScriptedCard {
        let card = ScriptedCard([])
        card.overrideReply = reply
        return card
    }

    var remaining: Int { script.count }

    func transmit(_ command: [UInt8]) throws(SIMCardError) -> [UInt8] {
        sent.append(command)
        if let overrideReply { return overrideReply }
        guard !script.isEmpty else {
            if let failure { throw failure }
            throw .transport("unscripted command \(HexBytes.string(command))")
        }
        let next = script.removeFirst()
        guard HexBytes.parse(next.command) == command else {
            throw .transport("expected \(next.command), got \(HexBytes.string(command))")
        }
        return HexBytes.parse(next.reply) ?? []
    }

    /// Every VERIFY the card received that carried data (a PIN): must be empty unless a PIN was given.
    var verifiesWithData: [[UInt8]] { sent.filter { $0.count > 4 && $0[1] == 0x20 } }
}

/// Shorthand for one exchange.
func x(_ command: String, _ reply: String) -> ScriptedCard.Exchange {
    ScriptedCard.Exchange(command: command, reply: reply)
}
