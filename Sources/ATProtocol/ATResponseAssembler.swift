/// An unsolicited result code (URC): a line that does not belong to the command in flight.
public struct ATUnsolicited: Sendable, Equatable {
    /// The report's name: its prefix (`+CUSD`, `^RSSI`, `+CREG`) or the whole line (`RING`).
    public var name: String
    /// The complete line as received.
    public var line: String

    /// Creates an unsolicited report.
    public init(name: String, line: String) {
        self.name = name
        self.line = line
    }
}

/// The complete reply to one command: its information lines and its final result.
public struct ATResponse: Sendable, Equatable {
    /// The command text as passed to `ATResponseAssembler.begin(command:)`.
    public var command: String
    /// Information lines in arrival order, without echo and without unsolicited reports.
    public var lines: [String]
    /// The final result that ended the reply.
    public var final: ATFinalResult

    /// Creates a response.
    public init(command: String, lines: [String], final: ATFinalResult) {
        self.command = command
        self.lines = lines
        self.final = final
    }

    /// True when the final result is `OK`.
    public var isOK: Bool { final == .ok }
}

/// What `ATResponseAssembler.consume(_:)` reports for a line.
public enum ATAssemblerOutput: Sendable, Equatable {
    /// A URC (`+CUSD:`, `^RSSI:`, `+CREG:` outside its own query, `RING`, ...).
    case unsolicited(ATUnsolicited)
    /// The final result of the in-flight command arrived; the reply is complete.
    case response(ATResponse)
    /// The reply exceeded `maxReplyBytes` (or a line overflowed); the command is over.
    case replyTooLarge(command: String)
}

/// Groups lines into the reply of the one command in flight and separates unsolicited reports.
///
/// Rules, in order, while a command is in flight:
/// 1. the echo of the command (exact text, with leading garbage, or a fragment of it) is absorbed;
/// 2. a final result line ends the reply;
/// 3. a line whose prefix names the command (`+CREG:` for `AT+CREG?`) is an information line, except
///    for set commands (`AT+CREG=2`) whose prefix is also a known URC, and one-field registration
///    reports (`+CREG: 2`) which cannot be a query answer;
/// 4. `+CUSD:` and other known URC names (`^RSSI`, `^BOOT`, `RING`, ...) are unsolicited;
/// 5. anything else is an information line.
/// With nothing in flight every line is unsolicited. Lines made only of U+FFFD and control
/// characters are line noise and are dropped. After `replyTooLarge` the rest of that reply is
/// drained (absorbed) until its final result or the echo of the next command.
public struct ATResponseAssembler: Sendable {
    /// The largest reply, in bytes of information lines (each counted with its CR LF), accepted.
    public let maxReplyBytes: Int

    private struct InFlight: Sendable {
        var command: String
        var name: String
        var isSet: Bool
        var lines: [String] = []
        var bytes = 0
        var echoSeen = false
    }

    private var inFlight: InFlight?
    /// True while the tail of an oversized reply is being thrown away.
    private var draining = false

    /// Creates an assembler that accepts replies of up to `maxReplyBytes` bytes.
    public init(maxReplyBytes: Int = 16384) {
        self.maxReplyBytes = max(1, maxReplyBytes)
    }

    /// True while a command is in flight and its final result has not arrived.
    public var isAwaitingReply: Bool { inFlight != nil }

    /// Starts a reply for `command`, the text sent without the trailing CR (e.g. `AT+CGSN`).
    ///
    /// Calling it while another command is in flight replaces that command (its lines are lost).
    public mutating func begin(command: String) {
        let (name, isSet) = ATResponseAssembler.commandName(command)
        inFlight = InFlight(command: command, name: name, isSet: isSet)
    }

    /// Forgets the in-flight command (it timed out); later lines are unsolicited until `begin`.
    ///
    /// A late final result of the abandoned command cannot be told apart from the next command's
    /// if that command is begun before it arrives: the session should resynchronise (e.g. send
    /// `AT` and wait for its `OK`) after a timeout.
    public mutating func abandon() {
        inFlight = nil
    }

