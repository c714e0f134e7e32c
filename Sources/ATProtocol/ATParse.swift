/// Parsers for the information lines of one response, one function per command form.
///
/// Each takes `ATResponse.lines` (or one URC line) and returns a typed value or throws
/// `ATParseError`. Parsers skip lines that are not theirs, so stray vendor lines do not break them.
public enum ATParse {
    // MARK: Identity

    /// `+CGMI` / `+CGMM` / `+CGMR` (and `+GMI`...): the text, from `+CGMM: x` or a bare line.
    ///
    /// `prefix` is the command's response prefix, e.g. `+CGMM`; quotes around the value are removed.
    public static func identityText(_ lines: [String], prefix: String) throws(ATParseError) -> String {
        for line in lines {
            if let value = ATText.value(of: line, prefix: prefix) {
                let text = ATText.unquoted(value)
                if !text.isEmpty { return text }
            }
        }
        for line in lines where ATText.prefix(of: line) == nil {
            let text = ATText.unquoted(ATText.trimmed(line))
            if !text.isEmpty { return text }
        }
        throw .noInformation(command: prefix)
    }

    /// `+CGSN`: the IMEI, from a bare line, `+CGSN: <imei>`, `IMEI: <imei>`, quoted, or `<imei>,<serial>` (some
    /// firmwares print the serial number after it: `356936001568843,NL2A62Z0N5`). 14 or 15 digits; a wrong check
    /// digit is recorded in `luhnValid`, never refused (clones and rewritten IMEIs are real devices).
    public static func imei(_ lines: [String]) throws(ATParseError) -> IMEI {
        var malformed: ATParseError?
        for line in lines {
            let value = ATText.value(of: line, prefix: "+CGSN") ?? ATText.value(of: line, prefix: "+GSN")
                ?? ATText.value(of: line, prefix: "IMEI") ?? line
            let first = value.firstIndex(of: ",").map { value[..<$0] } ?? Substring(value)
            let text = ATText.unquoted(ATText.trimmed(first))
            guard !text.isEmpty, ATText.isDigits(text) else { continue }
            guard let imei = IMEI(digits: text) else {
                malformed = malformed ?? .malformed(command: "+CGSN", line: line,
                                                    reason: "IMEI must have 14 or 15 digits, got \(text.utf8.count)")
                continue
            }
            return imei
        }
        throw malformed ?? .noInformation(command: "+CGSN")
    }

    /// `+CIMI`: the IMSI, from a bare line or `+CIMI: <imsi>`; 6–15 digits, split into MCC/MNC.
    public static func imsi(_ lines: [String]) throws(ATParseError) -> IMSI {
        for line in lines {
            let value = ATText.value(of: line, prefix: "+CIMI") ?? line
            let digits = ATText.unquoted(ATText.trimmed(value))
            guard ATText.isDigits(digits) else { continue }
            guard let imsi = IMSI(validating: digits) else {
                throw .malformed(command: "+CIMI", line: line, reason: "IMSI must have 6 to 15 digits, got \(digits.utf8.count)")
            }
            return imsi
        }
        throw .noInformation(command: "+CIMI")
    }

    /// The ICCID response prefixes of the vendor commands, in the order they are tried.
    static let iccidPrefixes = ["^ICCID", "+CCID", "+ICCID", "+QCCID", "+ZGETICCID", "!ICCID", "#CCID", "+CICCID", "^SCID", "$QCCID", "ICCID"]

    /// `^ICCID?`, `+CCID`, `+ICCID`, `+QCCID`, `!ICCID?`, `#CCID` or a bare line: the ICCID.
    ///
    /// Accepts quotes, swapped BCD (recognised by a leading `98`) and `F` padding; requires E.118's form (`89`, 18 to 20
    /// characters, decimal in the first six; some issuers put hex letters after them). `luhnValid` reports the check
    /// digit.
    public static func iccid(_ lines: [String]) throws(ATParseError) -> ICCID {
        for line in lines {
            for prefix in iccidPrefixes {
                if let value = ATText.value(of: line, prefix: prefix) {
                    return try iccidValue(value, swapped: nil, command: prefix, line: line)
                }
            }
        }
        for line in lines where ATText.prefix(of: line) == nil {
            let candidate = ATText.unquoted(ATText.trimmed(line))
            if ATText.isHex(candidate), (18...22).contains(candidate.utf8.count) {
                return try iccidValue(candidate, swapped: nil, command: "ICCID", line: line)
            }
        }
        throw .noInformation(command: "ICCID")
    }

