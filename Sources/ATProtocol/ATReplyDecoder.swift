/// Decodes a captured modem reply into JSON, for `hotspotctl decode` and fixture tests.
///
/// The bytes go through `ATLineFramer` and `ATResponseAssembler` exactly as on a live port (the
/// end of the capture ends its last line). The parser is chosen from `command` (e.g. `AT+CSQ`),
/// or, when `command` is nil, from the first line whose prefix a parser knows (a `+CREG:`-style
/// line without a final result is decoded as an unsolicited report). When several `+CUSD` or
/// registration reports arrive, the last one is decoded. Output keys:
///
/// | Command / line | Keys |
/// |---|---|
/// | ICCID forms, `+CRSM` | `iccid`, `luhnValid` |
/// | `+CUSD` | `status`, `text`, `dcs`, `rawText` (null when absent) |
/// | `+CSQ` | `rssi`, `ber` |
/// | `+CPIN?` | `state` (`READY`, `SIM PIN`, `SIM PUK`, ...) |
/// | `^CPIN?` | `state`, `remaining`, `pinRemaining`, `pukRemaining`, `pin2Remaining`, `puk2Remaining` |
/// | `+CGSN` | `imei`, `luhnValid` |
/// | `+CIMI` | `imsi`, `mcc`, `mnc` |
/// | `ATI` | `manufacturer`, `model`, `revision`, `imei` (null when absent) |
/// | `+CGMI` / `+CGMM` / `+CGMR` | `text` |
/// | `+COPS?` | `mode`, `format`, `operator`, `act` |
/// | `+CREG?` / `+CGREG?` / `+CEREG?` and URCs | `stat`, `lac`, `ci`, `act` (+ `n` when present; lac/ci uppercase hex) |
/// | `^SYSINFO` | `srvStatus`, `srvDomain`, `roamStatus`, `sysMode`, `simState` |
/// | `^SYSINFOEX` | `srvStatus`, `srvDomain`, `roamStatus`, `simState`, `sysMode`, `sysModeName`, `subMode`, `subModeName` |
/// | `^GETPORTMODE` | `ports`: `{"PCUI": 1, ...}` |
/// | `^SSID?` / `^WIKEY?` | `ssids` / `keys`: `{"0": "..."}` |
/// | other commands | `lines` when there were information lines |
///
/// Every reply that ended with `OK` also has `ok: true` (alone for a bare `OK`).
///
/// Errors set `isError` and give `error`: `{"kind": "cme"|"cms"|"error"|"noCarrier"|"busy"|
/// "noAnswer"|"noDialtone"|"commandNotSupported", "code": n|null, "message": text}` for error
/// finals; `{"kind": "parse", "command", "line", "reason"}` when the lines do not parse;
/// `{"kind": "simStatus", "command", "sw1", "sw2", "reason"}` for `+CRSM` failures;
/// `{"kind": "replyTooLarge", "command"}`; `{"kind": "incomplete", "command", "reason"}` when no
/// final result and nothing parsable arrived. URC lines other than the one decoded are listed
/// under `unsolicited` (an array of strings) when there are any.
public enum ATReplyDecoder {
    /// Decodes `reply` (raw bytes as read from the port) as the answer to `command`.
    public static func decode(command: String?, reply: [UInt8]) -> ATDecodeResult {
        decode(command: command, chunks: [reply])
    }