    /// Classifies one framed line; nil means it was absorbed (information line, echo, noise).
    public mutating func consume(_ line: String) -> ATAssemblerOutput? {
        if ATResponseAssembler.isNoise(line) { return nil }
        guard var current = inFlight else {
            if draining {
                if ATFinalResult.parse(line) != nil {
                    draining = false
                    return nil
                }
                if let urc = ATResponseAssembler.unsolicited(line, whileAwaiting: true) { return deliver(urc) }
                return nil
            }
            return deliver(ATResponseAssembler.unsolicitedOrGeneric(line))
        }
        if !current.echoSeen, current.lines.isEmpty, ATResponseAssembler.isEcho(line, of: current.command) {
            current.echoSeen = true
            draining = false
            inFlight = current
            return nil
        }
        if let final = ATFinalResult.parse(line) {
            if draining {
                // The tail of an oversized earlier reply ends here; this final is not ours.
                draining = false
                return nil
            }
            inFlight = nil
            return .response(ATResponse(command: current.command, lines: current.lines, final: final))
        }
        let prefix = ATText.prefix(of: line)
        if let prefix, ATResponseAssembler.prefix(prefix, answers: current),
           !ATResponseAssembler.isRegistrationReport(line, prefix: prefix) {
            return appendInformation(line, to: &current)
        }
        if let urc = ATResponseAssembler.unsolicited(line, whileAwaiting: true) { return deliver(urc) }
        if draining { return nil }
        return appendInformation(line, to: &current)
    }

    /// Classifies one framer output: a line goes through `consume(_:)`; an overflow ends the
    /// in-flight reply as `replyTooLarge` (its content is incomplete) and is ignored otherwise.
    public mutating func consume(_ framed: ATFramedLine) -> ATAssemblerOutput? {
        switch framed {
        case .line(let line):
            return consume(line)
        case .overflow:
            guard let current = inFlight else { return nil }
            inFlight = nil
            draining = true
            return .replyTooLarge(command: current.command)
        }
    }

    /// The information lines collected so far for the in-flight command (for offline decoding of
    /// captures that end without a final result).
    var collectedLines: [String] { inFlight?.lines ?? [] }

    private func deliver(_ urc: ATUnsolicited) -> ATAssemblerOutput? {
        .unsolicited(urc)
    }

    private mutating func appendInformation(_ line: String, to current: inout InFlight) -> ATAssemblerOutput? {
        current.bytes += line.utf8.count + 2
        if current.bytes > maxReplyBytes {
            inFlight = nil
            draining = true
            return .replyTooLarge(command: current.command)
        }
        current.lines.append(line)
        inFlight = current
        return nil
    }

    // MARK: - Classification rules

    /// Names whose lines are unsolicited unless they answer the command in flight.
    static let unsolicitedNames: Set<String> = [
        "+CUSD", "+CREG", "+CGREG", "+CEREG", "+C5GREG", "+CMTI", "+CMT", "+CDSI", "+CDS", "+CBM", "+CBMI",
        "+CRING", "+CLIP", "+CCWA", "+CSSI", "+CSSU", "+CIEV", "+CGEV", "+CTZV", "+CTZE", "+CTZEU",
        "+CUSATP", "+CUSATEND", "+PACSP", "+CPIN", "+CFUN", "+QIND", "+QUSIM", "+CMGS",
        "^RSSI", "^HRSSILVL", "^HDRRSSI", "^MODE", "^BOOT", "^DSFLOWRPT", "^SIMST", "^SRVST", "^HCSQ",
        "^CEND", "^ORIG", "^CONF", "^CONN", "^STIN", "^NDISSTAT", "^NDISEND", "^SYSSTART", "^RFSWITCH",
        "^NWTIME", "^CSNR", "^LTERSRP", "^ACTIVEBAND", "^EONS", "^ECLSTAT", "^SMMEMFULL", "^CPBREADY",
        "^RSSILVL", "^CERSSI", "^TIME", "^POSITION", "^WPDCP", "^WPDST", "^XDSTATE", "^SIMFILEREFRESH",
        "*EMRDY", "*PSNTRG", "+ZPASR", "+ZUSIMR", "+ZEND",
    ]

    /// Lines without a prefix that are always unsolicited.
    static let bareUnsolicited: Set<String> = ["RING", "RDY", "PB DONE", "SMS DONE", "CALL READY", "SMS READY"]

    /// Response prefixes accepted for a command name besides the name itself.
    static let aliases: [String: Set<String>] = [
        "+CCID": ["+ICCID", "+CCID"],
        "+ICCID": ["+CCID", "+ICCID"],
        "+GSN": ["+CGSN", "+GSN"],
        "+GMI": ["+CGMI", "+GMI"],
        "+GMM": ["+CGMM", "+GMM"],
        "+GMR": ["+CGMR", "+GMR"],
        "^SCID": ["^SCID", "^ICCID"],
    ]

