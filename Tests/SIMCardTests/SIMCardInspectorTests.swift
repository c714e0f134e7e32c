import ATProtocol
import Foundation
import SIMCard
import Testing

/// Reading SIMs over recorded exchanges: class detection, GET RESPONSE, files, PIN state without spending a try.
@Suite struct SIMCardInspectorTests {
    @Test func uiccWithoutPINGivesICCIDIMSIAndTriesLeft() throws {
        let card = ScriptedCard(Recordings.uiccMF + Recordings.uiccICCID + [x("00200001", "63C3")]
                                + Recordings.uiccUSIM + Recordings.uiccIMSIRead)
        let reading = try SIMCardInspector(transport: card).read()
        #expect(reading.family == SIMCardFamily.uicc)
        #expect(reading.iccid.digits == "8944101234567890128")
        #expect(reading.iccid.luhnValid)
        #expect(reading.imsi?.digits == "234150123456789")
        #expect(reading.imsiUnreadable == nil)
        // 63C3 to the empty VERIFY, but the IMSI opened: the PIN is disabled, three tries remain.
        #expect(reading.pin == SIMPINStatus(state: .ready, triesLeft: 3))
        #expect(card.remaining == 0)
        #expect(card.verifiesWithData.isEmpty)
        // The only VERIFY is the four-byte case-1 form: no P3, no data, no try spent.
        #expect(card.sent.filter { $0[1] == 0x20 } == [[0x00, 0x20, 0x00, 0x01]])
    }

    @Test func uiccWithPINEnabledLeavesIMSIUnreadAndNeverPresentsAPIN() throws {
        let card = ScriptedCard(Recordings.uiccMF + Recordings.uiccICCID + [x("00200001", "63C2")]
                                + Recordings.uiccUSIM + [x("00B0000009", "6982")])
        let reading = try SIMCardInspector(transport: card).read()
        #expect(reading.imsi == nil)
        #expect(reading.imsiUnreadable == "pin-required")
        #expect(reading.pin == SIMPINStatus(state: .simPIN, triesLeft: 2))
        #expect(card.verifiesWithData.isEmpty)
    }

    @Test func gsmOnlyCardIsReadInClassA0AfterSixEZeroZero() throws {
        let card = ScriptedCard(Recordings.gsmMF + Recordings.gsmICCID + Recordings.gsmIMSISelect
                                + [x("A0B0000009", "9804")])
        let reading = try SIMCardInspector(transport: card).read()
        #expect(reading.family == .gsm)
        #expect(reading.iccid.digits == "8931440400001234567")
        #expect(!reading.iccid.luhnValid, "a wrong check digit is flagged, not fixed or refused")
        #expect(reading.imsi == nil)
        #expect(reading.imsiUnreadable == "pin-required")
        #expect(reading.pin == SIMPINStatus(state: .simPIN, triesLeft: 3))
        #expect(card.remaining == 0)
        #expect(!card.sent.contains { $0[1] == 0x20 }, "a GSM SIM's PIN state comes from the MF, never from VERIFY")
    }

    @Test func gsmCardWithReadableIMSI() throws {
        let card = ScriptedCard(Recordings.gsmMF + Recordings.gsmICCID + Recordings.gsmIMSISelect
                                + [x("A0B0000009", "6C09"), x("A0B0000009", "0821404021436587F9 9000")])
        let reading = try SIMCardInspector(transport: card).read()
        #expect(reading.imsi?.digits == "20404123456789")
        #expect(reading.imsi?.mcc == "204")
        #expect(reading.pin.state == SIMPinState.ready)
    }

    @Test func uiccWithoutUSIMFallsBackToDFGSM() throws {
        let card = ScriptedCard(Recordings.uiccMF + Recordings.uiccICCID + [x("00200001", "9000"),
                                x("00A4040407 A0000000871002", "6A82"), x("00A4000402 7F20", "9000"),
                                x("00A4000C02 6F07", "9000")] + Recordings.uiccIMSIRead)
        let reading = try SIMCardInspector(transport: card).read()
        #expect(reading.imsi?.digits == "234150123456789")
        #expect(reading.pin == SIMPINStatus(state: .ready, triesLeft: nil))
    }