    /// `+CRSM: <sw1>,<sw2>,"<data>"` from READ BINARY of EF_ICCID: the ICCID.
    ///
    /// Status words other than `144,0` throw `.simStatus`; the data is swapped BCD unless it
    /// already starts with `89` (some modems decode it).
    public static func iccidFromCRSM(_ lines: [String]) throws(ATParseError) -> ICCID {
        for line in lines {
            guard let value = ATText.value(of: line, prefix: "+CRSM") else { continue }
            let fields = ATText.fields(value)
            guard fields.count >= 2, let sw1 = ATText.int(fields[0]), let sw2 = ATText.int(fields[1]) else {
                throw .malformed(command: "+CRSM", line: line, reason: "missing status words")
            }
            guard sw1 == 144, sw2 == 0 else { throw .simStatus(command: "+CRSM", sw1: sw1, sw2: sw2) }
            guard fields.count >= 3 else { throw .malformed(command: "+CRSM", line: line, reason: "no data") }
            let data = ATText.unquoted(fields[2]).uppercased()
            guard !data.isEmpty else { throw .malformed(command: "+CRSM", line: line, reason: "no data") }
            let head = String(data.prefix(20))
            return try iccidValue(head, swapped: !head.hasPrefix("89"), command: "+CRSM", line: line)
        }
        throw .noInformation(command: "+CRSM")
    }

    /// Normalises one ICCID value: unswaps BCD when asked (or when it starts with `98`), drops
    /// `F` padding, validates length and characters.
    static func iccidValue(_ raw: String, swapped: Bool?, command: String, line: String) throws(ATParseError) -> ICCID {
        var value = ATText.unquoted(ATText.trimmed(raw)).uppercased()
        guard ATText.isHex(value) else {
            throw .malformed(command: command, line: line, reason: "ICCID has characters other than hex digits")
        }
        let swap = swapped ?? (value.hasPrefix("98") && value.utf8.count % 2 == 0)
        if swap {
            guard value.utf8.count % 2 == 0 else {
                throw .malformed(command: command, line: line, reason: "swapped BCD needs an even number of digits")
            }
            var bytes = Array(value.utf8)
            var index = 0
            while index + 1 < bytes.count {
                bytes.swapAt(index, index + 1)
                index += 2
            }
            value = String(decoding: bytes, as: UTF8.self)
        }
        while value.hasSuffix("F") { value.removeLast() }
        // ITU-T E.118: the telecom industry identifier 89, then 16 to 18 more digits (the last a Luhn check digit,
        // recorded, not required). Anything else is a misread of the card, never filed as an ICCID.
        let count = value.utf8.count
        guard (18...20).contains(count) else {
            throw .malformed(command: command, line: line, reason: "ICCID must have 18 to 20 digits, got \(count)")
        }
        guard value.hasPrefix("89") else {
            throw .malformed(command: command, line: line, reason: "ICCID does not start with 89 (ITU-T E.118)")
        }
        // Some issuers (China Mobile's 898602…) put hex letters after the issuer number: real, and kept as read.
        guard ATText.isDigits(value.prefix(6)) else {
            throw .malformed(command: command, line: line, reason: "ICCID has hex letters in its first 6 digits")
        }
        return ICCID(digits: value)
    }

    /// `ATI`: maker, model, revision and IMEI from labeled lines, or from the first bare lines.
    public static func ati(_ lines: [String]) -> ATIInfo {
        var info = ATIInfo()
        var bare: [String] = []
        for line in lines {
            if ATText.prefix(of: line) != nil { continue }
            guard let colon = line.utf8.firstIndex(of: UInt8(ascii: ":")) else {
                bare.append(ATText.trimmed(line))
                continue
            }
            let label = ATText.upperBytes(ATText.trimmed(line[..<colon]))
            func value() -> String { ATText.unquoted(ATText.trimmed(line[line.utf8.index(after: colon)...])) }
            if label == atiManufacturer || label == atiManufacture {
                if info.manufacturer == nil { info.manufacturer = value() }
            } else if label == atiModel {
                if info.model == nil { info.model = value() }
            } else if atiRevisionLabels.contains(label) {
                if info.revision == nil { info.revision = value() }
            } else if label == atiIMEI {
                if info.imei == nil { info.imei = value() }
            }
        }
        if info.manufacturer == nil, info.model == nil, bare.count >= 2 {
            info.manufacturer = bare[0]
            info.model = bare[1]
        } else if info.manufacturer == nil, info.model == nil, bare.count == 1 {
            info.manufacturer = bare[0]
        }
        return info
    }

