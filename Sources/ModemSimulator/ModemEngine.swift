import ATProtocol
import Foundation

/// What a fake device emits in reaction to input: bytes, a hangup, or going silent for good.
public enum ModemOutput: Sendable, Equatable {
    /// Bytes to write to the terminal.
    case bytes([UInt8])
    /// Close the terminal (the client sees end of file / EIO): the device is gone.
    case hangup
    /// Send nothing more, ever (pending replies and unsolicited reports included).
    case silence
}

/// One output with its delay after the command was taken up.
public struct ScheduledOutput: Sendable, Equatable {
    /// Milliseconds after the command was taken up.
    public var delayMs: Int
    /// What to emit.
    public var output: ModemOutput
    /// Whether this output finishes the command, so the next queued command may be taken up.
    public var endsCommand: Bool

    /// Creates a scheduled output.
    public init(delayMs: Int, output: ModemOutput, endsCommand: Bool) {
        self.delayMs = delayMs
        self.output = output
        self.endsCommand = endsCommand
    }
}

/// The modem side of one fake device: command lines in, scheduled outputs out. No I/O, no clock.
///
/// Holds the device's mutable state (echo, CMEE, PIN, USSD mode, Wi-Fi store, data lock, faults).
/// The pseudo-terminal loop (`DeviceLoop`) feeds it lines and plays its outputs at their times.
public struct ModemEngine: Sendable {
    /// The personality the device was started with (after command-line overrides).
    public let personality: Personality
    let network: OperatorNetwork

    /// Whether command echo is on.
    public private(set) var echo: Bool
    /// The current `+CMEE` mode.
    public private(set) var cmee: Int
    /// Whether periodic unsolicited reports are sent (`AT^CURC`).
    public private(set) var unsolicitedEnabled: Bool
    /// The SIM lock.
    public private(set) var sim: SIMLock
    /// The current USSD encoding (`AT^USSDMODE`).
    public private(set) var ussdMode: Personality.USSDMode
    /// Slot → SSID.
    public private(set) var ssids: [Int: String]
    /// Slot → WPA key.
    public private(set) var wifiKeys: [Int: String]
    /// Whether the Wi-Fi store refuses access until `AT^DATALOCK` gets the code.
    public private(set) var dataLocked: Bool
    /// Whether a `silentAfter` fault fired.
    public private(set) var silent: Bool
    private var registrationModes: [String: Int]
    private var copsFormat: Int
    private var failedOnce: Set<String>
    private var garbageSeed: UInt64
    /// Non-blank lines received so far, for the `…Command` (by number) faults.
    public private(set) var linesReceived = 0
    /// The line being acted on, for `cusdReplace`.
    private var currentLine = ""
    /// SIM commands still to be answered `+CME ERROR: 14` while the SIM starts (`faults.simBusyReplies`).
    public private(set) var simBusyLeft: Int

    /// The SIM's lock state with tries left.
    public enum SIMLock: Sendable, Equatable {
        /// Unlocked.
        case ready
        /// Waiting for the PIN, `triesLeft` attempts before PUK.
        case pin(triesLeft: Int)
        /// Waiting for the PUK, `triesLeft` attempts before the SIM is dead.
        case puk(triesLeft: Int)
        /// PUK attempts exhausted.
        case blocked
    }

    private var pinCode: String?

    /// Creates a device in its power-up state.
    public init(personality: Personality, network: OperatorNetwork) {
        self.personality = personality
        self.network = network
        echo = personality.echo
        cmee = personality.cmee
        unsolicitedEnabled = personality.unsolicited.enabled
        switch personality.sim.pin.state {
        case .ready: sim = .ready
        case .pinLocked: sim = .pin(triesLeft: max(personality.sim.pin.pinTries, 1))
        case .pukLocked: sim = .puk(triesLeft: max(personality.sim.pin.pukTries, 1))
        }
        pinCode = personality.sim.pin.code
        ussdMode = personality.ussd.mode
        var ssids: [Int: String] = [:]
        var keys: [Int: String] = [:]
        for (slot, ssid) in personality.wifi?.ssids ?? [:] { if let index = Int(slot) { ssids[index] = ssid } }
        for (slot, key) in personality.wifi?.keys ?? [:] { if let index = Int(slot) { keys[index] = key } }
        self.ssids = ssids
        wifiKeys = keys
        dataLocked = personality.wifi?.dataLockCode != nil
        silent = false
        registrationModes = [:]
        copsFormat = 0
        failedOnce = []
        garbageSeed = 0x9E37_79B9_7F4A_7C15
        simBusyLeft = max(0, personality.faults.simBusyReplies)
    }

