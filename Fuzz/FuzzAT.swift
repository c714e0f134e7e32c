// libFuzzer harness for the pure ATProtocol target (issue 3 evidence).
//
// Built by scripts/fuzz.sh by compiling Sources/ATProtocol/*.swift together with this file into
// one module (so `internal` helpers such as the chunked decoder are reachable). Input layout:
//   byte 0: bits 0-3 pick the command in flight (`FuzzAT.commands`), bit 4 selects tiny limits
//           (line 48 bytes, reply 256 bytes) so overflow and replyTooLarge paths run, bits 5-6
//           pick the stage: 0 framer + assembler + every parser, 1 offline decoder whole and
//           split, 2 codecs, 3 command builders (bit 7 is ignored). One stage per execution keeps
//           an execution cheap (all of them at once ran ~1.4k exec/s); together they cover it all;
//   byte 1: where the reply is split into two reads, and the DCS / builder index;
//   rest:   the reply bytes as read from the port, also used as text for codecs and builders.
// Invariants checked with a trap (`FuzzAT.fail`): framing and decoding do not depend on the
// read split; framed lines hold no CR/LF/NUL and are not empty; built commands are printable
// ASCII with no CR, LF, `;`, Ctrl-Z or ESC and exactly the builder's own quotes; codecs round-trip.

enum FuzzAT {
    /// The commands a daemon sends whose replies are parsed (nil = offline decode, no command).
    static let commands: [String?] = [
        "AT+CGSN", "AT+CIMI", "AT^ICCID?", "AT+CRSM=176,12258,0,0,10", "AT+CPIN?", "AT^CPIN?",
        "AT+CSQ", "AT+COPS?", "AT+CREG?", "AT^SYSINFO", "AT^SYSINFOEX", "AT^GETPORTMODE", "AT^SSID?",
        "AT+CUSD=1,\"*100#\",15", "ATI", nil,
    ]

    /// Stops the process so libFuzzer records the input; the message says which invariant broke.
    static func fail(_ message: String) -> Never {
        fatalError("FUZZ INVARIANT: " + message)
    }

    static func run(_ input: UnsafeBufferPointer<UInt8>) {
        guard input.count >= 2 else { return }
        let selector = input[0]
        let knob = Int(input[1])
        let payload = Array(input[2...])
        let command = commands[Int(selector & 0x0F)]
        let tiny = selector & 0x10 != 0
        let maxLine = tiny ? 48 : 4096
        let maxReply = tiny ? 256 : 16384
        let split = payload.isEmpty ? 0 : knob % (payload.count + 1)
        switch (selector >> 5) & 0x03 {
        case 0: checkFramingAndParsers(payload, command: command, maxLine: maxLine, maxReply: maxReply, split: split)
        case 1: checkDecoder(payload, command: command, split: split)
        case 2: checkCodecs(payload, knob: knob)
        default: checkBuilders(payload, knob: knob)
        }
    }

    /// Stages 1 and 2: framing is split-invariant and well-formed; every parser runs on the lines.
    static func checkFramingAndParsers(_ payload: [UInt8], command: String?, maxLine: Int, maxReply: Int, split: Int) {
        // 1. Framing in two reads must equal framing in one.
        var framer = ATLineFramer(maxLineLength: maxLine)
        var framed = framer.append(payload[..<split])
        framed += framer.append(payload[split...])
        framed += framer.finish()
        var whole = ATLineFramer(maxLineLength: maxLine)
        var framedWhole = whole.append(payload)
        framedWhole += whole.finish()
        if framed != framedWhole { fail("framer result depends on the read split at \(split)") }
        for item in framed {
            guard case .line(let line) = item else { continue }
            if line.isEmpty { fail("framer delivered an empty line") }
            if line.utf8.contains(0) { fail("framer delivered a NUL byte") }
            // Line breaks survive only inside a multi-line +CUSD quoted text.
            if !ATText.hasPrefixIgnoringCase(line.utf8, Array("+CUSD".utf8)), line.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) {
                fail("framer delivered a line break outside +CUSD text")
            }
        }

