import ModemSimulator
import SIMCard
import Testing

/// The simulator's card, read by the station's inspector in-process: the two sides were written separately from
/// the specifications, so each checks the other without pcscd.
@Suite struct VirtualSIMCardTests {
    final class Direct: APDUTransport {
        var card: VirtualSIMCard
        init(_ personality: SIMCardPersonality) { card = VirtualSIMCard(personality: personality) }
        func transmit(_ command: [UInt8]) throws(SIMCardError) -> [UInt8] { card.respond(to: command) }
    }

    @Test(arguments: [SIMCardPersonality.Family.uicc, .gsm])
    func inspectorReadsTheSimulatedCard(family: SIMCardPersonality.Family) throws {
        let personality = SIMCardPersonality(family: family, iccid: "89440000000000000011", imsi: "234150000000001")
        let reading = try SIMCardInspector(transport: Direct(personality)).read()
        #expect(reading.family.rawValue == (family == .uicc ? "UICC" : "GSM"))
        #expect(reading.iccid.digits == "89440000000000000011")
        #expect(reading.imsi?.digits == "234150000000001")
        #expect(reading.pin.state == .ready)
    }

    @Test func lockedCardKeepsItsIMSIAndCountsOnlyGivenPINs() throws {
        let direct = Direct(SIMCardPersonality(family: .uicc, iccid: "8944101234567890128", imsi: "234150123456789", pin: "0000"))
        let reading = try SIMCardInspector(transport: direct).read()
        #expect(reading.imsi == nil)
        #expect(reading.pin == SIMPINStatus(state: .simPIN, triesLeft: 3))
        #expect(direct.card.pinPresentations == 0)
        let attempt = try SIMCardInspector(transport: direct).attemptPIN("0000")
        #expect(attempt.accepted)
        #expect(direct.card.pinPresentations == 1)
        #expect(try SIMCardInspector(transport: direct).read().imsi?.digits == "234150123456789")
    }

    @Test func blockedCardIsNeverGivenAPIN() throws {
        let direct = Direct(SIMCardPersonality(family: .gsm, iccid: "8944101234567890128", imsi: nil, pin: "1234", pinTries: 0))
        #expect(throws: SIMCardError.pinBlocked) { try SIMCardInspector(transport: direct).attemptPIN("1234") }
        #expect(direct.card.pinPresentations == 0)
    }

    @Test func personalitySpecsParseStrictly() {
        #expect(SIMCardPersonality(spec: "gsm:iccid=8931440400001234567,pin=1234")?.pin == "1234")
        #expect(SIMCardPersonality(spec: "uicc:imsi=none")?.imsi == nil)
        #expect(SIMCardPersonality(spec: "uicc:pin=12") == nil)
        #expect(SIMCardPersonality(spec: "bank") == nil)
        #expect(SIMCardPersonality(spec: "uicc:colour=red") == nil)
    }
}