    /// The bytes of one periodic report, or nil while reports are off or the device is silent.
    public func unsolicitedBytes(_ report: Personality.Report) -> [UInt8]? {
        guard unsolicitedEnabled, !silent else { return nil }
        return Array("\r\n\(report.text)\r\n".utf8)
    }

    /// Reacts to one received line (without its CR): echo, reply, faults.
    public mutating func receive(line: String) -> [ScheduledOutput] {
        guard !silent else { return [] }
        let faults = personality.faults
        linesReceived += 1
        currentLine = line
        if CommandPattern.matchesAny(faults.hangupOn, line) || faults.hangupAtCommand == linesReceived {
            return [ScheduledOutput(delayMs: 0, output: .hangup, endsCommand: true)]
        }
        var outputs: [ScheduledOutput] = []
        if echo {
            outputs.append(ScheduledOutput(delayMs: 0, output: .bytes(Array((line + "\r").utf8)), endsCommand: false))
        }
        guard let commands = ModemCommand.parse(line: line) else { return outputs }
        let latency = personality.latency.milliseconds(for: line)
        if let garbage = faults.garbageOn.first(where: { CommandPattern.matches($0.command, line) }) {
            outputs.append(ScheduledOutput(delayMs: latency, output: .bytes(makeGarbage(count: garbage.bytes)), endsCommand: true))
            return outputs
        }
        let reply: Reply
        if let override = faults.finalOn.first(where: { CommandPattern.matches($0.command, line) }) {
            reply = Reply(final: override.final)
        } else if let failPattern = faults.failFirst.first(where: { CommandPattern.matches($0, line) }),
           !failedOnce.contains(failPattern.uppercased()) {
            failedOnce.insert(failPattern.uppercased())
            reply = Reply(final: "ERROR")
        } else if let raw = CommandPattern.bestMatch(in: personality.rawReplies, for: line) {
            // Validated at load time; an undecodable entry degrades to its UTF-8 bytes.
            let bytes = (try? EscapedBytes.decode(raw)) ?? Array(raw.utf8)
            outputs.append(ScheduledOutput(delayMs: latency, output: .bytes(bytes), endsCommand: true))
            return afterFaults(line, outputs, latency: latency)
        } else {
            reply = handle(commands)
        }
        // V1 format: the information block is framed by one CR LF pair, then the final result by another.
        var text = reply.lines.isEmpty ? "" : "\r\n" + reply.lines.joined(separator: "\r\n") + "\r\n"
        if faults.unsolicitedInsideReplies, unsolicitedEnabled, let report = personality.unsolicited.reports.first {
            text += "\r\n\(report.text)\r\n"
        }
        if !CommandPattern.matchesAny(faults.noFinalResultOn, line) {
            text += "\r\n\(reply.final)\r\n"
        }
        let replyAt = latency + reply.extraDelayMs
        outputs.append(ScheduledOutput(delayMs: replyAt, output: .bytes(Array(text.utf8)), endsCommand: true))
        for followUp in reply.followUps {
            outputs.append(ScheduledOutput(delayMs: replyAt + followUp.delayMs,
                                           output: .bytes(Array("\r\n\(followUp.line)\r\n".utf8)), endsCommand: false))
        }
        return afterFaults(line, outputs, latency: latency)
    }

