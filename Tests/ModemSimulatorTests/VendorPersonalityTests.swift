import ATProtocol
import Testing
@testable import ModemSimulator

/// The non-Huawei personalities shipped in `simulator/personalities`: each answers the station's identity, ICCID,
/// PIN and USSD commands in its vendor's recorded form, and says where each form comes from.
@Suite struct VendorPersonalityTests {
    static let vendors = ["zte-mf627", "sierra-c885", "option-globetrotter", "alcatel-x060s", "wavecom-fastrack", "qualcomm-m6280"]

    /// A device in its power-up state on a network that knows one voucher.
    private func engine(_ name: String) throws -> ModemEngine {
        let personality = try SimulatorFixture.shippedPersonality(name)
        let profile = SimulatorFixture.testOperator()
        let network = OperatorNetwork(profile: profile, ledger: try OperatorLedger(profile: profile, path: nil))
        return ModemEngine(personality: personality, network: network)
    }

    /// Everything the device writes for one line, in order, delays ignored.
    private func exchange(_ engine: inout ModemEngine, _ line: String) -> String {
        var bytes: [UInt8] = []
        for output in engine.receive(line: line).sorted(by: { $0.delayMs < $1.delayMs }) {
            if case .bytes(let chunk) = output.output { bytes += chunk }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The reply without the echo, split into its non-empty lines.
    private func lines(_ text: String, echo line: String) -> [String] {
        let body = text.hasPrefix(line + "\r") ? String(text.dropFirst(line.utf8.count + 1)) : text
        return body.split(whereSeparator: \.isNewline).map(String.init)
    }

    @Test func everyVendorPersonalityLoadsValidatesAndCitesItsSources() throws {
        var imeis: Set<String> = []
        var iccids: Set<String> = []
        for name in Self.vendors {
            let personality = try SimulatorFixture.shippedPersonality(name)
            #expect(personality.name == name)
            #expect(!personality.sources.isEmpty, "\(name) names no source")
            for (key, source) in personality.sources {
                #expect(source.count > 20, "\(name): source of \(key) is not a citation")
            }
            #expect(personality.identity.imei.count == 15 && luhnValid(personality.identity.imei), "\(name)")
            #expect(luhnValid(personality.sim.iccid), "\(name)")
            imeis.insert(personality.identity.imei)
            iccids.insert(personality.sim.iccid)
        }
        #expect(imeis.count == Self.vendors.count && iccids.count == Self.vendors.count)
    }

    @Test func vendorICCIDCommandsAnswerInTheirOwnForm() throws {
        let cases: [(String, String, String)] = [
            ("zte-mf627", "AT+ZGETICCID", "+ZGETICCID: 89001010000456789015"),
            ("sierra-c885", "AT!ICCID?", "!ICCID: 89001010000456789023"),
            ("wavecom-fastrack", "AT+CCID", "+CCID: 89001010000456789056"),
        ]
        for (name, command, expected) in cases {
            var device = try engine(name)
            #expect(lines(exchange(&device, command), echo: command) == [expected, "OK"], "\(name)")
        }
        // A vendor command the device lacks gets its unknown-command reply; +CRSM works everywhere.
        var option = try engine("option-globetrotter")
        let personality = option.personality
        #expect(lines(exchange(&option, "AT+ZGETICCID"), echo: "AT+ZGETICCID") == ["ERROR"])
        let crsm = lines(exchange(&option, "AT+CRSM=176,12258,0,0,10"), echo: "AT+CRSM=176,12258,0,0,10")
        #expect(crsm == ["+CRSM: 144,0,\"\(ModemEngine.swappedBCD(personality.sim.iccid))\"", "OK"])
        #expect(try ATParse.iccidFromCRSM(Array(crsm.dropLast())).digits == personality.sim.iccid)
    }

    @Test func optionAnswersCGSNWithIMEICommaSerial() throws {
        var device = try engine("option-globetrotter")
        let personality = device.personality
        #expect(lines(exchange(&device, "AT+CGSN"), echo: "AT+CGSN") == ["\(personality.identity.imei),PH2155R3TR", "OK"])
    }

    @Test func wavecomAnswersCPINWithoutAFinalResultAndOtherCommandsWithOne() throws {
        var device = try engine("wavecom-fastrack")
        #expect(lines(exchange(&device, "AT+CPIN?"), echo: "AT+CPIN?") == ["+CPIN: READY"])
        #expect(lines(exchange(&device, "AT+CGMI"), echo: "AT+CGMI") == [" WAVECOM MODEM", "OK"])
        #expect(lines(exchange(&device, "AT+CGMR"), echo: "AT+CGMR") == ["ERROR"])
        #expect(lines(exchange(&device, "AT+CIMI"), echo: "AT+CIMI") == ["001010000045605", "OK"])
    }

    @Test func wavecomSpeaksUSSDInEightBitHexBothWays() throws {
        var device = try engine("wavecom-fastrack")
        // A text request is not hex: the device refuses it and the network never sees it.
        #expect(lines(exchange(&device, "AT+CUSD=1,\"*100#\",15"), echo: "AT+CUSD=1,\"*100#\",15") == ["ERROR"])
        let request = try ATCommand.ussd("*100#", encoding: .eightBitHex)
        let reply = lines(exchange(&device, request), echo: request)
        #expect(reply.first == "OK")
        let report = try #require(reply.last)
        let decoded = try ATParse.ussd(report)
        #expect(decoded.dcs == 15)
        #expect(decoded.rawText?.allSatisfy(\.isHexDigit) == true)
        #expect(USSDTextDecoder.decoding(decoded.rawText ?? "", dcs: 15).encoding == .eightBitHex)
        #expect(decoded.text?.contains("1000") == true, "the test network's balance, decoded: \(decoded.text ?? "nil")")
    }

    @Test func zteTakesATextRequestAndAnswersInUCS2WithDCS7() throws {
        var device = try engine("zte-mf627")
        let request = try ATCommand.ussd("*100#", encoding: .text)
        let reply = lines(exchange(&device, request), echo: request)
        #expect(reply.first == "OK")
        let decoded = try ATParse.ussd(try #require(reply.last))
        #expect(decoded.dcs == 7)
        #expect(USSDTextDecoder.decoding(decoded.rawText ?? "", dcs: 7).encoding == .ucs2Hex)
        #expect(decoded.text?.contains("1000") == true, "decoded: \(decoded.text ?? "nil")")
    }

    @Test func textModeVendorsAnswerUSSDInPlainText() throws {
        for name in ["sierra-c885", "option-globetrotter", "alcatel-x060s"] {
            var device = try engine(name)
            let request = try ATCommand.ussd("*100#", encoding: .text)
            let reply = lines(exchange(&device, request), echo: request)
            let decoded = try ATParse.ussd(try #require(reply.last))
            #expect(decoded.rawText == decoded.text, "\(name)")
            #expect(decoded.text?.contains("1000") == true, "\(name): \(decoded.text ?? "nil")")
        }
    }

    @Test func theM6280SIMIsBusyForItsFirstTwoCommandsOnly() throws {
        var device = try engine("qualcomm-m6280")
        // Commands that do not need the SIM are answered at once and do not use up the busy replies.
        #expect(lines(exchange(&device, "AT+CGMI"), echo: "AT+CGMI") == ["QUALCOMM INCORPORATED", "OK"])
        #expect(lines(exchange(&device, "AT+CPIN?"), echo: "AT+CPIN?") == ["+CME ERROR: 14"])
        #expect(lines(exchange(&device, "AT+CIMI"), echo: "AT+CIMI") == ["+CME ERROR: 14"])
        #expect(lines(exchange(&device, "AT+CPIN?"), echo: "AT+CPIN?") == ["+CPIN: READY", "OK"])
        #expect(device.simBusyLeft == 0)
    }

    @Test func requestAndReplyCodecsRoundTrip() {
        #expect(ModemEngine.decodeUSSDRequest("2A3838382A3523", mode: .eightBitHex) == "*888*5#")
        #expect(ModemEngine.decodeUSSDRequest("2A31303", mode: .eightBitHex) == nil)
        #expect(ModemEngine.decodeUSSDRequest("002A0031003000300023", mode: .ucs2Hex) == "*100#")
        let digits = ModemEngine.encodeUSSDReply("07795", mode: .eightBitHex)
        #expect(digits.payload == "3037373935" && digits.dcs == 15)
        #expect(ModemEngine.encodeUSSDReply("Solde 5", mode: .ucs2Hex).dcs == 72)
    }
}