    private static let atiManufacturer = Array("MANUFACTURER".utf8)
    private static let atiManufacture = Array("MANUFACTURE".utf8)
    private static let atiModel = Array("MODEL".utf8)
    private static let atiIMEI = Array("IMEI".utf8)
    private static let atiRevisionLabels: [[UInt8]] = ["REVISION", "FIRMWARE", "FIRMWARE VERSION", "SOFTWARE VERSION"]
        .map { Array($0.utf8) }

    // MARK: SIM

    /// `+CPIN?` (or Huawei `^CPIN?`): what the SIM waits for.
    public static func pinState(_ lines: [String]) throws(ATParseError) -> SIMPinState {
        for line in lines {
            if let value = ATText.value(of: line, prefix: "+CPIN") ?? ATText.value(of: line, prefix: "^CPIN") {
                let code = ATText.fields(value).first ?? ""
                guard !ATText.unquoted(code).isEmpty else {
                    throw .malformed(command: "+CPIN", line: line, reason: "empty PIN code")
                }
                return SIMPinState(code: code)
            }
        }
        throw .noInformation(command: "+CPIN")
    }

    /// Huawei `^CPIN?`: `^CPIN: <code>,[<times>],<puk_times>,<pin_times>,<puk2_times>,<pin2_times>`.
    public static func pinRetries(_ lines: [String]) throws(ATParseError) -> SIMPinRetries {
        for line in lines {
            guard let value = ATText.value(of: line, prefix: "^CPIN") else { continue }
            let fields = ATText.fields(value)
            let code = fields.first ?? ""
            guard !ATText.unquoted(code).isEmpty else {
                throw .malformed(command: "^CPIN", line: line, reason: "empty PIN code")
            }
            func number(_ index: Int) -> Int? { index < fields.count ? ATText.int(fields[index]) : nil }
            return SIMPinRetries(state: SIMPinState(code: code), remaining: number(1), pinRemaining: number(3),
                                 pukRemaining: number(2), pin2Remaining: number(5), puk2Remaining: number(4))
        }
        throw .noInformation(command: "^CPIN")
    }

    // MARK: Network

    /// `+CSQ: <rssi>,<ber>`.
    public static func signalQuality(_ lines: [String]) throws(ATParseError) -> SignalQuality {
        for line in lines {
            guard let value = ATText.value(of: line, prefix: "+CSQ") else { continue }
            let fields = ATText.fields(value)
            guard fields.count >= 2, let rssi = ATText.int(fields[0]), let ber = ATText.int(fields[1]),
                  rssi >= 0, ber >= 0 else {
                throw .malformed(command: "+CSQ", line: line, reason: "expected two non-negative numbers")
            }
            return SignalQuality(rssi: rssi, ber: ber)
        }
        throw .noInformation(command: "+CSQ")
    }

    /// `+COPS?`: `+COPS: <mode>[,<format>,"<oper>"[,<AcT>]]`.
    public static func operatorSelection(_ lines: [String]) throws(ATParseError) -> OperatorSelection {
        for line in lines {
            guard let value = ATText.value(of: line, prefix: "+COPS") else { continue }
            let fields = ATText.fields(value)
            guard let mode = fields.first.flatMap(ATText.int) else {
                throw .malformed(command: "+COPS", line: line, reason: "missing mode")
            }
            let format = fields.count > 1 ? ATText.int(fields[1]) : nil
            let name = fields.count > 2 ? ATText.unquoted(fields[2]) : nil
            let act = fields.count > 3 ? ATText.int(fields[3]) : nil
            return OperatorSelection(mode: mode, format: format, operatorName: (name?.isEmpty ?? true) ? nil : name,
                                     accessTechnology: act)
        }
        throw .noInformation(command: "+COPS")
    }