    private mutating func afterFaults(_ line: String, _ outputs: [ScheduledOutput], latency: Int) -> [ScheduledOutput] {
        let faults = personality.faults
        if CommandPattern.matchesAny(faults.silentAfter, line) || faults.silentAfterCommand == linesReceived {
            silent = true
            return [ScheduledOutput(delayMs: 0, output: .silence, endsCommand: true)]
        }
        if CommandPattern.matchesAny(faults.hangupAfter, line) || faults.hangupAfterCommand == linesReceived {
            return [ScheduledOutput(delayMs: latency, output: .hangup, endsCommand: true)]
        }
        if let truncation = faults.truncateOn.first(where: { CommandPattern.matches($0.command, line) }) {
            // The echo as usual, then the first bytes of the reply, then nothing ever again.
            silent = true
            var kept: [ScheduledOutput] = []
            var budget = truncation.bytes
            var lastDelay = 0
            for (index, output) in outputs.enumerated() {
                guard case .bytes(let bytes) = output.output else { continue }
                let isEcho = index == 0 && echo && !output.endsCommand
                let taken = isEcho ? bytes : Array(bytes.prefix(budget))
                if !isEcho { budget -= taken.count }
                if !taken.isEmpty {
                    kept.append(ScheduledOutput(delayMs: output.delayMs, output: .bytes(taken), endsCommand: false))
                    lastDelay = max(lastDelay, output.delayMs)
                }
            }
            // Silence one millisecond later, so the partial bytes leave before the device stops sending.
            kept.append(ScheduledOutput(delayMs: lastDelay + 1, output: .silence, endsCommand: true))
            return kept
        }
        return outputs
    }

    private mutating func makeGarbage(count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for _ in 0..<count {
            garbageSeed = garbageSeed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // 0x21...0xFE: printable ASCII and high bytes, never CR or LF.
            bytes.append(UInt8(0x21 + (garbageSeed >> 33) % 0xDE))
        }
        return bytes
    }

    // MARK: - Replies

    struct Reply {
        var lines: [String] = []
        var final: String = "OK"
        /// Added to the latency before the information lines and final result.
        var extraDelayMs = 0
        /// Lines sent after the final result, each `delayMs` after it.
        var followUps: [(delayMs: Int, line: String)] = []
    }

    private mutating func handle(_ commands: [ModemCommand]) -> Reply {
        var total = Reply()
        for command in commands {
            let reply = handle(command)
            total.lines += reply.lines
            total.extraDelayMs += reply.extraDelayMs
            total.followUps += reply.followUps
            total.final = reply.final
            if reply.final != "OK" { break }
        }
        return total
    }

    private var unknown: Reply { Reply(final: personality.unknownCommandReply) }

    /// The `+CME ERROR` (or plain `ERROR`) for a 27.007 error code in the current CMEE mode.
    func cmeError(_ code: Int) -> Reply {
        switch cmee {
        case 1: Reply(final: "+CME ERROR: \(code)")
        case 2: Reply(final: "+CME ERROR: \(ModemEngine.cmeMessages[code] ?? "unknown")")
        default: Reply(final: "ERROR")
        }
    }

    static let cmeMessages: [Int: String] = [
        3: "operation not allowed", 4: "operation not supported", 10: "SIM not inserted",
        11: "SIM PIN required", 12: "SIM PUK required", 13: "SIM failure", 14: "SIM busy",
        15: "SIM wrong", 16: "incorrect password", 30: "no network service", 100: "unknown",
    ]

    /// The error a SIM-dependent command gets while the SIM is locked, or nil when it is ready.
    private func simBlocker() -> Reply? {
        switch sim {
        case .ready: nil
        case .pin: cmeError(11)
        case .puk: cmeError(12)
        case .blocked: cmeError(13)
        }
    }

    private func identityLine(_ prefix: String, _ value: String) -> Reply {
        Reply(lines: [personality.identity.prefixedReplies ? "\(prefix): \(value)" : value])
    }