    /// Decodes a reply delivered in several reads; the result does not depend on the split.
    static func decode(command: String?, chunks: [[UInt8]]) -> ATDecodeResult {
        var framer = ATLineFramer()
        var framed: [ATFramedLine] = []
        for chunk in chunks { framed.append(contentsOf: framer.append(chunk)) }
        framed.append(contentsOf: framer.finish())

        let given = command.map { ATText.trimmed($0) }.flatMap { $0.isEmpty ? nil : $0 }
        let commandText: String?
        let kind: Kind
        if let given {
            commandText = given
            kind = Kind(command: given)
        } else if let inferred = inferKind(from: framed) {
            commandText = inferred.command
            kind = inferred.kind
        } else {
            commandText = framed.contains(where: { if case .line(let line) = $0 { ATFinalResult.parse(line) != nil } else { false } })
                ? "AT" : nil
            kind = .generic
        }

        var assembler = ATResponseAssembler()
        if let commandText { assembler.begin(command: commandText) }
        var unsolicited: [ATUnsolicited] = []
        var response: ATResponse?
        var tooLarge = false
        for item in framed {
            switch assembler.consume(item) {
            case .unsolicited(let urc)?: unsolicited.append(urc)
            case .response(let reply)?: if response == nil && !tooLarge { response = reply }
            case .replyTooLarge?: tooLarge = true
            case nil: break
            }
        }
        let pendingLines = assembler.collectedLines

        var object = JSONObject()
        var isError = false
        var consumedURC: Int?
        let name = commandText.map { ATResponseAssembler.commandName($0).name } ?? ""

        if tooLarge {
            object["error"] = .object(JSONObject([("kind", "replyTooLarge"), ("command", .string(commandText ?? ""))]))
            isError = true
        } else if let response, response.final != .ok {
            object["error"] = errorValue(response.final)
            isError = true
        } else if kind == .ussd {
            if let index = unsolicited.lastIndex(where: { $0.name.uppercased() == "+CUSD" }) {
                consumedURC = index
                isError = !fill(&object, kind: kind, lines: [unsolicited[index].line], command: name)
            } else if response != nil {
                object["ok"] = true
            } else {
                object["error"] = incomplete(commandText)
                isError = true
            }
        } else if commandText == nil {
            if case .registration = kind,
               let index = unsolicited.lastIndex(where: { ATParse.registrationPrefixes.contains($0.name.uppercased()) }) {
                // An unsolicited registration report decoded on its own.
                consumedURC = index
                isError = !fill(&object, kind: kind, lines: [unsolicited[index].line], command: "")
            } else if let unknown = unsolicited.first(where: { !ATResponseAssembler.isKnownUnsolicited($0.line) })
                        ?? (unsolicited.isEmpty ? ATUnsolicited(name: "", line: "") : nil) {
                // No command and a line that is neither a known report nor decodable.
                object["error"] = .object(JSONObject([
                    ("kind", "parse"), ("command", .null), ("line", unknown.line.isEmpty ? .null : .string(unknown.line)),
                    ("reason", "no command given and no line with a known prefix"),
                ]))
                isError = true
            }
        } else {
            let lines = response?.lines ?? pendingLines
            if kind == .generic {
                if response == nil {
                    object["error"] = incomplete(commandText)
                    isError = true
                } else {
                    object["ok"] = true
                    if !lines.isEmpty { object["lines"] = .array(lines.map { .string($0) }) }
                }
            } else if response == nil && lines.isEmpty {
                // URC-only capture for a registration report, or a truncated reply.
                if case .registration = kind,
                   let index = unsolicited.firstIndex(where: { ATParse.registrationPrefixes.contains($0.name.uppercased()) }) {
                    consumedURC = index
                    isError = !fill(&object, kind: kind, lines: [unsolicited[index].line], command: name)
                } else {
                    object["error"] = incomplete(commandText)
                    isError = true
                }
            } else {
                isError = !fill(&object, kind: kind, lines: lines, command: name)
            }
        }
        if response?.final == .ok { object["ok"] = true }
        var remaining = unsolicited
        if let consumedURC { remaining.remove(at: consumedURC) }
        if !remaining.isEmpty { object["unsolicited"] = .array(remaining.map { .string($0.line) }) }
        return ATDecodeResult(value: .object(object), isError: isError)
    }

    // MARK: - Parser selection

    /// Which parser a command's reply goes through.
    enum Kind: Equatable {
        case imei, imsi, ati, identity(String), iccid, crsm, pin, huaweiPin, signal, operatorSelection
        case registration(String), systemInfo, systemInfoEx, portMode, ssids, wifiKeys, ussd, generic

        init(command: String) {
            let (name, _) = ATResponseAssembler.commandName(command)
            let form = ATReplyDecoder.form(of: command, name: name)
            if form == .test { self = .generic; return }
            switch name {
            case "+CGSN", "+GSN": self = .imei
            case "+CIMI": self = .imsi
            case "I": self = .ati
            case "+CGMI", "+GMI": self = .identity("+CGMI")
            case "+CGMM", "+GMM": self = .identity("+CGMM")
            case "+CGMR", "+GMR": self = .identity("+CGMR")
            case "^ICCID", "+CCID", "+ICCID", "+QCCID", "+ZGETICCID", "!ICCID", "#CCID", "+CICCID", "^SCID", "$QCCID": self = .iccid
            case "+CRSM": self = .crsm
            case "+CPIN": self = form == .query ? .pin : .generic
            case "^CPIN": self = form == .query ? .huaweiPin : .generic
            case "+CSQ": self = .signal
            case "+COPS": self = form == .query ? .operatorSelection : .generic
            case "+CREG", "+CGREG", "+CEREG", "+C5GREG": self = form == .set ? .generic : .registration(name)
            case "^SYSINFO": self = .systemInfo
            case "^SYSINFOEX": self = .systemInfoEx
            case "^GETPORTMODE": self = .portMode
            case "^SSID": self = form == .set ? .generic : .ssids
            case "^WIKEY": self = form == .set ? .generic : .wifiKeys
            case "+CUSD": self = form == .set ? .ussd : .generic
            default: self = .generic
            }
        }
    }