    /// The registration prefixes `registration(_:)` recognises.
    static let registrationPrefixes = ["+CREG", "+CGREG", "+CEREG", "+C5GREG"]

    /// `+CREG?` / `+CGREG?` / `+CEREG?` answers: the line with `prefix` in query form (with `<n>`),
    /// else the last line with `prefix` (a report that slipped in is not the answer).
    public static func registration(_ lines: [String], prefix: String) throws(ATParseError) -> RegistrationStatus {
        var last: RegistrationStatus?
        for line in lines {
            if let value = ATText.value(of: line, prefix: prefix) {
                let status = try registrationValue(value, command: prefix, line: line)
                if status.n != nil { return status }
                last = status
            }
        }
        if let last { return last }
        throw .noInformation(command: prefix)
    }

    /// One `+CREG:` / `+CGREG:` / `+CEREG:` line, query answer or unsolicited, in any form:
    /// `n,stat` · `stat` · `n,stat,lac,ci[,act…]` · `stat,lac,ci[,act…]`.
    ///
    /// The forms are told apart by where the first quoted field is (lac is quoted) and, for
    /// unquoted firmwares, by the field count and whether the second field looks like a lac.
    public static func registration(_ line: String) throws(ATParseError) -> RegistrationStatus {
        for prefix in registrationPrefixes {
            if let value = ATText.value(of: line, prefix: prefix) {
                return try registrationValue(value, command: prefix, line: line)
            }
        }
        throw .noInformation(command: "+CREG")
    }

    static func registrationValue(_ value: String, command: String, line: String) throws(ATParseError) -> RegistrationStatus {
        let fields = ATText.fields(value)
        var hasN: Bool
        if let quoted = fields.firstIndex(where: ATText.isQuoted) {
            // The location area is the first quoted field: one field before it means stat only.
            switch quoted {
            case 0: throw .malformed(command: command, line: line, reason: "quoted status")
            case 1: hasN = false
            default: hasN = true
            }
        } else {
            switch fields.count {
            case 1, 3: hasN = false
            case 2: hasN = true
            default:
                // n,stat,lac,ci[,...] or stat,lac,ci,act[,...]: a second field that is a small
                // decimal (a valid status) means the first is <n>; a lac is hex and usually longer.
                let second = fields[1]
                hasN = ATText.isDigits(second) && second.utf8.count <= 3 && (Int(second) ?? 99) <= 11
            }
        }
        let statIndex = hasN ? 1 : 0
        guard statIndex < fields.count, let stat = ATText.int(fields[statIndex]) else {
            throw .malformed(command: command, line: line, reason: "missing registration status")
        }
        var n: Int?
        if hasN {
            guard let parsed = ATText.int(fields[0]) else {
                throw .malformed(command: command, line: line, reason: "<n> is not a number")
            }
            n = parsed
        }
        var rest = Array(fields.dropFirst(statIndex + 1))
        // Novatel E362 puts an extra short field between TAC and CI ("1F00, 20 ,79D903 ,7").
        if rest.count >= 4, !ATText.isQuoted(rest[1]), rest[1].utf8.count <= 2, rest[2].utf8.count >= 4,
           ATText.isDigits(rest[3]), rest[3].utf8.count <= 2 {
            rest.remove(at: 1)
        }
        /// A hex identifier without quotes or `0x`; garbled values (`"  0 5"`) give nil.
        func hexField(_ index: Int) -> String? {
            guard index < rest.count else { return nil }
            return ATText.withBytes(rest[index]) { bytes -> String? in
                var range = 0..<bytes.count
                if range.count >= 2, bytes[0] == 0x22, bytes[range.count - 1] == 0x22 { range = 1..<(range.count - 1) }
                if range.count >= 2, bytes[range.lowerBound] == 0x30, bytes[range.lowerBound + 1] | 0x20 == 0x78 {
                    range = (range.lowerBound + 2)..<range.upperBound   // "0x" / "0X"
                }
                guard !range.isEmpty, range.allSatisfy({ ATText.hexValue(bytes[$0]) != nil }) else { return nil }
                return String(unsafeUninitializedCapacity: range.count) { buffer in
                    for (offset, position) in range.enumerated() { buffer[offset] = ATText.upperASCII(bytes[position]) }
                    return range.count
                }
            }
        }
        let act = rest.count > 2 ? ATText.int(rest[2]) : nil
        return RegistrationStatus(n: n, stat: stat, lac: hexField(0), ci: hexField(1), act: act)
    }