    /// Whether `command` needs the SIM: while the SIM is starting these answer SIM busy.
    static func needsSIM(_ command: ModemCommand) -> Bool {
        switch (command.name, command.form) {
        case ("+CPIN", .query), ("+CIMI", .action), ("^ICCID", .query), ("+CCID", _), ("+ICCID", _), ("+CRSM", .set),
             ("+ZGETICCID", .action), ("!ICCID", .query), ("+QCCID", .action), ("^SCID", .action), ("+CUSD", .set):
            return true
        default:
            return false
        }
    }

    private mutating func handle(_ command: ModemCommand) -> Reply {
        if simBusyLeft > 0, ModemEngine.needsSIM(command) {
            simBusyLeft -= 1
            return cmeError(14)
        }
        let identity = personality.identity
        switch (command.name, command.form) {
        case ("", .action), ("V1", .action), ("Q0", .action), ("&C1", .action), ("&D2", .action):
            return Reply()
        case ("Z", .action), ("&F", .action), ("Z0", .action), ("&F0", .action):
            echo = personality.echo
            cmee = personality.cmee
            unsolicitedEnabled = personality.unsolicited.enabled
            registrationModes = [:]
            copsFormat = 0
            return Reply()
        case ("E0", .action), ("E", .action):
            echo = false
            return Reply()
        case ("E1", .action):
            echo = true
            return Reply()
        case ("I", .action), ("I0", .action):
            let lines = identity.ati ?? [
                "Manufacturer: {manufacturer}", "Model: {model}", "Revision: {revision}", "IMEI: {imei}", identity.gcap,
            ]
            return Reply(lines: lines.map(substituteIdentity))
        case ("+CGMI", .action), ("+GMI", .action): return identityLine("+CGMI", identity.manufacturer)
        case ("+CGMM", .action), ("+GMM", .action): return identityLine("+CGMM", identity.model)
        case ("+CGMR", .action), ("+GMR", .action): return identityLine("+CGMR", identity.revision)
        case ("+CGSN", .action), ("+GSN", .action): return identityLine("+CGSN", identity.imei)
        case ("+GCAP", .action): return Reply(lines: [identity.gcap])
        case ("+CIMI", .action):
            return simBlocker() ?? Reply(lines: [personality.sim.imsi])
        case ("+CMEE", .set(let arguments)):
            guard let mode = arguments.first.flatMap({ Int($0) }), (0...2).contains(mode) else { return cmeError(3) }
            cmee = mode
            return Reply()
        case ("+CMEE", .query): return Reply(lines: ["+CMEE: \(cmee)"])
        case ("+CMEE", .test): return Reply(lines: ["+CMEE: (0-2)"])
        case ("^CURC", .set(let arguments)):
            guard let mode = arguments.first.flatMap({ Int($0) }), (0...1).contains(mode) else { return cmeError(3) }
            unsolicitedEnabled = mode == 1
            return Reply()
        case ("^CURC", .query): return Reply(lines: ["^CURC: \(unsolicitedEnabled ? 1 : 0)"])
        case ("+CPIN", .query): return Reply(lines: ["+CPIN: \(cpinText)"])
        case ("+CPIN", .set(let arguments)): return enterPIN(arguments)
        case ("^CPIN", .query):
            let (pinTries, pukTries): (Int, Int) = switch sim {
            case .ready: (personality.sim.pin.pinTries, personality.sim.pin.pukTries)
            case let .pin(left): (left, personality.sim.pin.pukTries)
            case let .puk(left): (0, left)
            case .blocked: (0, 0)
            }
            let current: String = switch sim {
            case .ready, .blocked: ""
            case let .pin(left): String(left)
            case let .puk(left): String(left)
            }
            return Reply(lines: ["^CPIN: \(cpinText),\(current),\(pukTries),\(pinTries),10,3"])
        case ("^ICCID", .query) where hasICCIDForm(.huawei):
            return Reply(lines: ["^ICCID: \(personality.sim.iccid)"])
        case ("+CCID", .action) where hasICCIDForm(.ccid), ("+CCID", .query) where hasICCIDForm(.ccid):
            return Reply(lines: ["+CCID: \(personality.sim.iccid)"])
        case ("+ICCID", .action) where hasICCIDForm(.iccid), ("+ICCID", .query) where hasICCIDForm(.iccid):
            return Reply(lines: ["+ICCID: \(personality.sim.iccid)"])
        case ("+ZGETICCID", .action) where hasICCIDForm(.zte):
            return Reply(lines: ["+ZGETICCID: \(personality.sim.iccid)"])
        case ("!ICCID", .query) where hasICCIDForm(.sierra):
            return Reply(lines: ["!ICCID: \(personality.sim.iccid)"])
        case ("+QCCID", .action) where hasICCIDForm(.quectel):
            return Reply(lines: ["+QCCID: \(personality.sim.iccid)"])
        case ("^SCID", .action) where hasICCIDForm(.cinterion):
            return Reply(lines: ["^SCID: \(personality.sim.iccid)"])
        case ("+CRSM", .set(let arguments)) where hasICCIDForm(.crsm):
            if arguments.count >= 2, arguments[0] == "176", arguments[1] == "12258" {
                return Reply(lines: ["+CRSM: 144,0,\"\(ModemEngine.swappedBCD(personality.sim.iccid))\""])
            }
            return Reply(lines: ["+CRSM: 106,130,\"\""])
        case ("+CSQ", .action):
            return Reply(lines: ["+CSQ: \(personality.network.rssi),\(personality.network.ber)"])
        case ("+CREG", .set(let arguments)), ("+CGREG", .set(let arguments)), ("+CEREG", .set(let arguments)):
            guard let mode = arguments.first.flatMap({ Int($0) }), (0...2).contains(mode) else { return cmeError(3) }
            registrationModes[command.name] = mode
            return Reply()
        case ("+CREG", .query), ("+CGREG", .query), ("+CEREG", .query):
            let stat = sim == .ready ? personality.network.registration : 0
            return Reply(lines: ["\(command.name): \(registrationModes[command.name] ?? 0),\(stat)"])
        case ("+COPS", .query):
            guard sim == .ready else { return Reply(lines: ["+COPS: 0"]) }
            let name = copsFormat == 2 ? network.profile.mccMnc : network.profile.name
            return Reply(lines: ["+COPS: 0,\(copsFormat),\"\(name)\",\(personality.network.accessTechnology)"])
        case ("+COPS", .set(let arguments)):
            if arguments.first == "3" {
                guard arguments.count == 2, let format = Int(arguments[1]), [0, 1, 2].contains(format) else { return cmeError(3) }
                copsFormat = format
                return Reply()
            }
            return simBlocker() ?? Reply()
        case ("^SYSINFO", .action) where personality.network.huaweiSystemInfo:
            guard sim == .ready else { return Reply(lines: ["^SYSINFO:0,0,0,0,1,,0"]) }
            let mode = [0: 3, 2: 5, 7: 17][personality.network.accessTechnology] ?? 5
            return Reply(lines: ["^SYSINFO:2,3,0,\(mode),1,,\(mode == 17 ? 0 : 4)"])
        case ("^SYSINFOEX", .action) where personality.network.huaweiSystemInfo:
            guard sim == .ready else { return Reply(lines: ["^SYSINFOEX:0,0,0,1,,0,\"\",0,\"\""]) }
            let (mode, name, sub, subName): (Int, String, Int, String) = switch personality.network.accessTechnology {
            case 0: (1, "GSM", 1, "GSM")
            case 7: (6, "LTE", 101, "LTE")
            default: (3, "WCDMA", 41, "WCDMA")
            }
            return Reply(lines: ["^SYSINFOEX:2,3,0,1,,\(mode),\"\(name)\",\(sub),\"\(subName)\""])
        case ("+CFUN", .query): return Reply(lines: ["+CFUN: 1"])
        case ("+CFUN", .set): return Reply()
        case ("+CSCS", .query): return Reply(lines: ["+CSCS: \"IRA\""])
        case ("+CSCS", .set): return Reply()
        case ("+CUSD", .set(let arguments)): return ussd(arguments)
        case ("+CUSD", .query): return Reply(lines: ["+CUSD: 1"])
        case ("^USSDMODE", .set(let arguments)) where personality.ussd.modeCommand:
            switch arguments.first {
            case "1": ussdMode = .packedGSM7
            case "0" where personality.ussd.allowTextMode: ussdMode = .text
            default: return cmeError(3)
            }
            return Reply()
        case ("^USSDMODE", .query) where personality.ussd.modeCommand:
            return Reply(lines: ["^USSDMODE: \(ussdMode == .packedGSM7 ? 1 : 0)"])
        case ("^SSID", _) where personality.wifi != nil,
             ("^WIKEY", _) where personality.wifi != nil,
             ("^DATALOCK", _) where personality.wifi != nil:
            return wifi(command)
        case (_, .test) where ModemEngine.knownNames.contains(command.name):
            return Reply()
        default:
            return unknown
        }
    }