    enum Form { case action, query, set, test }

    static func form(of command: String, name: String) -> Form {
        let rest = ATResponseAssembler.commandParts(command).rest
        if rest.hasPrefix("=?") { return .test }
        if rest.hasPrefix("?") { return .query }
        if rest.hasPrefix("=") { return .set }
        return .action
    }

    /// Line prefix → the command whose reply it is, for captures decoded without a command.
    static let commandForPrefix: [String: String] = [
        "+CUSD": "AT+CUSD=1", "+CSQ": "AT+CSQ", "+CPIN": "AT+CPIN?", "^CPIN": "AT^CPIN?",
        "+CGSN": "AT+CGSN", "+CIMI": "AT+CIMI", "+CGMI": "AT+CGMI", "+CGMM": "AT+CGMM", "+CGMR": "AT+CGMR",
        "+COPS": "AT+COPS?", "+CREG": "AT+CREG?", "+CGREG": "AT+CGREG?", "+CEREG": "AT+CEREG?",
        "+C5GREG": "AT+C5GREG?", "^SYSINFO": "AT^SYSINFO", "^SYSINFOEX": "AT^SYSINFOEX",
        "^GETPORTMODE": "AT^GETPORTMODE", "^SSID": "AT^SSID?", "^WIKEY": "AT^WIKEY?",
        "^ICCID": "AT^ICCID?", "+CCID": "AT+CCID", "+ICCID": "AT+ICCID", "+QCCID": "AT+QCCID", "+ZGETICCID": "AT+ZGETICCID",
        "!ICCID": "AT!ICCID?", "#CCID": "AT#CCID", "+CICCID": "AT+CICCID", "^SCID": "AT^SCID",
        "+CRSM": "AT+CRSM=176,12258,0,0,10",
    ]

    /// Infers the command from the first line with a known prefix. A registration line without a
    /// final result is an unsolicited report, decoded as such.
    static func inferKind(from framed: [ATFramedLine]) -> (command: String?, kind: Kind)? {
        var hasFinal = false
        var found: String?
        for item in framed {
            guard case .line(let line) = item else { continue }
            if ATFinalResult.parse(line) != nil { hasFinal = true; continue }
            if found == nil, let prefix = ATText.prefix(of: line), commandForPrefix[prefix.uppercased()] != nil {
                found = prefix.uppercased()
            }
        }
        guard let found, let command = commandForPrefix[found] else { return nil }
        let kind = Kind(command: command)
        if case .registration = kind, !hasFinal { return (nil, kind) }
        return (command, kind)
    }

    // MARK: - Output