    @Test func erasedIMSIIsSaidNotInvented() throws {
        let card = ScriptedCard(Recordings.uiccMF + Recordings.uiccICCID + [x("00200001", "9000")]
                                + Recordings.uiccUSIM + [x("00B0000009", "FFFFFFFFFFFFFFFFFF 9000")])
        let reading = try SIMCardInspector(transport: card).read()
        #expect(reading.imsi == nil)
        #expect(reading.imsiUnreadable == SIMFileCodec.imsiErased)
    }

    @Test func bankCardIsNotASIM() {
        let card = ScriptedCard([x("00A4000402 3F00", "6A82"), x("A0A4000002 3F00", "6E00")])
        #expect(throws: SIMCardError.notASIM) { try SIMCardInspector(transport: card).read() }
        #expect(card.sent.count == 2)
    }

    @Test func cardWithAnMFButNoICCIDIsNotASIM() {
        let card = ScriptedCard(Recordings.uiccMF + [x("00A4000C02 2FE2", "6A82")])
        #expect(throws: SIMCardError.notASIM) { try SIMCardInspector(transport: card).read() }
    }

    @Test func gsmStatusWordToAUICCCommandIsOutOfSequence() {
        let card = ScriptedCard([x("00A4000402 3F00", "9F16")])
        #expect(throws: SIMCardError.unexpectedStatus(StatusWord(0x9F16), during: "SELECT MF")) {
            try SIMCardInspector(transport: card).read()
        }
    }

    @Test func uiccStatusWordToAGSMCommandIsOutOfSequence() {
        let card = ScriptedCard([x("00A4000402 3F00", "6E00"), x("A0A4000002 3F00", "6116")])
        #expect(throws: SIMCardError.unexpectedStatus(StatusWord(0x6116), during: "SELECT MF (GSM)")) {
            try SIMCardInspector(transport: card).read()
        }
    }

    @Test func sixtyFourKilobyteAnswerIsRefused() {
        let card = ScriptedCard.answering(Array(repeating: 0x41, count: 65_536) + [0x90, 0x00])
        #expect(throws: SIMCardError.responseTooLong(65_538)) { try SIMCardInspector(transport: card).read() }
        #expect(card.sent.count == 1)
    }

    @Test func oneByteGarbageIsRefused() {
        let card = ScriptedCard.answering([0x3B])
        #expect(throws: SIMCardError.responseTooShort(1)) { try SIMCardInspector(transport: card).read() }
    }

    @Test func cardThatAnnouncesMoreForeverIsStopped() {
        // Every answer is 255 bytes and "61FF: more to come".
        let card = ScriptedCard.answering(Array(repeating: 0x00, count: 255) + [0x61, 0xFF])
        #expect(throws: SIMCardError.self) { try SIMCardInspector(transport: card).read() }
        #expect(card.sent.count <= 17, "bounded number of GET RESPONSEs")
    }

    @Test func garbageICCIDIsAFailureNotAFact() {
        let card = ScriptedCard(Recordings.uiccMF + [x("00A4000C02 2FE2", "9000"),
                                                     x("00B000000A", "98F401214365870921F8 9000")])
        #expect(throws: SIMCardError.malformedICCID("digits after the F padding")) {
            try SIMCardInspector(transport: card).read()
        }
    }

    @Test func shortICCIDReadIsRefused() {
        let card = ScriptedCard(Recordings.uiccMF + [x("00A4000C02 2FE2", "9000"), x("00B000000A", "9844 9000")])
        #expect(throws: SIMCardError.malformedICCID("2 bytes read, 10 expected")) {
            try SIMCardInspector(transport: card).read()
        }
    }

    @Test func cardPulledMidReadEndsTheReadWithThatReason() {
        let card = ScriptedCard.failing(after: Recordings.uiccMF, with: .cardRemoved)
        #expect(throws: SIMCardError.cardRemoved) { try SIMCardInspector(transport: card).read() }
    }
}