    static let knownNames: Set<String> = [
        "+CGMI", "+CGMM", "+CGMR", "+CGSN", "+CIMI", "+CPIN", "+CSQ", "+CREG", "+CGREG", "+CEREG", "+COPS", "+CFUN",
        "+CSCS", "+CUSD", "+CMEE",
    ]

    private func hasICCIDForm(_ form: Personality.ICCIDForm) -> Bool {
        personality.sim.iccidForms.contains(form)
    }

    private var cpinText: String {
        switch sim {
        case .ready: "READY"
        case .pin: "SIM PIN"
        case .puk, .blocked: "SIM PUK"
        }
    }

    private func substituteIdentity(_ line: String) -> String {
        let identity = personality.identity
        return line
            .replacingOccurrences(of: "{manufacturer}", with: identity.manufacturer)
            .replacingOccurrences(of: "{model}", with: identity.model)
            .replacingOccurrences(of: "{revision}", with: identity.revision)
            .replacingOccurrences(of: "{imei}", with: identity.imei)
    }

    private mutating func enterPIN(_ arguments: [String]) -> Reply {
        switch sim {
        case .ready:
            return cmeError(3)
        case .blocked:
            return cmeError(13)
        case let .pin(left):
            guard arguments.count == 1 else { return cmeError(3) }
            if arguments[0] == pinCode {
                sim = .ready
                return Reply()
            }
            sim = left > 1 ? .pin(triesLeft: left - 1) : .puk(triesLeft: max(personality.sim.pin.pukTries, 1))
            return cmeError(16)
        case let .puk(left):
            guard arguments.count == 2 else { return cmeError(3) }
            if let puk = personality.sim.pin.puk, arguments[0] == puk {
                pinCode = arguments[1]
                sim = .ready
                return Reply()
            }
            sim = left > 1 ? .puk(triesLeft: left - 1) : .blocked
            return cmeError(16)
        }
    }

