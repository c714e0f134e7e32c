import Testing
@testable import ATProtocol

@Suite struct ATParseIdentityTests {
    // MARK: Luhn

    @Test func computesLuhnCheckDigits() {
        #expect(Luhn.checkDigit(for: "86123456789012") == 7)
        #expect(Luhn.checkDigit(for: "893310123456789012") == 1)
        #expect(Luhn.checkDigit(for: "") == nil)
        #expect(Luhn.checkDigit(for: "12a") == nil)
        #expect(Luhn.isValid("861234567890127"))
        #expect(!Luhn.isValid("861234567890123"))
        #expect(!Luhn.isValid("7"))
        #expect(!Luhn.isValid("8933101234567890A21"))
    }

    @Test func luhnAgreesWithItsOwnCheckDigitForRandomPayloads() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<2000 {
            let length = Int(random.next() % 19) + 1
            let payload = String((0..<length).map { _ in Character(String(random.next() % 10)) })
            let digit = Luhn.checkDigit(for: payload) ?? -1
            #expect(Luhn.isValid(payload + String(digit)))
            #expect(!Luhn.isValid(payload + String((digit + 1) % 10)))
        }
    }

    // MARK: IMEI

    @Test func parsesIMEIFromEveryForm() throws {
        for lines in [["861234567890127"], ["+CGSN: 861234567890127"], ["+CGSN: \"861234567890127\""], ["IMEI: 861234567890127"]] {
            #expect(try ATParse.imei(lines).digits == "861234567890127")
        }
    }

    @Test func acceptsIMEIsAsRealDevicesPrintThemAndFlagsTheCheckDigit() throws {
        // A wrong check digit (clones, rewritten or test IMEIs) is recorded, never refused.
        let wrongCheck = try ATParse.imei(["861234567890123"])
        #expect(wrongCheck.digits == "861234567890123")
        #expect(!wrongCheck.luhnValid)
        // 14 digits: the IMEI without its check digit.
        let fourteen = try ATParse.imei(["86123456789012"])
        #expect(fourteen.digits == "86123456789012" && !fourteen.luhnValid)
        // IMEI followed by the serial number (seen on Option and Sierra firmwares).
        let withSerial = try ATParse.imei(["356936001568843,NL2A62Z0N5"])
        #expect(withSerial.digits == "356936001568843")
        #expect(try ATParse.imei(["+CGSN: \"356936001568843\",\"NL2A62Z0N5\""]).digits == "356936001568843")
        #expect(try ATParse.imei(["861234567890127"]).luhnValid)
    }

    @Test func rejectsWhatCannotBeAnIMEI() throws {
        #expect(throws: ATParseError.self) { try ATParse.imei(["8612345678901270"]) }
        #expect(throws: ATParseError.self) { try ATParse.imei(["8612345678901"]) }
        #expect(throws: ATParseError.noInformation(command: "+CGSN")) { try ATParse.imei([]) }
        #expect(throws: ATParseError.noInformation(command: "+CGSN")) { try ATParse.imei(["^RSSI: 4"]) }
        #expect(IMEI(validating: "86123456789012a") == nil)
        #expect(IMEI(validating: "861234567890123") == nil, "validating still requires the check digit")
        #expect(IMEI(digits: "861234567890123")?.luhnValid == false)
    }

    @Test func redactsIMEI() throws {
        #expect(try #require(IMEI(validating: "861234567890127")).redacted == "86123456*****27")
    }

    // MARK: IMSI

    @Test func splitsIMSIWithTwoDigitMNC() throws {
        let imsi = try ATParse.imsi(["208150123456789"])
        #expect(imsi.mcc == "208")
        #expect(imsi.mnc == "15")
        #expect(try ATParse.imsi(["+CIMI: 208010123456789"]).mnc == "01")
    }

    @Test(arguments: ["302", "310", "311", "312", "313", "314", "315", "316", "334", "338", "342", "344", "346",
                      "348", "356", "358", "360", "365", "366", "376", "708", "722", "732"])
    func splitsIMSIWithThreeDigitMNC(mcc: String) throws {
        let imsi = try ATParse.imsi([mcc + "410123456789"])
        #expect(imsi.mcc == mcc)
        #expect(imsi.mnc == "410")
    }

    @Test func splitsIndianMCC405ByRange() throws {
        #expect(try ATParse.imsi(["405025123456789"]).mnc == "025")
        #expect(try ATParse.imsi(["405854123456789"]).mnc == "854")
        #expect(try ATParse.imsi(["405511234567890"]).mnc == "51")
        #expect(try ATParse.imsi(["404451234567890"]).mnc == "45")
    }

    @Test func rejectsMalformedIMSI() {
        #expect(throws: ATParseError.self) { try ATParse.imsi(["20815"]) }
        #expect(throws: ATParseError.self) { try ATParse.imsi(["2081501234567890"]) }
        #expect(throws: ATParseError.noInformation(command: "+CIMI")) { try ATParse.imsi(["ERRORISH"]) }
    }

    // MARK: Identity text and ATI

    @Test func readsIdentityTextBareOrPrefixed() throws {
        #expect(try ATParse.identityText(["huawei"], prefix: "+CGMI") == "huawei")
        #expect(try ATParse.identityText(["+CGMM: \"E3372\""], prefix: "+CGMM") == "E3372")
        #expect(try ATParse.identityText(["^RSSI: 3", "21.180.01.00.00"], prefix: "+CGMR") == "21.180.01.00.00")
        #expect(throws: ATParseError.noInformation(command: "+CGMI")) { try ATParse.identityText([], prefix: "+CGMI") }
    }

    @Test func parsesLabeledATI() {
        let info = ATParse.ati(["Manufacturer: huawei", "Model: E353", "Revision: 21.156.00.00.143",
                                "IMEI: 861234567890127", "+GCAP: +CGSM,+DS,+ES"])
        #expect(info == ATIInfo(manufacturer: "huawei", model: "E353", revision: "21.156.00.00.143", imei: "861234567890127"))
    }

    @Test func parsesBareATIAndIgnoresIMEISV() {
        #expect(ATParse.ati(["Quectel", "EC25", "Revision: EC25EFAR06A03M4G"])
            == ATIInfo(manufacturer: "Quectel", model: "EC25", revision: "EC25EFAR06A03M4G"))
        let sierra = ATParse.ati(["Manufacturer: Sierra Wireless, Incorporated", "Model: MC7455",
                                  "IMEI: 359072060123456", "IMEI SV: 11"])
        #expect(sierra.imei == "359072060123456")
    }

    // MARK: ICCID

    @Test func parsesICCIDFromEveryVendorForm() throws {
        let forms = ["^ICCID: 8933101234567890121", "+CCID: 8933101234567890121", "+ICCID: 8933101234567890121",
                     "+QCCID: 8933101234567890121", "!ICCID: 8933101234567890121", "#CCID: 8933101234567890121",
                     "ICCID: \"8933101234567890121\"", "8933101234567890121", "\"8933101234567890121\""]
        for form in forms {
            let iccid = try ATParse.iccid([form])
            #expect(iccid == ICCID(digits: "8933101234567890121"), "\(form)")
            #expect(iccid.luhnValid)
        }
    }

    @Test func unswapsICCIDThatStartsWith98AndDropsFPadding() throws {
        #expect(try ATParse.iccid(["^ICCID: 983301214365870921F1"]).digits == "8933101234567890121")
        #expect(try ATParse.iccid(["^ICCID: 8933101234567890121F"]).digits == "8933101234567890121")
        #expect(try ATParse.iccid(["^ICCID: 8933101234567890121f"]).digits == "8933101234567890121")
    }

    @Test func keepsHexLettersAndReportsLuhnWithoutRejecting() throws {
        let lettered = try ATParse.iccid(["^ICCID: 898600AB345678901238"])
        #expect(lettered.digits == "898600AB345678901238")
        #expect(!lettered.luhnValid)
        let badCheck = try ATParse.iccid(["+CCID: 8933101234567890122"])
        #expect(badCheck.digits == "8933101234567890122")
        #expect(!badCheck.luhnValid)
        #expect(try ATParse.iccid(["89860012345678901238"]).luhnValid)
    }

    @Test func rejectsICCIDsOfWrongLengthOrCharacters() throws {
        // ITU-T E.118: 18 to 20 characters after the telecom prefix 89; anything else is a misread.
        #expect(try ATParse.iccid(["^ICCID: 893310123456789012"]).digits == "893310123456789012")
        #expect(throws: ATParseError.self) { try ATParse.iccid(["^ICCID: 89331012345678901"]) }
        #expect(throws: ATParseError.self) { try ATParse.iccid(["^ICCID: 893310123456789012123"]) }
        #expect(throws: ATParseError.self) { try ATParse.iccid(["+CCID: 1234567890123456789"]) }
        #expect(throws: ATParseError.self) { try ATParse.iccid(["+CRSM: 144,0,\"FFFFFFFFFFFFFFFFFFFF\""]) }
        #expect(throws: ATParseError.self) { try ATParse.iccid(["^ICCID: 89331G1234567890121"]) }
        #expect(throws: ATParseError.self) { try ATParse.iccid(["^ICCID: 89A3101234567890121"]) }
        #expect(throws: ATParseError.noInformation(command: "ICCID")) { try ATParse.iccid(["^RSSI: 3"]) }
    }

    @Test func parsesSwappedICCIDFromCRSM() throws {
        let iccid = try ATParse.iccidFromCRSM(["+CRSM: 144,0,\"983301214365870921F1\""])
        #expect(iccid == ICCID(digits: "8933101234567890121"))
        #expect(iccid.luhnValid)
        #expect(try ATParse.iccidFromCRSM(["+CRSM: 144,0,98683000214365870932"]).digits == "89860300123456789023")
        #expect(try ATParse.iccidFromCRSM(["+CRSM: 144, 0, \"8933101234567890121F\""]).digits == "8933101234567890121")
    }

    @Test func reportsCRSMStatusWordsAsATypedError() {
        #expect(throws: ATParseError.simStatus(command: "+CRSM", sw1: 106, sw2: 130)) {
            try ATParse.iccidFromCRSM(["+CRSM: 106,130,\"\""])
        }
        #expect(throws: ATParseError.simStatus(command: "+CRSM", sw1: 148, sw2: 4)) {
            try ATParse.iccidFromCRSM(["+CRSM: 148,4"])
        }
        #expect(throws: ATParseError.self) { try ATParse.iccidFromCRSM(["+CRSM: 144,0"]) }
        #expect(throws: ATParseError.self) { try ATParse.iccidFromCRSM(["+CRSM: 144,0,\"\""]) }
    }

    @Test func redactsICCID() {
        #expect(ICCID(digits: "8933101234567890121").redacted == "893310***********21")
    }
}

/// A small deterministic generator (SplitMix64) so property tests are reproducible.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

@Suite struct ATParseErrorTests {
    @Test func logDescriptionNeverContainsTheLine() {
        let error = ATParseError.malformed(command: "^ICCID", line: "^ICCID: 8933101234567890121X", reason: "bad")
        #expect(!error.logDescription.contains("8933101234567890121"))
        #expect(error.logDescription == "^ICCID: bad")
        #expect(ATParseError.simStatus(command: "+CRSM", sw1: 106, sw2: 130).logDescription == "+CRSM: SIM status words 106,130")
    }
}