    /// True when a line with this prefix is an information line of the in-flight command.
    private static func prefix(_ prefix: Substring, answers current: InFlight) -> Bool {
        let upper = prefix.uppercased()
        if upper == "+CUSD" { return false }
        let named = upper == current.name || (aliases[current.name]?.contains(upper) ?? false)
        guard named else { return false }
        return !(current.isSet && unsolicitedNames.contains(upper))
    }

    /// Registration names whose query answer always starts with `<n>,<stat>`.
    static let registrationNames: Set<String> = ["+CREG", "+CGREG", "+CEREG", "+C5GREG"]

    /// True for `+CREG: <stat>` (one field): the query answer has at least `<n>,<stat>`, so a
    /// one-field line arriving during `AT+CREG?` is an unsolicited report.
    private static func isRegistrationReport(_ line: String, prefix: Substring) -> Bool {
        guard registrationNames.contains(prefix.uppercased()),
              let value = ATText.value(of: line, prefix: String(prefix)) else { return false }
        return !value.contains(",")
    }

    /// The URC for a line if its name marks it as one.
    private static func unsolicited(_ line: String, whileAwaiting: Bool) -> ATUnsolicited? {
        if let prefix = ATText.prefix(of: line) {
            let upper = prefix.uppercased()
            return unsolicitedNames.contains(upper) ? ATUnsolicited(name: String(prefix), line: line) : nil
        }
        let upper = line.uppercased()
        return bareUnsolicited.contains(upper) ? ATUnsolicited(name: line, line: line) : nil
    }

    /// True when the line is a report the assembler knows by name (`^RSSI:`, `+CREG:`, `RING`, ...).
    static func isKnownUnsolicited(_ line: String) -> Bool {
        unsolicited(line, whileAwaiting: false) != nil
    }

    /// Every line outside a reply is unsolicited; its name is its prefix or the whole line.
    private static func unsolicitedOrGeneric(_ line: String) -> ATUnsolicited {
        if let prefix = ATText.prefix(of: line) { return ATUnsolicited(name: String(prefix), line: line) }
        return ATUnsolicited(name: line, line: line)
    }

    /// The response name of a command (`AT+CREG?` → `+CREG`, `ATI` → `I`) and whether it is a set.
    static func commandName(_ command: String) -> (name: String, isSet: Bool) {
        let parts = commandParts(command)
        return (parts.name, parts.rest.hasPrefix("=") && !parts.rest.hasPrefix("=?"))
    }

    /// Splits a command into its response name and what follows it (`?`, `=...`, or nothing).
    static func commandParts(_ command: String) -> (name: String, rest: Substring) {
        var body = Substring(ATText.trimmed(command))
        if body.count >= 2, body.prefix(2).uppercased() == "AT" { body = body.dropFirst(2) }
        var name = ""
        var index = body.startIndex
        if let first = body.first, "+^!#$*%".contains(first) {
            name.append(first)
            index = body.index(after: index)
            while index < body.endIndex {
                let character = body[index]
                guard character.isASCII, character.isLetter || character.isNumber || character == "_" else { break }
                name.append(character)
                index = body.index(after: index)
            }
        } else if let first = body.first {
            // Basic command (ATI, ATE0, AT&F): its letter is the name.
            name.append(first)
            index = body.index(after: index)
        }
        return (name.uppercased(), body[index...])
    }

    /// True when `line` is the echo of `command`: the exact text, the text after leading garbage,
    /// or a fragment (a prefix of at least two characters, or a suffix of at least three).
    static func isEcho(_ line: String, of command: String) -> Bool {
        let sent = ATText.trimmed(command).uppercased()
        guard !sent.isEmpty else { return false }
        let seen = line.uppercased()
        if seen == sent || seen.hasSuffix(sent) { return true }
        if seen.count >= 2, sent.hasPrefix(seen), seen.hasPrefix("A") { return true }
        if seen.count >= 3, sent.hasSuffix(seen), ATFinalResult.parse(line) == nil { return true }
        return false
    }

    /// True for lines that carry no information: only U+FFFD and control characters.
    static func isNoise(_ line: String) -> Bool {
        for scalar in line.unicodeScalars {
            let value = scalar.value
            if value != 0xFFFD && value >= 0x20 && value != 0x7F { return false }
        }
        return true
    }
}
