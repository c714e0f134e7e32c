import ATProtocol
import Foundation
import Testing
@testable import ModemSimulator

/// The shipped personalities, read through ATProtocol's framer, assembler and parsers the way the
/// daemon reads a real device: the simulator must speak what the decoder understands.
@Suite struct ProtocolConformanceTests {
    /// A minimal AT client over `PtyClient`: frames bytes, assembles replies, collects URCs.
    final class Session {
        let client: PtyClient
        var framer = ATLineFramer()
        var assembler = ATResponseAssembler()
        var unsolicited: [ATUnsolicited] = []

        init(_ client: PtyClient) { self.client = client }

        var consumed = 0

        /// Frames newly received bytes and feeds them to the assembler; returns a final response
        /// if one completed (lines after it in the same chunk are still consumed, as URCs).
        func pump(timeoutMs: Int32) throws -> ATResponse? {
            client.readOnce(timeoutMs: timeoutMs)
            let fresh = client.received[consumed...]
            consumed = client.received.count
            var response: ATResponse?
            for line in framer.append(fresh) {
                switch assembler.consume(line) {
                case .response(let done)?: response = done
                case .unsolicited(let report)?: unsolicited.append(report)
                case .replyTooLarge?: throw PtyClient.Failure(description: "reply too large")
                case nil: continue
                }
            }
            return response
        }

        func run(_ command: String, timeoutMs: Int = 3000) throws -> ATResponse {
            assembler.begin(command: command)
            try client.send(command + "\r")
            let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
            while ContinuousClock.now < deadline {
                if let response = try pump(timeoutMs: 50) { return response }
            }
            throw PtyClient.Failure(description: "no final result for \(command)")
        }

        func waitForUnsolicited(named name: String, timeoutMs: Int = 3000) throws -> ATUnsolicited {
            let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
            while ContinuousClock.now < deadline {
                if let found = unsolicited.first(where: { $0.name == name }) { return found }
                _ = try pump(timeoutMs: 50)
            }
            throw PtyClient.Failure(description: "no \(name) report")
        }
    }

    @Test(arguments: ShippedFilesTests.names)
    func shippedPersonalityDecodesWithATProtocol(name: String) throws {
        var personality = try SimulatorFixture.shippedPersonality(name)
        personality.latency = .init()
        let fixture = try SimulatorFixture(personality, operator: SimulatorFixture.testOperator(replyDelayMs: 10))
        let session = Session(try fixture.client())

        #expect(try session.run("ATE0").isOK)
        #expect(try session.run("AT+CMEE=1").isOK)
        #expect(try ATParse.imei(session.run("AT+CGSN").lines).digits == personality.identity.imei)
        #expect(try ATParse.identityText(session.run("AT+CGMM").lines, prefix: "+CGMM") == personality.identity.model)
        #expect(try ATParse.imsi(session.run("AT+CIMI").lines).digits == personality.sim.imsi)
        #expect(try ATParse.pinState(session.run("AT+CPIN?").lines) == .ready)
        #expect(try ATParse.signalQuality(session.run("AT+CSQ").lines).rssi == personality.network.rssi)
        #expect(try ATParse.ati(session.run("ATI").lines).model == personality.identity.model)

        let iccid: ICCID
        if personality.sim.iccidForms.contains(.huawei) {
            iccid = try ATParse.iccid(session.run("AT^ICCID?").lines)
        } else if personality.sim.iccidForms.contains(.ccid) {
            iccid = try ATParse.iccid(session.run("AT+CCID").lines)
        } else {
            iccid = try ATParse.iccidFromCRSM(session.run("AT+CRSM=176,12258,0,0,10").lines)
        }
        #expect(iccid.digits == personality.sim.iccid)
        #expect(iccid.luhnValid)

        let request = try ATCommand.ussd("*100#", encoding: personality.ussd.mode == .packedGSM7 ? .packedGSM7 : .text)
        let response = try session.run(request)
        #expect(response.isOK)
        let line = try response.lines.first { $0.hasPrefix("+CUSD:") }
            ?? session.waitForUnsolicited(named: "+CUSD").line
        let reply = try ATParse.ussd(line)
        #expect(reply.status == 0)
        #expect(reply.text == "Votre solde data est de 1000 Mo.")

        if personality.wifi != nil, let code = personality.wifi?.dataLockCode {
            #expect(try session.run(ATCommand.setSSID(index: 0, ssid: "Station-7")).final != .ok)
            #expect(try session.run(ATCommand.dataLock(code)).isOK)
            #expect(try session.run(ATCommand.setSSID(index: 0, ssid: "Station-7")).isOK)
            #expect(try session.run(ATCommand.setWPAKey(index: 0, key: "k3y-for-station-7")).isOK)
            #expect(try ATParse.ssids(session.run("AT^SSID?").lines)[0] == "Station-7")
            #expect(try ATParse.wifiKeys(session.run("AT^WIKEY?").lines)[0] == "k3y-for-station-7")
        }
        #expect(try ATParse.registration(session.run("AT+CREG?").lines, prefix: "+CREG").stat == 1)
        #expect(try ATParse.operatorSelection(session.run("AT+COPS?").lines).operatorName == "SimuNet")
        if personality.network.huaweiSystemInfo {
            #expect(try ATParse.systemInfo(session.run("AT^SYSINFO").lines).srvStatus == 2)
            #expect(try ATParse.systemInfoEx(session.run("AT^SYSINFOEX").lines).simState == 1)
        }
        let unknown = try session.run("AT+NOSUCHTHING")
        #expect(unknown.final == (personality.unknownCommandReply == "ERROR" ? .error : .commandNotSupported))
    }
}
