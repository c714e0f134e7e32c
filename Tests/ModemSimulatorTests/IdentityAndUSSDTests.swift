import ATProtocol
import Foundation
import Testing
@testable import ModemSimulator

@Suite struct IdentityAndUSSDTests {
    @Test func answersIdentityCommandsFromThePersonality() throws {
        let fixture = try SimulatorFixture(try SimulatorFixture.shippedPersonality("huawei-e5-mifi"))
        let client = try fixture.client()
        _ = try client.command("ATE0")
        #expect(try client.lines("AT+CGSN") == ["867530012345672"])
        #expect(try client.lines("AT+CGMI") == ["huawei"])
        #expect(try client.lines("AT+CGMM") == ["E5573"])
        #expect(try client.lines("AT+CGMR") == ["21.326.62.00.1217"])
        #expect(try client.lines("AT+CIMI") == ["001010000012345"])
        #expect(try client.lines("ATI").contains("IMEI: 867530012345672"))
    }

    @Test func rechargesThenReportsBalanceInPackedGSM7() throws {
        let fixture = try SimulatorFixture(try SimulatorFixture.shippedPersonality("huawei-e5-mifi"))
        let client = try fixture.client()
        _ = try client.command("ATE0")
        _ = try client.command("AT^CURC=0")
        let request = try GSM7.packUSSDHex("*123*123456789012#")
        _ = try client.command("AT+CUSD=1,\"\(request)\",15")
        let reply = try client.readUntil(",15\r\n")
        let payload = try #require(reply.components(separatedBy: "\"").dropFirst().first)
        #expect(try GSM7.unpackUSSDHex(payload) == "Rechargement reussi: 500 Mo ajoutes. Nouveau solde data: 1500 Mo.")
        #expect(reply.contains("+CUSD: 0,\""))
    }

    @Test func writesPortsFileAndLinksOnceAllDevicesRun() throws {
        let fixture = try SimulatorFixture([
            DeviceSetup(label: "a", personality: basePersonality()),
            DeviceSetup(label: "b", personality: basePersonality()),
        ])
        let text = try String(contentsOfFile: fixture.portsFile, encoding: .utf8)
        #expect(text == "a\t\(fixture.ports[0].path)\nb\t\(fixture.ports[1].path)\n")
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: "\(fixture.directory)/b")
        #expect(target == fixture.ports[1].path)
        let client = try PtyClient(path: "\(fixture.directory)/a")
        #expect(try client.lines("AT+CGSN") == ["867530012345672"])
    }
}
