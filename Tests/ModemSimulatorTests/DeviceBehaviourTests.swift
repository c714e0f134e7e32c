import Foundation
import Testing
@testable import ModemSimulator

@Suite struct DeviceBehaviourTests {
    @Test func echoesCommandsUntilATE0AndAgainAfterATE1() throws {
        var personality = basePersonality()
        personality.echo = true
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        #expect(try client.command("AT+CGSN").hasPrefix("AT+CGSN\r\r\n867530012345672\r\n"))
        #expect(try client.command("ATE0") == "ATE0\r\r\nOK\r\n")
        #expect(try client.command("AT+CGSN") == "\r\n867530012345672\r\n\r\nOK\r\n")
        #expect(try client.command("ATE1") == "\r\nOK\r\n")
        #expect(try client.command("AT").hasPrefix("AT\r"))
    }

    @Test func sendsPeriodicReportsUntilCURC0() throws {
        var personality = basePersonality()
        personality.unsolicited.reports = [.init(text: "^RSSI:20", periodMs: 150)]
        let start = ContinuousClock.now
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        // The k-th report cannot arrive before k periods after start; reading late only adds time.
        let deadline = ContinuousClock.now + .seconds(3)
        while client.text.components(separatedBy: "^RSSI:20\r\n").count < 3, ContinuousClock.now < deadline {
            client.readOnce(timeoutMs: 50)
        }
        let elapsed = ContinuousClock.now - start
        #expect(client.text.components(separatedBy: "^RSSI:20\r\n").count >= 3)
        #expect(elapsed >= .milliseconds(300))
        #expect(elapsed < .milliseconds(2000))

        _ = try client.command("AT^CURC=0")
        client.clear()
        // Absence can only be shown by waiting: three periods with nothing.
        let quietUntil = ContinuousClock.now + .milliseconds(450)
        while ContinuousClock.now < quietUntil { client.readOnce(timeoutMs: 50) }
        #expect(!client.text.contains("^RSSI"))
        #expect(try client.lines("AT^CURC?") == ["^CURC: 0"])
    }

    @Test func lockedSIMRefusesWrongPINAndCountsTries() throws {
        var personality = basePersonality()
        personality.sim.pin = .init(state: .pinLocked, code: "1234", puk: "12345678")
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        #expect(try client.lines("AT+CPIN?") == ["+CPIN: SIM PIN"])
        #expect(try client.command("AT+CIMI", final: "+CME ERROR: 11").contains("+CME ERROR: 11"))
        #expect(try client.command("AT+CPIN=\"0000\"", final: "+CME ERROR: 16").contains("+CME ERROR: 16"))
        #expect(try client.lines("AT^CPIN?") == ["^CPIN: SIM PIN,2,10,2,10,3"])
        #expect(try client.lines("AT+CPIN=\"1234\"").isEmpty)
        #expect(try client.lines("AT+CPIN?") == ["+CPIN: READY"])
        #expect(try client.lines("AT+CIMI") == ["001010000012345"])
    }

    @Test func threeWrongPINsAskForThePUK() throws {
        var personality = basePersonality()
        personality.sim.pin = .init(state: .pinLocked, code: "1234", puk: "12345678")
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        for _ in 0..<3 { _ = try client.command("AT+CPIN=\"9999\"", final: "+CME ERROR: 16") }
        #expect(try client.lines("AT+CPIN?") == ["+CPIN: SIM PUK"])
        #expect(try client.lines("AT+CPIN=\"12345678\",\"4321\"").isEmpty)
        #expect(try client.lines("AT+CPIN?") == ["+CPIN: READY"])
    }

    @Test func cmeeModeSelectsPlainNumericOrVerboseErrors() throws {
        var personality = basePersonality()
        personality.cmee = 0
        personality.sim.pin = .init(state: .pinLocked, code: "1234")
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        #expect(try client.command("AT+CIMI", final: "ERROR") == "\r\nERROR\r\n")
        _ = try client.command("AT+CMEE=1")
        #expect(try client.command("AT+CIMI", final: "+CME ERROR: 11") == "\r\n+CME ERROR: 11\r\n")
        _ = try client.command("AT+CMEE=2")
        #expect(try client.command("AT+CIMI", final: "+CME ERROR: SIM PIN required") == "\r\n+CME ERROR: SIM PIN required\r\n")
        #expect(try client.lines("AT+CMEE?") == ["+CMEE: 2"])
    }

    @Test(arguments: Personality.ICCIDForm.allCases)
    func answersOnlyTheConfiguredICCIDForm(form: Personality.ICCIDForm) throws {
        var personality = basePersonality()
        personality.sim.iccid = "8933101234567890121"
        personality.sim.iccidForms = [form]
        personality.unknownCommandReply = "COMMAND NOT SUPPORT"
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        let commands: [Personality.ICCIDForm: (String, String)] = [
            .huawei: ("AT^ICCID?", "^ICCID: 8933101234567890121"),
            .ccid: ("AT+CCID", "+CCID: 8933101234567890121"),
            .iccid: ("AT+ICCID", "+ICCID: 8933101234567890121"),
            .crsm: ("AT+CRSM=176,12258,0,0,10", "+CRSM: 144,0,\"983301214365870921F1\""),
        ]
        for (other, (command, expected)) in commands {
            if other == form {
                #expect(try client.lines(command) == [expected])
            } else {
                #expect(try client.command(command, final: "COMMAND NOT SUPPORT") == "\r\nCOMMAND NOT SUPPORT\r\n")
            }
        }
    }

