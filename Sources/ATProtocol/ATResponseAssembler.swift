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

    /// What the assembler needs to know about a command, computed once per distinct text.
    private struct CommandAnalysis: Sendable {
        /// The response name (`+CREG`), uppercase, as text and bytes.
        var name: String
        var nameBytes: [UInt8]
        /// The command text, uppercase bytes, for recognising its echo.
        var commandBytes: [UInt8]
        var isSet: Bool
        /// `+CUSD` never has information lines of its own name: its reports are always unsolicited.
        var isUSSD: Bool
        var isRegistration: Bool
        /// Other response prefixes accepted for this command (`aliases`), uppercase bytes.
        var aliasBytes: [[UInt8]]
        /// A set command whose name is also a URC name: its lines are never information lines.
        var setOfUnsolicited: Bool

        init(_ command: String) {
            let parts = ATResponseAssembler.commandParts(command)
            name = parts.name
            nameBytes = Array(parts.name.utf8)
            commandBytes = ATText.upperBytes(ATText.trimmed(command))
            isSet = parts.rest.hasPrefix("=") && !parts.rest.hasPrefix("=?")
            isUSSD = parts.name == "+CUSD"
            isRegistration = ATResponseAssembler.registrationNames.contains(parts.name)
            aliasBytes = (ATResponseAssembler.aliases[parts.name] ?? []).sorted().map { Array($0.utf8) }
            setOfUnsolicited = isSet && ATResponseAssembler.unsolicitedNames.contains(parts.name)
        }
    }

    /// The command in flight, nil when idle.
    private var command: String?
    private var current = CommandAnalysis("AT")
    private var analysed: [String: CommandAnalysis] = [:]
    private var lines: [String] = []
    private var bytes = 0
    private var echoSeen = false
    /// True while the tail of an oversized reply is being thrown away.
    private var draining = false

    /// Creates an assembler that accepts replies of up to `maxReplyBytes` bytes.
    public init(maxReplyBytes: Int = 16384) {
        self.maxReplyBytes = max(1, maxReplyBytes)
    }

    /// True while a command is in flight and its final result has not arrived.
    public var isAwaitingReply: Bool { command != nil }

    /// Starts a reply for `command`, the text sent without the trailing CR (e.g. `AT+CGSN`).
    ///
    /// Calling it while another command is in flight replaces that command (its lines are lost).
    public mutating func begin(command: String) {
        // Sessions repeat the same few commands: reuse their analysis.
        let analysis: CommandAnalysis
        if let known = analysed[command] {
            analysis = known
        } else {
            analysis = CommandAnalysis(command)
            if analysed.count >= 256 { analysed.removeAll(keepingCapacity: true) }
            analysed[command] = analysis
        }
        self.command = command
        current = analysis
        lines = []
        bytes = 0
        echoSeen = false
    }

    /// Forgets the in-flight command (it timed out); later lines are unsolicited until `begin`.
    ///
    /// A late final result of the abandoned command cannot be told apart from the next command's
    /// if that command is begun before it arrives: the session should resynchronise (e.g. send
    /// `AT` and wait for its `OK`) after a timeout.
    public mutating func abandon() {
        command = nil
        lines = []
    }

    /// Classifies one framed line; nil means it was absorbed (information line, echo, noise).
    public mutating func consume(_ line: String) -> ATAssemblerOutput? {
        if ATResponseAssembler.isNoise(line) { return nil }
        guard let inFlight = command else {
            if draining {
                if ATFinalResult.parse(line) != nil {
                    draining = false
                    return nil
                }
                return ATResponseAssembler.unsolicited(line).map { .unsolicited($0) }
            }
            return .unsolicited(ATResponseAssembler.unsolicitedOrGeneric(line))
        }
        if !echoSeen, lines.isEmpty, ATResponseAssembler.isEcho(line, of: current.commandBytes) {
            echoSeen = true
            draining = false
            return nil
        }
        if let final = ATFinalResult.parse(line) {
            if draining {
                // The tail of an oversized earlier reply ends here; this final is not ours.
                draining = false
                return nil
            }
            let response = ATResponse(command: inFlight, lines: lines, final: final)
            command = nil
            lines = []
            return .response(response)
        }
        let prefixLength = ATText.prefixLength(line)
        if let prefixLength, answers(prefixLength: prefixLength, line: line) {
            return appendInformation(line)
        }
        let prefix = prefixLength.map { line[line.startIndex..<line.utf8.index(line.startIndex, offsetBy: $0)] }
        if let urc = ATResponseAssembler.unsolicited(line, prefix: prefix) { return .unsolicited(urc) }
        if draining { return nil }
        return appendInformation(line)
    }

    /// Classifies one framer output: a line goes through `consume(_:)`; an overflow ends the
    /// in-flight reply as `replyTooLarge` (its content is incomplete) and is ignored otherwise.
    public mutating func consume(_ framed: ATFramedLine) -> ATAssemblerOutput? {
        switch framed {
        case .line(let line):
            return consume(line)
        case .overflow:
            guard let current = command else { return nil }
            command = nil
            lines = []
            draining = true
            return .replyTooLarge(command: current)
        }
    }

    /// The information lines collected so far for the in-flight command (for offline decoding of
    /// captures that end without a final result).
    var collectedLines: [String] { lines }

    private mutating func appendInformation(_ line: String) -> ATAssemblerOutput? {
        bytes += line.utf8.count + 2
        if bytes > maxReplyBytes {
            let current = command ?? ""
            command = nil
            lines = []
            draining = true
            return .replyTooLarge(command: current)
        }
        lines.append(line)
        return nil
    }

    /// True when a line with this prefix is an information line of the in-flight command.
    private func answers(prefixLength: Int, line: String) -> Bool {
        if current.isUSSD { return false }
        // Byte comparisons against the names computed once per command: no hashing per line.
        let named = ATText.withBytes(line) { bytes -> Bool in
            let prefix = UnsafeBufferPointer(rebasing: bytes[0..<prefixLength])
            if ATText.equalsIgnoringCase(prefix, current.nameBytes) { return true }
            return current.aliasBytes.contains { ATText.equalsIgnoringCase(prefix, $0) }
        }
        guard named else { return false }
        if current.setOfUnsolicited { return false }
        if current.isRegistration, let value = ATText.value(of: line, prefix: current.name), !value.utf8.contains(0x2C) {
            // `+CREG: <stat>` alone: a query answer always has `<n>,<stat>`, so this is a report.
            return false
        }
        return true
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

    /// Registration names whose query answer always starts with `<n>,<stat>`.
    static let registrationNames: Set<String> = ["+CREG", "+CGREG", "+CEREG", "+C5GREG"]

    /// The URC for a line if its name marks it as one; `prefix` is `ATText.prefix(of: line)`.
    static func unsolicited(_ line: String, prefix: Substring?) -> ATUnsolicited? {
        if let prefix {
            let key = String(prefix)
            let known = unsolicitedNames.contains(key) || unsolicitedNames.contains(key.uppercased())
            return known ? ATUnsolicited(name: key, line: line) : nil
        }
        let utf8 = line.utf8
        guard utf8.count <= 10 else { return nil }
        for literal in bareUnsolicitedBytes where ATText.equalsIgnoringCase(utf8, literal) {
            return ATUnsolicited(name: line, line: line)
        }
        return nil
    }

    /// The URC for a line if its name marks it as one.
    static func unsolicited(_ line: String) -> ATUnsolicited? {
        unsolicited(line, prefix: ATText.prefix(of: line))
    }

    private static let bareUnsolicitedBytes: [[UInt8]] = bareUnsolicited.map { Array($0.utf8) }

    /// True when the line is a report the assembler knows by name (`^RSSI:`, `+CREG:`, `RING`, ...).
    static func isKnownUnsolicited(_ line: String) -> Bool {
        unsolicited(line) != nil
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
        let body = Substring(ATText.trimmed(command))
        let utf8 = body.utf8
        var index = utf8.startIndex
        if ATText.hasPrefixIgnoringCase(utf8, [0x41, 0x54]) { index = utf8.index(index, offsetBy: 2) }   // "AT"
        var name: [UInt8] = []
        if index < utf8.endIndex {
            let first = utf8[index]
            name.append(ATText.upperASCII(first))
            index = utf8.index(after: index)
            if [UInt8]("+^!#$*%".utf8).contains(first) {
                while index < utf8.endIndex {
                    let byte = utf8[index]
                    let isName = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                        || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_")
                    guard isName else { break }
                    name.append(ATText.upperASCII(byte))
                    index = utf8.index(after: index)
                }
            }
            // Otherwise a basic command (ATI, ATE0, AT&F): its first character is the name.
        }
        return (String(decoding: name, as: UTF8.self), body[index...])
    }

    /// True when `line` is the echo of the command (`sent`, uppercase bytes): the exact text, the
    /// text after leading garbage, or a fragment (a prefix of at least two characters starting
    /// with `A`, or a suffix of at least three that is not a final result).
    static func isEcho(_ line: String, of sent: [UInt8]) -> Bool {
        guard !sent.isEmpty else { return false }
        return ATText.withBytes(line) { seen -> Bool in
            let count = seen.count
            if count >= sent.count {
                // The exact text, possibly after leading garbage: `seen` ends with `sent`.
                let offset = count - sent.count
                for index in 0..<sent.count where ATText.upperASCII(seen[offset + index]) != sent[index] { return false }
                return true
            }
            // A fragment: a prefix starting with `A` (2+ bytes) or a suffix (3+ bytes).
            if count >= 2, ATText.upperASCII(seen[0]) == UInt8(ascii: "A"),
               (0..<count).allSatisfy({ sent[$0] == ATText.upperASCII(seen[$0]) }) { return true }
            let offset = sent.count - count
            if count >= 3, (0..<count).allSatisfy({ sent[offset + $0] == ATText.upperASCII(seen[$0]) }),
               ATFinalResult.parse(line) == nil {
                return true
            }
            return false
        }
    }

    /// True when `line` is the echo of `command` (see `isEcho(_:of:)`).
    static func isEcho(_ line: String, of command: String) -> Bool {
        isEcho(line, of: ATText.upperBytes(ATText.trimmed(command)))
    }

    /// True for lines that carry no information: only U+FFFD and control characters.
    static func isNoise(_ line: String) -> Bool {
        if let first = line.utf8.first, first > 0x20, first < 0x7F { return false }
        for scalar in line.unicodeScalars {
            let value = scalar.value
            if value != 0xFFFD && value >= 0x20 && value != 0x7F { return false }
        }
        return true
    }
}