/// One PIN attempt, only when asked, never when the PIN is blocked or not needed.
@Suite struct SIMPINAttemptTests {
    @Test(arguments: ["123", "123456789", "12a4", "", "１２３４"])
    func malformedPINIsRefusedBeforeAnythingIsSent(pin: String) {
        let card = ScriptedCard([])
        #expect(throws: SIMCardError.pinFormat) { try SIMCardInspector(transport: card).attemptPIN(pin) }
        #expect(card.sent.isEmpty)
    }

    @Test func blockedPINIsNeverPresented() {
        let card = ScriptedCard(Recordings.uiccMF + [x("00200001", "63C0")])
        #expect(throws: SIMCardError.pinBlocked) { try SIMCardInspector(transport: card).attemptPIN("1234") }
        #expect(card.verifiesWithData.isEmpty)
    }

    @Test func pinNotNeededIsNeverPresented() {
        let card = ScriptedCard(Recordings.uiccMF + [x("00200001", "9000")])
        #expect(throws: SIMCardError.pinNotRequired) { try SIMCardInspector(transport: card).attemptPIN("1234") }
        #expect(card.verifiesWithData.isEmpty)
    }

    @Test func rightPINIsSentOnceASCIIPaddedWithFF() throws {
        let card = ScriptedCard(Recordings.uiccMF + [x("00200001", "63C3"),
                                                     x("0020000108 31323334FFFFFFFF", "9000")])
        let attempt = try SIMCardInspector(transport: card).attemptPIN("1234")
        #expect(attempt.accepted)
        #expect(attempt.triesBefore == 3)
        #expect(attempt.after.state == .ready)
        #expect(card.verifiesWithData.count == 1)
    }

    @Test func wrongPINReportsTriesLeftAndIsNotRetried() throws {
        let card = ScriptedCard(Recordings.uiccMF + [x("00200001", "63C3"),
                                                     x("0020000108 3030303030303030", "63C2")])
        let attempt = try SIMCardInspector(transport: card).attemptPIN("00000000")
        #expect(!attempt.accepted)
        #expect(attempt.after == SIMPINStatus(state: .simPIN, triesLeft: 2))
        #expect(card.verifiesWithData.count == 1)
        #expect(card.remaining == 0)
    }

    @Test func wrongPINOnAGSMCardRereadsTheTriesFromTheMF() throws {
        let twoLeft = Recordings.gsmMFResponsePINEnabled.replacingOccurrences(of: "83 8A 83 8A", with: "82 8A 83 8A")
        let card = ScriptedCard(Recordings.gsmMF + [x("A0200001083131313131FFFFFF", "9804"),
                                x("00A4000402 3F00", "6E00"), x("A0A4000002 3F00", "9F16"),
                                x("A0C0000016", twoLeft + " 9000")])
        let attempt = try SIMCardInspector(transport: card).attemptPIN("11111")
        #expect(!attempt.accepted)
        #expect(attempt.triesBefore == 3)
        #expect(attempt.after == SIMPINStatus(state: .simPIN, triesLeft: 2))
    }
}

/// The exchange rules a T=0 client must apply itself.
@Suite struct APDUExchangeTests {
    @Test func wrongLengthIsResentWithTheLengthTheCardGives() throws {
        let card = ScriptedCard([x("00B0000004", "6C0A"), x("00B000000A", "00112233445566778899 9000")])
        let answer = try APDUExchange(transport: card).run(
            APDUCommand(cla: 0, ins: 0xB0, p1: 0, p2: 0, expectedLength: 4), during: "READ")
        #expect(answer.data.count == 10)
        #expect(answer.status.isSuccess)
    }

    @Test func gsmIncorrectP3IsResentWithTheCorrectLength() throws {
        let card = ScriptedCard([x("A0B0000004", "670A"), x("A0B000000A", "00112233445566778899 9000")])
        let answer = try APDUExchange(transport: card).run(
            APDUCommand(cla: 0xA0, ins: 0xB0, p1: 0, p2: 0, expectedLength: 4), during: "READ")
        #expect(answer.data.count == 10)
    }

