import Testing
@testable import ModemSimulator

@Suite struct ModemEngineTests {
    @Test func parsesCommandFormsAndKeepsQuotedCase() {
        #expect(ModemCommand.parse(line: "at+cgsn") == [ModemCommand(name: "+CGSN", form: .action, text: "AT+cgsn")])
        #expect(ModemCommand.parse(line: "AT^SSID=0,\"My;Net\"")?.first?.form == .set(["0", "My;Net"]))
        #expect(ModemCommand.parse(line: "AT+CPIN?")?.first?.form == .query)
        #expect(ModemCommand.parse(line: "AT+CMEE=?")?.first?.form == .test)
        #expect(ModemCommand.parse(line: "ATE0;+CMEE=1")?.map(\.name) == ["E0", "+CMEE"])
        #expect(ModemCommand.parse(line: "hello") == nil)
    }

    @Test func swapsICCIDNibblesAndPadsWithF() {
        #expect(ModemEngine.swappedBCD("8933101234567890121") == "983301214365870921F1")
        #expect(ModemEngine.swappedBCD("89001010000123456782") == "98000101001032547628")
    }

    @Test func decodesRawReplyEscapes() throws {
        #expect(try EscapedBytes.decode("a\\x00\\xFFb\\\\x") == [0x61, 0x00, 0xFF, 0x62, 0x5C, 0x78])
        #expect(throws: SimulatorError.self) { try EscapedBytes.decode("bad \\xZ1") }
    }

    @Test func commandPatternsMatchExactlyOrByPrefix() {
        #expect(CommandPattern.matches("at+cusd=*", "AT+CUSD=1,\"*100#\",15"))
        #expect(!CommandPattern.matches("AT+CUSD", "AT+CUSD=1"))
        #expect(CommandPattern.bestMatch(in: ["AT*": 1, "AT+C*": 2, "AT+CSQ": 3], for: "AT+CSQ") == 3)
        #expect(CommandPattern.bestMatch(in: ["AT*": 1, "AT+C*": 2], for: "AT+CGSN") == 2)
    }

    @Test func reportsAreSuppressedAfterCURC0AndWhenSilent() throws {
        var personality = basePersonality()
        personality.faults.silentAfter = ["AT+X"]
        let report = Personality.Report(text: "^RSSI:1", periodMs: 10)
        var engine = ModemEngine(personality: personality,
                                 network: OperatorNetwork(profile: OperatorProfile(), ledger: try OperatorLedger(profile: OperatorProfile(), path: nil)))
        #expect(engine.unsolicitedBytes(report) == Array("\r\n^RSSI:1\r\n".utf8))
        _ = engine.receive(line: "AT^CURC=0")
        #expect(engine.unsolicitedBytes(report) == nil)
        _ = engine.receive(line: "AT^CURC=1")
        #expect(engine.unsolicitedBytes(report) != nil)
        #expect(engine.receive(line: "AT+X") == [ScheduledOutput(delayMs: 0, output: .silence, endsCommand: true)])
        #expect(engine.unsolicitedBytes(report) == nil)
        #expect(engine.receive(line: "AT").isEmpty)
    }

    @Test func rejectsPersonalityWithLockedPINButNoCode() {
        var personality = basePersonality()
        personality.sim.pin.state = .pinLocked
        #expect(throws: SimulatorError.self) { try personality.validate(source: "test") }
    }
}
