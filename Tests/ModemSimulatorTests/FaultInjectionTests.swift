import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ModemSimulator

@Suite struct FaultInjectionTests {
    @Test func hangupOnClosesTheTerminalUnderTheClient() throws {
        var personality = basePersonality()
        personality.faults.hangupOn = ["AT+CGSN"]
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        #expect(try client.lines("AT+CGMI") == ["huawei"])
        try client.send("AT+CGSN\r")
        let deadline = ContinuousClock.now + .seconds(3)
        var result = PtyClient.ReadResult.timeout
        while ContinuousClock.now < deadline {
            result = client.readOnce(timeoutMs: 100)
            if result != .timeout, result != .data { break }
        }
        #expect(result == .endOfFile || result == .error(EIO))
        #expect(!client.text.contains("867530012345672"))
    }

    @Test func silentAfterStopsAllAnswersButTheNetworkStillActs() throws {
        var personality = basePersonality()
        personality.ussd.mode = .text
        personality.faults.silentAfter = ["AT+CUSD=*"]
        personality.unsolicited.reports = [.init(text: "^RSSI:9", periodMs: 50)]
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        _ = try client.command("AT")
        try client.send("AT+CUSD=1,\"*123*123456789012#\",15\r")
        _ = client.readOnce(timeoutMs: 50)
        client.clear()
        try client.send("AT\r")
        let deadline = ContinuousClock.now + .milliseconds(400)
        while ContinuousClock.now < deadline { client.readOnce(timeoutMs: 50) }
        #expect(client.received.isEmpty)
        let truth = try OperatorLedger.load(fixture.statePath)
        #expect(truth.vouchers["123456789012"]?.redeemedBy == "89001010000123456782")
    }

    @Test func garbageOnSendsBytesWithoutLineEnd() throws {
        var personality = basePersonality()
        personality.faults.garbageOn = [.init(command: "AT+CGSN", bytes: 37)]
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        try client.send("AT+CGSN\r")
        let deadline = ContinuousClock.now + .seconds(2)
        while client.received.count < 37, ContinuousClock.now < deadline { client.readOnce(timeoutMs: 50) }
        #expect(client.received.count == 37)
        #expect(!client.received.contains(0x0D) && !client.received.contains(0x0A))
        #expect(try client.lines("AT+CGMI") == ["huawei"])
    }

    @Test func hangupAfterLetsTheNetworkSpendTheVoucher() throws {
        var personality = basePersonality()
        personality.ussd.mode = .text
        personality.faults.hangupAfter = ["AT+CUSD=*"]
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        try client.send("AT+CUSD=1,\"*123*9876543210987654#\",15\r")
        let deadline = ContinuousClock.now + .seconds(3)
        var result = PtyClient.ReadResult.timeout
        while ContinuousClock.now < deadline {
            result = client.readOnce(timeoutMs: 100)
            if result != .timeout, result != .data { break }
        }
        #expect(result == .endOfFile || result == .error(EIO))
        #expect(!client.text.contains("OK"))
        let truth = try OperatorLedger.load(fixture.statePath)
        #expect(truth.balancesMB["89001010000123456782"] == 3048)
    }

    @Test func failFirstRefusesOnlyTheFirstTime() throws {
        var personality = basePersonality()
        personality.faults.failFirst = ["AT+CRSM=176,12258,0,0,10"]
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        #expect(try client.command("AT+CRSM=176,12258,0,0,10", final: "ERROR") == "\r\nERROR\r\n")
        #expect(try client.lines("AT+CRSM=176,12258,0,0,10") == ["+CRSM: 144,0,\"98000101001032547628\""])
    }