        // 2. Assembling for the command in flight, then every parser on what came out.
        var assembler = ATResponseAssembler(maxReplyBytes: maxReply)
        if let command { assembler.begin(command: command) }
        var lines: [String] = []
        var responseLines: [String] = []
        for item in framed {
            if case .line(let line) = item { lines.append(line) }
            switch assembler.consume(item) {
            case .response(let response)?:
                responseLines += response.lines
                _ = response.isOK
            case .unsolicited(let urc)?:
                if urc.line.isEmpty { fail("empty unsolicited line") }
            case .replyTooLarge?, nil:
                break
            }
        }
        if assembler.isAwaitingReply { assembler.abandon() }
        if assembler.isAwaitingReply { fail("abandon() left a command in flight") }
        runParsers(responseLines)
        runParsers(lines)
        for line in lines {
            _ = try? ATParse.ussd(line)
            _ = try? ATParse.registration(line)
            _ = ATFinalResult.parse(line)
        }

    }

    /// Stage 3: the offline decoder gives the same result whatever the read split.
    static func checkDecoder(_ payload: [UInt8], command: String?, split: Int) {
        // 3. The offline decoder, whole and split.
        let decoded = ATReplyDecoder.decode(command: command, reply: payload)
        let decodedSplit = ATReplyDecoder.decode(command: command, chunks: [Array(payload[..<split]), Array(payload[split...])])
        if decoded != decodedSplit { fail("decoder result depends on the read split at \(split)") }

    }

    /// Stage 4: codecs on the payload; what round-trips must round-trip.
    static func checkCodecs(_ payload: [UInt8], knob: Int) {
        // 4. Codecs on the payload as text.
        let text = String(decoding: payload, as: UTF8.self)
        _ = try? GSM7.unpackUSSDHex(text)
        if let decodedUCS2 = try? UCS2.decodeHex(text) {
            let trimmed = ATText.trimmed(text).uppercased()
            if UCS2.encodeHex(decodedUCS2) != trimmed { fail("UCS2 hex does not round-trip") }
        }
        _ = UCS2.decode(bytes: payload)
        _ = USSDTextDecoder.decode(text, dcs: knob)
        _ = USSDTextDecoder.decode(text, dcs: nil)
        for set in ATCharacterSet.allCases {
            _ = try? set.decode(text)
            _ = try? set.decode(bytes: payload)
        }
        if let packed = try? GSM7.packUSSDHex(text) {
            guard let back = try? GSM7.unpackUSSDHex(packed) else { fail("packed GSM7 does not unpack") }
            let original = Array(text.unicodeScalars)
            let returned = Array(back.unicodeScalars)
            // TS 23.038 6.1.2.3.1: a wanted final CR on an octet boundary comes back doubled.
            let doubledCR = original.last == "\r" && returned == original + ["\r"]
            if returned != original && !doubledCR { fail("GSM7 USSD packing does not round-trip") }
        }

    }

    /// Stage 5: builders on the payload as a string: whatever they accept must be safe to send.
    static func checkBuilders(_ payload: [UInt8], knob: Int) {
        let text = String(decoding: payload, as: UTF8.self)
        let index = knob % 6 - 1   // -1...4: out-of-range indexes too
        for encoding in [USSDRequestEncoding.text, .packedGSM7] {
            if let built = try? ATCommand.ussd(text, encoding: encoding) {
                checkBuilt(built, quotes: 2)
                if encoding == .packedGSM7 {
                    let hex = built.dropFirst("AT+CUSD=1,\"".count).dropLast("\",15".count)
                    guard (try? GSM7.unpackUSSDHex(String(hex))) == text else { fail("packed USSD request does not round-trip") }
                } else if built != "AT+CUSD=1,\"\(text)\",15" {
                    fail("USSD text request altered")
                }
            }
        }
        if let built = try? ATCommand.setSSID(index: index, ssid: text) {
            if !(0...3).contains(index) { fail("setSSID accepted index \(index)") }
            checkBuilt(built, quotes: 2)
        }
        if let built = try? ATCommand.setWPAKey(index: index, key: text) {
            if !(0...3).contains(index) { fail("setWPAKey accepted index \(index)") }
            checkBuilt(built, quotes: 2)
        }
        if let built = try? ATCommand.enterPIN(text) { checkBuilt(built, quotes: 2) }
        if let built = try? ATCommand.dataLock(text) { checkBuilt(built, quotes: 2) }
        let cut = text.unicodeScalars.count == 0 ? 0 : knob % (text.unicodeScalars.count + 1)
        let scalars = text.unicodeScalars
        let first = String(String.UnicodeScalarView(scalars.prefix(cut)))
        let second = String(String.UnicodeScalarView(scalars.dropFirst(cut)))
        if let built = try? ATCommand.enterPUK(first, newPIN: second) { checkBuilt(built, quotes: 4) }
    }

    static func runParsers(_ lines: [String]) {
        _ = try? ATParse.identityText(lines, prefix: "+CGMM")
        _ = try? ATParse.imei(lines)
        _ = try? ATParse.imsi(lines)
        _ = try? ATParse.iccid(lines)
        _ = try? ATParse.iccidFromCRSM(lines)
        _ = ATParse.ati(lines)
        _ = try? ATParse.pinState(lines)
        _ = try? ATParse.pinRetries(lines)
        _ = try? ATParse.signalQuality(lines)
        _ = try? ATParse.operatorSelection(lines)
        _ = try? ATParse.registration(lines, prefix: "+CREG")
        _ = try? ATParse.systemInfo(lines)
        _ = try? ATParse.systemInfoEx(lines)
        _ = try? ATParse.portMode(lines)
        _ = try? ATParse.ssids(lines)
        _ = try? ATParse.wifiKeys(lines)
        if let iccid = try? ATParse.iccid(lines) {
            let count = iccid.digits.utf8.count
            if count != 19 && count != 20 { fail("ICCID with \(count) digits accepted") }
        }
        if let imei = try? ATParse.imei(lines) {
            if imei.digits.utf8.count != 15 || !Luhn.isValid(imei.digits) { fail("invalid IMEI accepted") }
        }
    }

    /// A command a builder returned: printable ASCII, no separators, exactly its own quotes.
    static func checkBuilt(_ built: String, quotes: Int) {
        var quoteCount = 0
        for byte in built.utf8 {
            switch byte {
            case 0x0D, 0x0A: fail("built command contains a line break")
            case 0x3B: fail("built command contains ';'")
            case 0x1A, 0x1B: fail("built command contains Ctrl-Z/ESC")
            case 0x22: quoteCount += 1
            case 0x20...0x7E: break
            default: fail("built command contains byte \(byte)")
            }
        }
        if quoteCount != quotes { fail("built command has \(quoteCount) quotes, builder adds \(quotes)") }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzATProtocol(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzAT.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}