    // MARK: USSD

    private func ussd(_ arguments: [String]) -> Reply {
        guard let action = arguments.first.flatMap({ Int($0) }), (0...2).contains(action) else { return cmeError(3) }
        if action == 2 || arguments.count < 2 { return Reply() }
        if let blocked = simBlocker() { return blocked }
        guard let request = ModemEngine.decodeUSSDRequest(arguments[1], mode: ussdMode) else { return Reply(final: "ERROR") }
        let answer: OperatorNetwork.Reply
        do {
            answer = try network.handle(request: request, iccid: personality.sim.iccid)
        } catch {
            return cmeError(30)
        }
        let encoded = ModemEngine.encodeUSSDReply(answer.text, mode: personality.ussd.replyEncoding ?? ussdMode)
        let payload = encoded.payload
        let dcs = personality.ussd.replyDCS ?? encoded.dcs
        var line = "+CUSD: \(answer.status),\"\(payload)\",\(dcs)"
        var delay = answer.delayMs + personality.faults.cusdDelayMs
        if let replacement = personality.faults.cusdReplace.first(where: { CommandPattern.matches($0.command, currentLine) }) {
            line = replacement.line ?? line
            delay += replacement.extraDelayMs
        }
        switch personality.ussd.delivery {
        case .afterOK:
            return Reply(followUps: [(delay, line)])
        case .beforeOK:
            return Reply(lines: [line], extraDelayMs: delay)
        }
    }