    @Test func cusdDelayPostponesTheNetworkReply() throws {
        var personality = basePersonality()
        personality.ussd.mode = .text
        personality.faults.cusdDelayMs = 300
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        let start = ContinuousClock.now
        _ = try client.command("AT+CUSD=1,\"*100#\",15")
        _ = try client.readUntil("+CUSD: 0,\"Votre solde data est de 1000 Mo.\",15\r\n")
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(320))
        #expect(elapsed < .milliseconds(2000))
    }

    @Test func unsolicitedInsideRepliesSitsBetweenInformationAndFinalResult() throws {
        var personality = basePersonality()
        personality.unsolicited.reports = [.init(text: "^RSSI:12", periodMs: 60_000)]
        personality.faults.unsolicitedInsideReplies = true
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        #expect(try client.command("AT+CGSN") == "\r\n867530012345672\r\n\r\n^RSSI:12\r\n\r\nOK\r\n")
        _ = try client.command("AT^CURC=0")
        #expect(try client.command("AT+CGSN") == "\r\n867530012345672\r\n\r\nOK\r\n")
    }

    @Test func replugBringsTheDeviceBackInItsPowerUpStateAndMovesLinkAndPortsFile() throws {
        var personality = basePersonality()
        personality.faults.hangupOn = ["ATI"]
        personality.faults.replugAfterMs = 100
        personality.cmee = 0
        personality.identity.imei = "352099001761481"
        let fixture = try SimulatorFixture(personality)
        do {
            let client = try fixture.client()
            _ = try client.command("AT+CMEE=2")
            try client.send("ATI\r")
            let deadline = ContinuousClock.now + .seconds(3)
            var result = PtyClient.ReadResult.timeout
            while ContinuousClock.now < deadline, result == .timeout || result == .data {
                result = client.readOnce(timeoutMs: 100)
            }
            #expect(result == .endOfFile || result == .error(EIO))
        }
        // Wait (bounded) for the device to come back, then talk to it through the moved link.
        let link = "\(fixture.directory)/dev"
        let deadline = ContinuousClock.now + .seconds(5)
        while fixture.host.ports[0].replugs == 0, ContinuousClock.now < deadline { usleep(10_000) }
        #expect(fixture.host.ports[0].replugs == 1)
        let client = try PtyClient(path: link)
        #expect(try client.lines("AT+CGSN") == ["352099001761481"])
        let answered = try client.lines("AT+CMEE?")
        #expect(answered == ["+CMEE: 0"])  // power-up state, not the CMEE=2 set before the hangup
        let path = fixture.host.ports[0].path
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == path)
        #expect(try String(contentsOfFile: fixture.portsFile, encoding: .utf8) == "dev\t\(path)\n")
    }

    @Test func unplugOnRequestClosesThePtyAndBringsTheDeviceBackOnAnotherPath() throws {
        var personality = basePersonality()
        personality.cmee = 0
        personality.identity.imei = "352099001761481"
        let fixture = try SimulatorFixture(personality)
        let before = fixture.host.ports[0].path
        #expect(!fixture.host.unplug(label: "no-such-device", comeBackAfterMs: 0))
        do {
            let client = try fixture.client()
            _ = try client.command("AT+CMEE=2")
            #expect(fixture.host.unplug(label: "dev", comeBackAfterMs: 100))
            let deadline = ContinuousClock.now + .seconds(3)
            var result = PtyClient.ReadResult.timeout
            while ContinuousClock.now < deadline, result == .timeout || result == .data {
                result = client.readOnce(timeoutMs: 100)
            }
            #expect(result == .endOfFile || result == .error(EIO))
        }
        // The client has closed the old pty: the device still comes back on another number.
        let deadline = ContinuousClock.now + .seconds(5)
        while fixture.host.ports[0].replugs == 0, ContinuousClock.now < deadline { usleep(10_000) }
        #expect(fixture.host.ports[0].replugs == 1)
        let path = fixture.host.ports[0].path
        #expect(path != before)
        let client = try PtyClient(path: path)
        #expect(try client.lines("AT+CGSN") == ["352099001761481"])
        #expect(try client.lines("AT+CMEE?") == ["+CMEE: 0"])  // power-up state
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(fixture.directory)/dev") == path)
        #expect(try String(contentsOfFile: fixture.portsFile, encoding: .utf8) == "dev\t\(path)\n")
    }
}
