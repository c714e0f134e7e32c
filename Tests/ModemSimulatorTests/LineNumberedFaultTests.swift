import Testing
@testable import ModemSimulator

/// The fault knobs the fault sweep drives, checked on the pure engine: by line number, partial replies, forced final
/// results, replaced or late `+CUSD`.
@Suite struct LineNumberedFaultTests {
    static func engine(_ change: (inout Personality) -> Void) throws -> (ModemEngine, OperatorLedger) {
        var personality = basePersonality()
        personality.ussd.mode = .text
        change(&personality)
        var profile = OperatorProfile()
        profile.vouchers = ["123456789012": 500]
        let ledger = try OperatorLedger(profile: profile, path: nil)
        return (ModemEngine(personality: personality, network: OperatorNetwork(profile: profile, ledger: ledger)), ledger)
    }

    static func text(_ outputs: [ScheduledOutput]) -> String {
        outputs.compactMap { output -> String? in
            if case .bytes(let bytes) = output.output { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }.joined()
    }

    @Test func hangupAtCommandClosesOnTheNthLineBeforeActingOnIt() throws {
        var (engine, ledger) = try Self.engine { $0.faults.hangupAtCommand = 3 }
        #expect(Self.text(engine.receive(line: "AT")).contains("OK"))
        #expect(Self.text(engine.receive(line: "AT")).contains("OK"))
        #expect(engine.receive(line: "AT+CUSD=1,\"*123*123456789012#\",15") == [ScheduledOutput(delayMs: 0, output: .hangup, endsCommand: true)])
        #expect(ledger.snapshot().recharges == 0)
    }

    @Test func hangupAfterAndSilentAfterCommandLetTheNthLineActFirst() throws {
        var (hangup, hangupLedger) = try Self.engine { $0.faults.hangupAfterCommand = 2 }
        _ = hangup.receive(line: "AT")
        #expect(hangup.receive(line: "AT+CUSD=1,\"*123*123456789012#\",15").map(\.output) == [.hangup])
        #expect(hangupLedger.snapshot().vouchers["123456789012"]?.redemptions == 1)

        var (silent, silentLedger) = try Self.engine { $0.faults.silentAfterCommand = 1 }
        #expect(silent.receive(line: "AT+CUSD=1,\"*123*123456789012#\",15").map(\.output) == [.silence])
        #expect(silentLedger.snapshot().vouchers["123456789012"]?.redemptions == 1)
        #expect(silent.receive(line: "AT").isEmpty)
        #expect(silent.linesReceived == 1)
    }

    @Test func truncateOnSendsTheEchoAndAPrefixOfTheReplyThenSilence() throws {
        var (engine, _) = try Self.engine {
            $0.echo = true
            $0.faults.truncateOn = [.init(command: "AT+CGMI", bytes: 4)]
        }
        let outputs = engine.receive(line: "AT+CGMI")
        #expect(Self.text(outputs) == "AT+CGMI\r\r\nhu")
        #expect(outputs.last?.output == .silence)
        #expect(outputs.last?.endsCommand == true)
        #expect(engine.receive(line: "AT").isEmpty)
    }

    @Test func finalOnAnswersTheGivenFinalResultWithoutActing() throws {
        var (engine, ledger) = try Self.engine { $0.faults.finalOn = [.init(command: "AT+CUSD=1,\"*123**", final: "+CME ERROR: 30")] }
        #expect(Self.text(engine.receive(line: "AT+CUSD=1,\"*123*123456789012#\",15")) == "\r\n+CME ERROR: 30\r\n")
        #expect(ledger.snapshot().recharges == 0)
        #expect(Self.text(engine.receive(line: "AT+CUSD=1,\"*100#\",15")).contains("+CUSD: 0,"))
    }

    @Test func cusdReplaceSpendsTheVoucherButDeliversItsOwnLineLater() throws {
        var (engine, ledger) = try Self.engine {
            $0.faults.cusdReplace = [.init(command: "AT+CUSD=1,\"*123**", line: "+CUSD: 4", extraDelayMs: 700)]
        }
        let outputs = engine.receive(line: "AT+CUSD=1,\"*123*123456789012#\",15")
        let report = try #require(outputs.first { Self.text([$0]).contains("+CUSD") })
        #expect(Self.text([report]) == "\r\n+CUSD: 4\r\n")
        #expect(report.delayMs >= 700)
        #expect(ledger.snapshot().vouchers["123456789012"]?.redemptions == 1)
    }

    @Test func lineNumberKnobsAreDeviceSpecKeys() throws {
        let spec = try DeviceSpec.parse("x.json:hangupAtCommand=4,silentAfterCommand=9")
        #expect(spec.overrides.map(\.key) == ["hangupAtCommand", "silentAfterCommand"])
        #expect(throws: SimulatorError.self) { try DeviceSpec.parse("x.json:nosuch=1") }
    }
}