    /// Huawei `^SYSINFO: <srv_status>,<srv_domain>,<roam_status>,<sys_mode>,<sim_state>[,...]`.
    public static func systemInfo(_ lines: [String]) throws(ATParseError) -> SystemInfo {
        for line in lines {
            guard let value = ATText.value(of: line, prefix: "^SYSINFO") else { continue }
            let numbers = ATText.fields(value).map(ATText.int)
            guard numbers.count >= 5, let srv = numbers[0], let domain = numbers[1], let roam = numbers[2],
                  let mode = numbers[3], let sim = numbers[4] else {
                throw .malformed(command: "^SYSINFO", line: line, reason: "expected five numbers")
            }
            return SystemInfo(srvStatus: srv, srvDomain: domain, roamStatus: roam, sysMode: mode, simState: sim)
        }
        throw .noInformation(command: "^SYSINFO")
    }

    /// Huawei `^SYSINFOEX: <srv_status>,<srv_domain>,<roam_status>,<sim_state>,<lock_state>,
    /// <sysmode>,<sysmode_name>,<submode>,<submode_name>`.
    public static func systemInfoEx(_ lines: [String]) throws(ATParseError) -> SystemInfoEx {
        for line in lines {
            guard let value = ATText.value(of: line, prefix: "^SYSINFOEX") else { continue }
            let fields = ATText.fields(value)
            guard fields.count >= 6, let srv = ATText.int(fields[0]), let domain = ATText.int(fields[1]),
                  let roam = ATText.int(fields[2]), let sim = ATText.int(fields[3]), let mode = ATText.int(fields[5]) else {
                throw .malformed(command: "^SYSINFOEX", line: line, reason: "expected at least six fields")
            }
            func text(_ index: Int) -> String? {
                guard index < fields.count else { return nil }
                let value = ATText.unquoted(fields[index])
                return value.isEmpty ? nil : value
            }
            return SystemInfoEx(srvStatus: srv, srvDomain: domain, roamStatus: roam, simState: sim, sysMode: mode,
                                sysModeName: text(6), subMode: fields.count > 7 ? ATText.int(fields[7]) : nil,
                                subModeName: text(8))
        }
        throw .noInformation(command: "^SYSINFOEX")
    }

    /// Huawei `^GETPORTMODE: TYPE: WCDMA: huawei,MDM:0,PCUI:1,NDIS:2,...`: the USB functions in order.
    ///
    /// A line naming only the vendor (no `NAME:number` pairs) gives an empty list, not an error.
    public static func portMode(_ lines: [String]) throws(ATParseError) -> [PortAssignment] {
        for line in lines {
            guard let value = ATText.value(of: line, prefix: "^GETPORTMODE") else { continue }
            // Byte-level: this runs for every ^GETPORTMODE reply (scripts/bench-at.sh).
            return ATText.withBytes(value) { bytes -> [PortAssignment] in
                var ports: [PortAssignment] = []
                var start = 0
                while start < bytes.count {
                    var end = start
                    while end < bytes.count, bytes[end] != 0x2C { end += 1 }
                    if let port = portAssignment(UnsafeBufferPointer(rebasing: bytes[start..<end])) { ports.append(port) }
                    start = end + 1
                }
                return ports
            }
        }
        throw .noInformation(command: "^GETPORTMODE")
    }

    /// One `NAME:number` segment of `^GETPORTMODE`; nil when it is not one (vendor name, garbage).
    static func portAssignment(_ segment: UnsafeBufferPointer<UInt8>) -> PortAssignment? {
        var colon = segment.count - 1
        while colon >= 0, segment[colon] != 0x3A { colon -= 1 }
        guard colon >= 0 else { return nil }
        let name = ATText.trimmedRange(segment, 0..<colon)
        let number = ATText.trimmedRange(segment, (colon + 1)..<segment.count)
        guard !name.isEmpty, let index = ATText.int(bytes: UnsafeBufferPointer(rebasing: segment[number])) else { return nil }
        var ascii = true
        for position in name {
            let byte = segment[position]
            if byte == 0x20 || byte == 0x3A { return nil }
            if byte >= 0x80 { ascii = false }
        }
        let text = ascii
            ? String(unsafeUninitializedCapacity: name.count) { buffer in
                for (offset, position) in name.enumerated() { buffer[offset] = ATText.upperASCII(segment[position]) }
                return name.count
            }
            : String(decoding: UnsafeBufferPointer(rebasing: segment[name]), as: UTF8.self).uppercased()
        return PortAssignment(name: text, index: index)
    }