    /// The request as the network gets it, from the `+CUSD` string written in `mode`; nil when it is not valid.
    static func decodeUSSDRequest(_ written: String, mode: Personality.USSDMode) -> String? {
        switch mode {
        case .text:
            return written
        case .packedGSM7:
            return try? GSM7.unpackUSSDHex(written)
        case .eightBitHex:
            guard let bytes = hexBytes(written) else { return nil }
            return String(bytes: bytes, encoding: .isoLatin1)
        case .ucs2Hex:
            return try? UCS2.decodeHex(written)
        }
    }

    /// The reply text as the device writes it in `mode`, with the DCS it announces.
    static func encodeUSSDReply(_ text: String, mode: Personality.USSDMode) -> (payload: String, dcs: Int) {
        switch mode {
        case .text:
            return (text, 15)
        case .packedGSM7:
            if let packed = try? GSM7.packUSSDHex(text) { return (packed, 15) }
            return (UCS2.encodeHex(text), 72)
        case .eightBitHex:
            if let latin = text.data(using: .isoLatin1) {
                return (latin.map { String(format: "%02X", $0) }.joined(), 15)
            }
            return (UCS2.encodeHex(text), 72)
        case .ucs2Hex:
            return (UCS2.encodeHex(text), 72)
        }
    }

    /// The bytes of an even-length hex string; nil for anything else.
    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let high = EscapedBytes.hexValue(digits[index]), let low = EscapedBytes.hexValue(digits[index + 1]) else {
                return nil
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    // MARK: Wi-Fi

    private mutating func wifi(_ command: ModemCommand) -> Reply {
        guard let store = personality.wifi else { return unknown }
        if command.name == "^DATALOCK" {
            switch command.form {
            case .set(let arguments):
                guard let code = store.dataLockCode else { return Reply() }
                guard arguments.first == code else { return Reply(final: "ERROR") }
                dataLocked = false
                return Reply()
            case .query:
                return Reply(lines: ["^DATALOCK: \(dataLocked ? 1 : 0)"])
            default:
                return Reply()
            }
        }
        guard !dataLocked else { return Reply(final: "ERROR") }
        let isSSID = command.name == "^SSID"
        switch command.form {
        case .query:
            let table = isSSID ? ssids : wifiKeys
            let lines = (0..<store.slots).map { slot in
                "\(command.name):\(slot),\"\(table[slot] ?? "")\""
            }
            return Reply(lines: lines)
        case .set(let arguments):
            guard arguments.count == 2, let slot = Int(arguments[0]), (0..<store.slots).contains(slot) else {
                return Reply(final: "ERROR")
            }
            let value = arguments[1]
            if isSSID {
                guard (1...32).contains(value.utf8.count) else { return Reply(final: "ERROR") }
                ssids[slot] = value
            } else {
                guard ModemEngine.isValidWPAKey(value) else { return Reply(final: "ERROR") }
                wifiKeys[slot] = value
            }
            return Reply()
        case .test:
            return Reply(lines: ["\(command.name): (0-\(store.slots - 1))"])
        case .action:
            return Reply(final: "ERROR")
        }
    }

    /// WPA2-PSK: 8–63 printable ASCII characters, or exactly 64 hex digits.
    static func isValidWPAKey(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        if bytes.count == 64 { return bytes.allSatisfy { EscapedBytes.hexValue($0) != nil } }
        return (8...63).contains(bytes.count) && bytes.allSatisfy { (0x20...0x7E).contains($0) }
    }

    /// The ICCID as EF_ICCID stores it: BCD with each byte's nibbles swapped, padded with F.
    public static func swappedBCD(_ iccid: String) -> String {
        var digits = Array(iccid.uppercased())
        while digits.count < 20 || digits.count % 2 == 1 { digits.append("F") }
        var out = ""
        var index = 0
        while index + 1 < digits.count {
            out.append(digits[index + 1])
            out.append(digits[index])
            index += 2
        }
        return out
    }
}
