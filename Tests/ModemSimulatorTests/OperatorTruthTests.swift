import ATProtocol
import Foundation
import Testing
@testable import ModemSimulator

@Suite struct OperatorTruthTests {
    /// Sends a text-mode USSD and returns the `+CUSD:` line.
    func ussd(_ client: PtyClient, _ request: String) throws -> String {
        _ = try client.command("AT+CUSD=1,\"\(request)\",15")
        let text = try client.readUntil(",15\r\n")
        return try #require(text.components(separatedBy: "\r\n").first { $0.hasPrefix("+CUSD:") })
    }

    @Test func textUSSDRechargeBalanceAndRefusedSecondRedemptionSurviveReload() throws {
        var personality = basePersonality()
        personality.ussd.mode = .text
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        #expect(try ussd(client, "*123*123456789012#")
            == "+CUSD: 0,\"Rechargement reussi: 500 Mo ajoutes. Nouveau solde data: 1500 Mo.\",15")
        #expect(try ussd(client, "*100#") == "+CUSD: 0,\"Votre solde data est de 1500 Mo.\",15")
        #expect(try ussd(client, "*123*123456789012#") == "+CUSD: 0,\"Code de recharge invalide ou deja utilise.\",15")
        #expect(try ussd(client, "*123*555#") == "+CUSD: 0,\"Code de recharge invalide ou deja utilise.\",15")
        #expect(try ussd(client, "*100#") == "+CUSD: 0,\"Votre solde data est de 1500 Mo.\",15")

        let truth = try OperatorLedger.load(fixture.statePath)
        #expect(truth.balancesMB == ["89001010000123456782": 1500])
        let record = try #require(truth.vouchers["123456789012"])
        #expect(record.redemptions == 1)
        #expect(record.redeemedBy == "89001010000123456782")
        #expect(record.attempts.map(\.accepted) == [true, false])
        #expect(truth.unknownCodeAttempts.map(\.code) == ["555"])
        #expect(truth.balanceQueries["89001010000123456782"] == 2)
        #expect(truth.recharges == 3)

        // A new simulator on the same state file keeps the truth: the voucher stays spent.
        let again = try SimulatorFixture([DeviceSetup(label: "x", personality: personality)], statePath: fixture.statePath)
        let second = try again.client()
        #expect(try ussd(second, "*100#") == "+CUSD: 0,\"Votre solde data est de 1500 Mo.\",15")
        #expect(try ussd(second, "*123*123456789012#") == "+CUSD: 0,\"Code de recharge invalide ou deja utilise.\",15")
        #expect(try OperatorLedger.load(fixture.statePath).vouchers["123456789012"]?.attempts.count == 3)
    }

    @Test func packedModeRoundTripsAndUSSDMODE0SwitchesToText() throws {
        var personality = basePersonality()
        personality.ussd = .init(mode: .packedGSM7, modeCommand: true, allowTextMode: true, delivery: .afterOK)
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        #expect(try client.lines("AT^USSDMODE?") == ["^USSDMODE: 1"])
        let recharge = try ussd(client, try GSM7.packUSSDHex("*123*9876543210987654#"))
        let payload = try #require(recharge.split(separator: "\"").dropFirst().first)
        #expect(try GSM7.unpackUSSDHex(String(payload)) == "Rechargement reussi: 2048 Mo ajoutes. Nouveau solde data: 3048 Mo.")
        #expect(recharge.hasSuffix("\",15"))
        // Plain text is not a valid request in packed mode.
        #expect(try client.command("AT+CUSD=1,\"*100#\",15", final: "ERROR").hasSuffix("\r\nERROR\r\n"))
        #expect(try client.lines("AT^USSDMODE=0").isEmpty)
        #expect(try ussd(client, "*100#") == "+CUSD: 0,\"Votre solde data est de 3048 Mo.\",15")
    }

    @Test func stickWithoutTextModeRefusesUSSDMODE0() throws {
        let fixture = try SimulatorFixture(try SimulatorFixture.shippedPersonality("huawei-stick"))
        let client = try fixture.client()
        _ = try client.command("ATE0")
        #expect(try client.command("AT^USSDMODE=0", final: "+CME ERROR: 3").hasSuffix("+CME ERROR: 3\r\n"))
    }

    @Test func beforeOKDeliveryPutsTheCUSDAheadOfTheFinalResult() throws {
        let fixture = try SimulatorFixture(try SimulatorFixture.shippedPersonality("generic-3gpp"))
        let client = try fixture.client()
        let reply = try client.command("AT+CUSD=1,\"*100#\",15")
        #expect(reply == "AT+CUSD=1,\"*100#\",15\r\r\n+CUSD: 0,\"Votre solde data est de 1000 Mo.\",15\r\n\r\nOK\r\n")
    }

    @Test func devicesShareOneNetworkSoAVoucherWorksOnce() throws {
        var personality = basePersonality()
        personality.ussd.mode = .text
        var other = personality
        other.sim.iccid = "89001010000234567899"
        let fixture = try SimulatorFixture([
            DeviceSetup(label: "one", personality: personality),
            DeviceSetup(label: "two", personality: other),
        ])
        let first = try fixture.client(0)
        let second = try fixture.client(1)
        #expect(try ussd(first, "*123*123456789012#").contains("reussi"))
        #expect(try ussd(second, "*123*123456789012#").contains("invalide"))
        let record = try #require(try OperatorLedger.load(fixture.statePath).vouchers["123456789012"])
        #expect(record.attempts.map(\.iccid) == ["89001010000123456782", "89001010000234567899"])
    }

    @Test func lockedSIMCannotSendUSSD() throws {
        var personality = basePersonality()
        personality.ussd.mode = .text
        personality.sim.pin = .init(state: .pinLocked, code: "1234")
        let fixture = try SimulatorFixture(personality)
        let client = try fixture.client()
        #expect(try client.command("AT+CUSD=1,\"*100#\",15", final: "+CME ERROR: 11").hasSuffix("+CME ERROR: 11\r\n"))
        #expect(try OperatorLedger.load(fixture.statePath).balanceQueries.isEmpty)
    }
}
