import Testing
@testable import ATProtocol

@Suite struct CodecTests {
    // MARK: GSM 7-bit

    @Test(arguments: [("*101#", "AA182C3602"), ("*#100#", "AA510C061B01"), ("*100*1#", "AA180CA68A8D1A")])
    func packsUSSDRequestsAsHuaweiExpects(text: String, hex: String) throws {
        #expect(try GSM7.packUSSDHex(text) == hex)
        #expect(try GSM7.unpackUSSDHex(hex) == text)
        #expect(try GSM7.unpackUSSDHex(hex.lowercased()) == text)
    }

    @Test func fillsSevenSpareBitsWithCROnlyWhenNeeded() {
        let seven = GSM7.septets(for: "1234567") ?? []
        #expect(GSM7.packUSSD(septets: seven).count == 7)
        #expect(GSM7.unpack(GSM7.packUSSD(septets: seven)).last == GSM7.carriageReturn)
        let eight = GSM7.septets(for: "12345678") ?? []
        #expect(GSM7.packUSSD(septets: eight) == GSM7.pack(eight))
        #expect(GSM7.string(fromSeptets: GSM7.unpackUSSD(GSM7.packUSSD(septets: eight))) == "12345678")
    }

    @Test func keepsAWantedFinalCROnAnOctetBoundary() throws {
        let text = "1234567\r"
        let hex = ATText.hexString(GSM7.packUSSD(septets: GSM7.septets(for: text) ?? []))
        #expect(try GSM7.unpackUSSDHex(hex).hasPrefix(text))
    }

    @Test func roundTripsTheWholeDefaultAlphabetAndExtensionTable() throws {
        var text = ""
        for (index, scalar) in GSM7.basic.enumerated() where index != 0x1B { text.unicodeScalars.append(scalar) }
        text += "€[]{}\\~^|\u{000C}"
        let septets = try #require(GSM7.septets(for: text))
        #expect(GSM7.string(fromSeptets: septets) == text)
        for length in 0..<septets.count {
            let prefix = Array(septets.prefix(length))
            #expect(GSM7.unpack(GSM7.pack(prefix), septetCount: prefix.count) == prefix)
        }
    }

    @Test func encodesExtensionCharactersWithEscape() {
        #expect(GSM7.septets(for: "€") == [0x1B, 0x65])
        #expect(GSM7.septets(for: "[x]") == [0x1B, 0x3C, 0x78, 0x1B, 0x3E])
        #expect(GSM7.septets(for: "\u{000C}") == [0x1B, 0x0A])
        #expect(GSM7.septets(for: "Ж") == nil)
        #expect(GSM7.firstUnrepresentable(in: "abcЖ") == "Ж")
    }

    @Test func decodesUnknownEscapesAsTheDefaultCharacter() {
        #expect(GSM7.string(fromSeptets: [0x1B, 0x41]) == "A")
        #expect(GSM7.string(fromSeptets: [0x41, 0x1B]) == "A ")
    }

    @Test func refusesTextOutsideTheAlphabet() {
        #expect(throws: ATCommandError.forbiddenCharacter(field: "ussd", character: "U+0416")) { try GSM7.packUSSDHex("Ж") }
        #expect(throws: ATCommandError.empty(field: "ussd")) { try GSM7.packUSSDHex("") }
        #expect(throws: ATParseError.self) { try GSM7.unpackUSSDHex("ABC") }
        #expect(throws: ATParseError.self) { try GSM7.unpackUSSDHex("ZZ") }
    }

    @Test func roundTripsRandomGSMTextThroughUSSDPacking() throws {
        var random = SeededRandom(seed: 3)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;*#+-€[]{}éèàÄÖÜß")
        for _ in 0..<1000 {
            let length = random.below(60) + 1
            var text = String((0..<length).map { _ in alphabet[random.below(alphabet.count)] })
            if text.hasSuffix("\r") { text.removeLast() }
            #expect(try GSM7.unpackUSSDHex(GSM7.packUSSDHex(text)) == text)
        }
    }

    // MARK: UCS2

    @Test func decodesUCS2HexWithSurrogatePairs() throws {
        #expect(try UCS2.decodeHex("004100420043") == "ABC")
        #expect(try UCS2.decodeHex("D83DDE00") == "😀")
        #expect(UCS2.encodeHex("a😀") == "0061D83DDE00")
        #expect(try UCS2.decodeHex(UCS2.encodeHex("Привет, 世界 👋")) == "Привет, 世界 👋")
    }

    @Test func rejectsBrokenUCS2() {
        #expect(throws: ATParseError.self) { try UCS2.decodeHex("D83D") }
        #expect(throws: ATParseError.self) { try UCS2.decodeHex("DE000041") }
        #expect(throws: ATParseError.self) { try UCS2.decodeHex("00410") }
        #expect(throws: ATParseError.self) { try UCS2.decodeHex("00G1") }
    }

    // MARK: +CSCS character sets

    @Test func recognisesCSCSNames() {
        #expect(ATCharacterSet(cscsName: "\"UCS2\"") == .ucs2)
        #expect(ATCharacterSet(cscsName: "gsm") == .gsm)
        #expect(ATCharacterSet(cscsName: "8859-1") == .latin1)
        #expect(ATCharacterSet(cscsName: "IRA") == .ira)
        #expect(ATCharacterSet(cscsName: "HEX") == .hex)
        #expect(ATCharacterSet(cscsName: "PCCP437") == nil)
    }

    @Test func decodesEachCharacterSet() throws {
        #expect(try ATCharacterSet.ucs2.decode("00480069") == "Hi")
        #expect(try ATCharacterSet.hex.decode("48E9") == "Hé")
        #expect(try ATCharacterSet.ira.decode("Hello") == "Hello")
        #expect(throws: ATParseError.self) { try ATCharacterSet.ira.decode("Héllo") }
        #expect(try ATCharacterSet.gsm.decode("w{hlen") == "wähle" + "n")
        #expect(try ATCharacterSet.latin1.decode(bytes: [0x48, 0xE9]) == "Hé")
        #expect(try ATCharacterSet.gsm.decode(bytes: [0x00, 0x1B, 0x65]) == "@€")
        #expect(throws: ATParseError.self) { try ATCharacterSet.gsm.decode(bytes: [0x80]) }
    }
}