    /// Runs the parser for `kind` and writes its keys; returns false (and writes `error`) on failure.
    static func fill(_ object: inout JSONObject, kind: Kind, lines: [String], command: String) -> Bool {
        do throws(ATParseError) {
            switch kind {
            case .imei:
                let imei = try ATParse.imei(lines)
                object["imei"] = .string(imei.digits)
                object["luhnValid"] = .bool(imei.luhnValid)
            case .imsi:
                let imsi = try ATParse.imsi(lines)
                object["imsi"] = .string(imsi.digits)
                object["mcc"] = .string(imsi.mcc)
                object["mnc"] = .string(imsi.mnc)
            case .ati:
                let info = ATParse.ati(lines)
                object["manufacturer"] = optional(info.manufacturer)
                object["model"] = optional(info.model)
                object["revision"] = optional(info.revision)
                object["imei"] = optional(info.imei)
            case .identity(let prefix):
                object["text"] = .string(try ATParse.identityText(lines, prefix: prefix))
            case .iccid, .crsm:
                let iccid = kind == .crsm ? try ATParse.iccidFromCRSM(lines) : try ATParse.iccid(lines)
                object["iccid"] = .string(iccid.digits)
                object["luhnValid"] = .bool(iccid.luhnValid)
            case .pin:
                object["state"] = .string(try ATParse.pinState(lines).code)
            case .huaweiPin:
                let retries = try ATParse.pinRetries(lines)
                object["state"] = .string(retries.state.code)
                object["remaining"] = optional(retries.remaining)
                object["pinRemaining"] = optional(retries.pinRemaining)
                object["pukRemaining"] = optional(retries.pukRemaining)
                object["pin2Remaining"] = optional(retries.pin2Remaining)
                object["puk2Remaining"] = optional(retries.puk2Remaining)
            case .signal:
                let quality = try ATParse.signalQuality(lines)
                object["rssi"] = .int(quality.rssi)
                object["ber"] = .int(quality.ber)
            case .operatorSelection:
                let selection = try ATParse.operatorSelection(lines)
                object["mode"] = .int(selection.mode)
                object["format"] = optional(selection.format)
                object["operator"] = optional(selection.operatorName)
                object["act"] = optional(selection.accessTechnology)
            case .registration(let prefix):
                let status: RegistrationStatus
                if lines.count == 1, ATText.prefix(of: lines[0]) != nil {
                    status = try ATParse.registration(lines[0])
                } else {
                    status = try ATParse.registration(lines, prefix: prefix)
                }
                if let n = status.n { object["n"] = .int(n) }
                object["stat"] = .int(status.stat)
                object["lac"] = optional(status.lac)
                object["ci"] = optional(status.ci)
                object["act"] = optional(status.act)
            case .systemInfo:
                let info = try ATParse.systemInfo(lines)
                object["srvStatus"] = .int(info.srvStatus)
                object["srvDomain"] = .int(info.srvDomain)
                object["roamStatus"] = .int(info.roamStatus)
                object["sysMode"] = .int(info.sysMode)
                object["simState"] = .int(info.simState)
            case .systemInfoEx:
                let info = try ATParse.systemInfoEx(lines)
                object["srvStatus"] = .int(info.srvStatus)
                object["srvDomain"] = .int(info.srvDomain)
                object["roamStatus"] = .int(info.roamStatus)
                object["simState"] = .int(info.simState)
                object["sysMode"] = .int(info.sysMode)
                object["sysModeName"] = optional(info.sysModeName)
                object["subMode"] = optional(info.subMode)
                object["subModeName"] = optional(info.subModeName)
            case .portMode:
                let ports = try ATParse.portMode(lines)
                object["ports"] = .object(JSONObject(ports.map { ($0.name, .int($0.index)) }))
            case .ssids:
                let ssids = try ATParse.ssids(lines)
                object["ssids"] = .object(JSONObject(ssids.keys.sorted().map { (String($0), .string(ssids[$0] ?? "")) }))
            case .wifiKeys:
                let keys = try ATParse.wifiKeys(lines)
                object["keys"] = .object(JSONObject(keys.keys.sorted().map { (String($0), .string(keys[$0] ?? "")) }))
            case .ussd:
                let reply = try ATParse.ussd(lines.first ?? "")
                object["status"] = .int(reply.status)
                object["text"] = optional(reply.text)
                object["dcs"] = optional(reply.dcs)
                object["rawText"] = optional(reply.rawText)
            case .generic:
                object["ok"] = true
                if !lines.isEmpty { object["lines"] = .array(lines.map { .string($0) }) }
            }
            return true
        } catch {
            object["error"] = parseErrorValue(error, fallbackCommand: command)
            return false
        }
    }

    static func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
    static func optional(_ value: Int?) -> JSONValue { value.map { .int($0) } ?? .null }

    static func incomplete(_ command: String?) -> JSONValue {
        .object(JSONObject([
            ("kind", "incomplete"), ("command", optional(command)), ("reason", "no final result and no information"),
        ]))
    }

    /// The `error` object for a non-OK final result.
    static func errorValue(_ final: ATFinalResult) -> JSONValue {
        let kind: String
        var code: Int?
        let message: String
        switch final {
        case .ok: kind = "ok"; message = "OK"
        case .error: kind = "error"; message = "ERROR"
        case .cme(let error): kind = "cme"; code = error.code; message = error.message
        case .cms(let error): kind = "cms"; code = error.code; message = error.message
        case .noCarrier: kind = "noCarrier"; message = "NO CARRIER"
        case .busy: kind = "busy"; message = "BUSY"
        case .noAnswer: kind = "noAnswer"; message = "NO ANSWER"
        case .noDialtone: kind = "noDialtone"; message = "NO DIALTONE"
        case .commandNotSupported: kind = "commandNotSupported"; message = "COMMAND NOT SUPPORT"
        }
        return .object(JSONObject([("kind", .string(kind)), ("code", optional(code)), ("message", .string(message))]))
    }

    /// The `error` object for a parser failure.
    static func parseErrorValue(_ error: ATParseError, fallbackCommand: String) -> JSONValue {
        switch error {
        case .noInformation(let command):
            return .object(JSONObject([
                ("kind", "parse"), ("command", .string(command)), ("line", .null), ("reason", "no information line"),
            ]))
        case .malformed(let command, let line, let reason):
            return .object(JSONObject([
                ("kind", "parse"), ("command", .string(command)), ("line", .string(line)), ("reason", .string(reason)),
            ]))
        case .simStatus(let command, let sw1, let sw2):
            let words = ATText.hexString([UInt8(truncatingIfNeeded: sw1), UInt8(truncatingIfNeeded: sw2)])
            return .object(JSONObject([
                ("kind", "simStatus"), ("command", .string(command)), ("sw1", .int(sw1)), ("sw2", .int(sw2)),
                ("reason", .string("SIM status words \(words)")),
            ]))
        }
    }
}