    @Test func unknownCommandsGetThePersonalityReply() throws {
        var personality = basePersonality()
        personality.unknownCommandReply = "ERROR"
        let plain = try SimulatorFixture(personality)
        #expect(try plain.client().command("AT+BOGUS", final: "ERROR") == "\r\nERROR\r\n")
        personality.unknownCommandReply = "COMMAND NOT SUPPORT"
        let huawei = try SimulatorFixture(personality)
        #expect(try huawei.client().command("AT^NOSUCH?", final: "COMMAND NOT SUPPORT") == "\r\nCOMMAND NOT SUPPORT\r\n")
    }

    @Test func rawReplyTableWinsOverBuiltInCommands() throws {
        var personality = basePersonality()
        personality.rawReplies = [
            "at+cgsn": "\r\n+CGSN: 000000000000000\r\n\r\nOK\r\n",
            "AT^WEIRD*": "\r\nbyte \\x7F end\r\n\r\nOK\r\n",
        ]
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        #expect(try client.command("AT+CGSN") == "\r\n+CGSN: 000000000000000\r\n\r\nOK\r\n")
        _ = try client.command("AT^WEIRD=1")
        #expect(client.received == Array("\r\nbyte ".utf8) + [0x7F] + Array(" end\r\n\r\nOK\r\n".utf8))
        #expect(try client.lines("AT+CGMM") == ["E5573"])
    }

    @Test func wifiStoreAnswersErrorUntilDataLockOpens() throws {
        var personality = basePersonality()
        personality.wifi = .init(ssids: ["0": "OLD"], keys: ["0": "oldkey123"], dataLockCode: "73546213", slots: 2)
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        #expect(try client.command("AT^SSID=0,\"Station-42\"", final: "ERROR").hasSuffix("\r\nERROR\r\n"))
        #expect(try client.command("AT^SSID?", final: "ERROR").hasSuffix("\r\nERROR\r\n"))
        #expect(try client.command("AT^WIKEY?", final: "ERROR").hasSuffix("\r\nERROR\r\n"))
        #expect(try client.command("AT^DATALOCK=\"00000000\"", final: "ERROR").hasSuffix("\r\nERROR\r\n"))
        #expect(try client.lines("AT^DATALOCK=\"73546213\"").isEmpty)
        #expect(try client.lines("AT^SSID=0,\"Station-42\"").isEmpty)
        #expect(try client.lines("AT^WIKEY=0,\"correct horse 42\"").isEmpty)
        #expect(try client.command("AT^WIKEY=1,\"short\"", final: "ERROR").hasSuffix("\r\nERROR\r\n"))
        #expect(try client.lines("AT^SSID?") == ["^SSID:0,\"Station-42\"", "^SSID:1,\"\""])
        #expect(try client.lines("AT^WIKEY?") == ["^WIKEY:0,\"correct horse 42\"", "^WIKEY:1,\"\""])
    }

    @Test func devicesWithoutWiFiDoNotKnowTheWiFiCommands() throws {
        var personality = basePersonality()
        personality.unknownCommandReply = "COMMAND NOT SUPPORT"
        let fixture = try SimulatorFixture(personality)
        #expect(try fixture.client().command("AT^SSID?", final: "COMMAND NOT SUPPORT") == "\r\nCOMMAND NOT SUPPORT\r\n")
    }

    @Test func appliesConfiguredLatencyPerCommand() throws {
        var personality = basePersonality()
        personality.latency = .init(defaultMs: 40, commands: ["AT+CSQ": 250])
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        var start = ContinuousClock.now
        _ = try client.command("AT")
        let plain = ContinuousClock.now - start
        #expect(plain >= .milliseconds(40))
        #expect(plain < .milliseconds(1000))
        start = ContinuousClock.now
        _ = try client.command("AT+CSQ")
        let slow = ContinuousClock.now - start
        #expect(slow >= .milliseconds(250))
        #expect(slow < .milliseconds(1500))
    }

    @Test func answersNetworkStatusCommands() throws {
        let fixture = try SimulatorFixture(basePersonality())
        let client = try fixture.client()
        #expect(try client.lines("AT+CSQ") == ["+CSQ: 20,99"])
        #expect(try client.lines("AT+CREG?") == ["+CREG: 0,1"])
        #expect(try client.lines("AT+COPS?") == ["+COPS: 0,0,\"SimuNet\",2"])
        #expect(try client.lines("AT+CGREG=2").isEmpty)
        #expect(try client.lines("AT+CGREG?") == ["+CGREG: 2,1"])
        #expect(try client.lines("AT+CEREG?") == ["+CEREG: 0,1"])
        #expect(try client.lines("AT+COPS=3,2").isEmpty)
        #expect(try client.lines("AT+COPS?") == ["+COPS: 0,2,\"00101\",2"])
        #expect(try client.command("AT^SYSINFO", final: "ERROR") == "\r\nERROR\r\n")
        #expect(try client.lines("ATZ").isEmpty)
        #expect(try client.lines("AT+COPS?") == ["+COPS: 0,0,\"SimuNet\",2"])
        #expect(try client.lines("AT+CMEE=1;+CGSN") == ["867530012345672"])
    }
}