    // MARK: Wi-Fi

    /// Huawei E5 `^SSID?`: `^SSID:<n>,"<ssid>"` lines, by index.
    public static func ssids(_ lines: [String]) throws(ATParseError) -> [Int: String] {
        try indexedStrings(lines, prefix: "^SSID")
    }

    /// Huawei E5 `^WIKEY?`: `^WIKEY:<n>,"<key>"` lines, by index. The values are secrets.
    public static func wifiKeys(_ lines: [String]) throws(ATParseError) -> [Int: String] {
        try indexedStrings(lines, prefix: "^WIKEY")
    }

    /// Lines `<prefix>:<n>,"<text>"` of any Wi-Fi store's read command, by index.
    public static func indexedValues(_ lines: [String], prefix: String) throws(ATParseError) -> [Int: String] {
        try indexedStrings(lines, prefix: prefix)
    }

    /// Lines `<prefix>:<n>,"<text>"`; the text is everything between the first and last quote.
    static func indexedStrings(_ lines: [String], prefix: String) throws(ATParseError) -> [Int: String] {
        var result: [Int: String] = [:]
        for line in lines {
            guard let value = ATText.value(of: line, prefix: prefix) else { continue }
            let index: Int
            var rest = Substring(value)
            if let comma = value.firstIndex(of: ","), let number = Int(ATText.trimmed(value[..<comma])) {
                index = number
                rest = value[value.index(after: comma)...]
            } else {
                index = result.count
            }
            let text: String
            if let open = rest.firstIndex(of: "\""), let close = rest.lastIndex(of: "\""), open < close {
                text = String(rest[rest.index(after: open)..<close])
            } else {
                text = ATText.trimmed(rest)
            }
            result[index] = text
        }
        if result.isEmpty { throw .noInformation(command: prefix) }
        return result
    }

    // MARK: USSD

    /// One `+CUSD: <m>[,"<str>"[,<dcs>]]` line (27.007 §7.15).
    ///
    /// The text between the first and the last quote is `rawText` (it may contain commas, quotes
    /// and line breaks); `text` is decoded by payload inspection (see `USSDTextDecoder`).
    public static func ussd(_ line: String) throws(ATParseError) -> USSDReply {
        guard let value = ATText.value(of: line, prefix: "+CUSD") else {
            throw .noInformation(command: "+CUSD")
        }
        let statusText: Substring
        var rawText: String?
        var dcs: Int?
        if let open = value.utf8.firstIndex(of: 0x22), let close = value.utf8.lastIndex(of: 0x22), open < close {
            statusText = value[..<open].drop(while: { $0 == " " })
            rawText = String(value[value.utf8.index(after: open)..<close])
            let tail = ATText.trimmed(value[value.utf8.index(after: close)...])
            if tail.hasPrefix(",") {
                let number = ATText.trimmed(tail.dropFirst())
                if !number.isEmpty {
                    guard let parsed = Int(number) else {
                        throw .malformed(command: "+CUSD", line: line, reason: "DCS is not a number")
                    }
                    dcs = parsed
                }
            }
        } else {
            let fields = ATText.fields(value)
            statusText = Substring(fields[0])
            if fields.count > 1, !fields[1].isEmpty { rawText = ATText.unquoted(fields[1]) }
            if fields.count > 2 { dcs = ATText.int(fields[2]) }
        }
        var statusDigits = ATText.trimmed(statusText)
        if statusDigits.hasSuffix(",") { statusDigits = ATText.trimmed(statusDigits.dropLast()) }
        guard let status = Int(statusDigits), (0...5).contains(status) else {
            throw .malformed(command: "+CUSD", line: line, reason: "status must be 0 to 5")
        }
        let text = rawText.map { USSDTextDecoder.decode($0, dcs: dcs) }
        return USSDReply(status: status, text: text, rawText: rawText, dcs: dcs)
    }
}