    @Test func sixSevenZeroZeroIsFinal() throws {
        let card = ScriptedCard([x("A0B0000004", "6700")])
        let answer = try APDUExchange(transport: card).run(
            APDUCommand(cla: 0xA0, ins: 0xB0, p1: 0, p2: 0, expectedLength: 4), during: "READ")
        #expect(answer.status == StatusWord(0x6700))
    }

    @Test func chainedGetResponsesAreJoinedInOrder() throws {
        let card = ScriptedCard([x("00A4000402 3F00", "6102"), x("00C0000002", "AABB 6101"), x("00C0000001", "CC 9000")])
        let answer = try APDUExchange(transport: card).run(
            APDUCommand(cla: 0, ins: 0xA4, p1: 0, p2: 4, data: [0x3F, 0x00]), during: "SELECT")
        #expect(answer.data == [0xAA, 0xBB, 0xCC])
    }

    @Test func commandBytesFollowTheShortForms() {
        #expect(APDUCommand(cla: 0, ins: 0x20, p1: 0, p2: 1).bytes == [0x00, 0x20, 0x00, 0x01])
        #expect(APDUCommand(cla: 0, ins: 0xB0, p1: 0, p2: 0, expectedLength: 256).bytes == [0, 0xB0, 0, 0, 0])
        #expect(APDUCommand(cla: 0xA0, ins: 0xA4, p1: 0, p2: 0, data: [0x3F, 0]).bytes == [0xA0, 0xA4, 0, 0, 2, 0x3F, 0])
    }
}

/// EF contents: E.118 ICCIDs, TS 31.102 IMSIs, GSM CHV1 status.
@Suite struct SIMFileCodecTests {
    @Test func twentyDigitICCIDHasNoPadding() throws {
        let iccid = try SIMFileCodec.iccid(from: HexBytes.parse("98134440000021436547") ?? [])
        #expect(iccid.digits == "89314404000012345674")
    }

    @Test(arguments: [
        ("214401214365870921F8", "it does not start with 89"),
        ("9844012143658709FFFF", "16 digits, E.118 allows 18 to 20"),
        ("FFFFFFFFFFFFFFFFFFFF", "0 digits, E.118 allows 18 to 20"),
        ("9A4401214365870921F8", "a non-decimal digit in the issuer prefix"),
    ])
    func iccidOutsideE118IsRefused(content: String, why: String) {
        #expect(throws: SIMCardError.malformedICCID(why)) {
            try SIMFileCodec.iccid(from: HexBytes.parse(content) ?? [])
        }
    }

    @Test func imsiWithTheWrongIdentityTypeIsRefused() {
        #expect(throws: SIMCardError.malformedIMSI("the identity type is not IMSI")) {
            try SIMFileCodec.imsi(from: HexBytes.parse("082A43511032547698") ?? [])
        }
    }

    @Test func imsiLengthBeyondTheFileIsRefused() {
        #expect(throws: SIMCardError.self) { try SIMFileCodec.imsi(from: [0x08, 0x29, 0x43]) }
    }

    @Test func gsmPINStatusFromTheMF() {
        let bytes = HexBytes.parse(Recordings.gsmMFResponsePINEnabled) ?? []
        #expect(SIMFileCodec.gsmPINStatus(fromDirectoryResponse: bytes) == SIMPINStatus(state: .simPIN, triesLeft: 3))
        var disabled = bytes
        disabled[13] |= 0x80
        #expect(SIMFileCodec.gsmPINStatus(fromDirectoryResponse: disabled) == SIMPINStatus(state: .ready, triesLeft: 3))
        var blocked = bytes
        blocked[18] = 0x80
        #expect(SIMFileCodec.gsmPINStatus(fromDirectoryResponse: blocked) == SIMPINStatus(state: .simPUK, triesLeft: 0))
        #expect(SIMFileCodec.gsmPINStatus(fromDirectoryResponse: Array(bytes.prefix(10))) == nil)
    }
}
