import Testing
@testable import ATProtocol

@Suite struct USSDTests {
    @Test func parsesPlainUSSDText() throws {
        #expect(try ATParse.ussd("+CUSD: 0,\"Balance: 5.00 EUR\",15")
            == USSDReply(status: 0, text: "Balance: 5.00 EUR", rawText: "Balance: 5.00 EUR", dcs: 15))
    }

    @Test func parsesEveryStatusWithAndWithoutText() throws {
        for status in 0...5 {
            #expect(try ATParse.ussd("+CUSD: \(status)") == USSDReply(status: status))
            #expect(try ATParse.ussd("+CUSD: \(status),\"x y\"").text == "x y")
        }
        #expect(throws: ATParseError.self) { try ATParse.ussd("+CUSD: 6,\"x\",15") }
        #expect(throws: ATParseError.self) { try ATParse.ussd("+CUSD: a") }
        #expect(throws: ATParseError.noInformation(command: "+CUSD")) { try ATParse.ussd("+CSQ: 1,2") }
    }

    @Test func keepsCommasAndQuotesInsideTheText() throws {
        let reply = try ATParse.ussd("+CUSD: 1,\"Say \"yes\", or no\",15")
        #expect(reply.rawText == "Say \"yes\", or no")
        #expect(reply.dcs == 15)
    }

    @Test func decodesPackedGSM7HexDespiteDCS15() throws {
        let hex = try GSM7.packUSSDHex("Your balance is 12.50 EUR")
        let reply = try ATParse.ussd("+CUSD: 0,\"\(hex)\",15")
        #expect(reply.text == "Your balance is 12.50 EUR")
        #expect(reply.rawText == hex)
    }

    @Test func decodesUCS2HexWhenTheDCSSaysUCS2() throws {
        let hex = UCS2.encodeHex("Баланс: 10 ₽")
        #expect(try ATParse.ussd("+CUSD: 0,\"\(hex)\",72").text == "Баланс: 10 ₽")
    }

    @Test func decodesUCS2HexWhenTheDCSLies() throws {
        let hex = UCS2.encodeHex("Solde: 3,20 €")
        #expect(try ATParse.ussd("+CUSD: 0,\"\(hex)\",15").text == "Solde: 3,20 €")
        #expect(try ATParse.ussd("+CUSD: 0,\"\(UCS2.encodeHex("余额12元"))\",15").text == "余额12元")
    }

    @Test func decodesEightBitHex() throws {
        #expect(try ATParse.ussd("+CUSD: 0,\"4F4B20E9\",68").text == "OK é")
    }

    @Test func keepsHexLookingPlainTextAsIs() throws {
        #expect(try ATParse.ussd("+CUSD: 1,\"1234\",15").text == "1234")
        #expect(try ATParse.ussd("+CUSD: 1,\"CAFE\",15").text == "CAFE")
        #expect(try ATParse.ussd("+CUSD: 1,\"12345678\",15").text == "12345678")
    }

    @Test func dropsTheHuaweiFillCR() throws {
        // 7 characters pack into 7 octets with a CR in the spare septet.
        #expect(try ATParse.ussd("+CUSD: 0,\"AA180CA68A8D1A\",15").text == "*100*1#")
    }

    @Test func classifiesDataCodingSchemes() {
        #expect(USSDTextDecoder.alphabet(forDCS: 15) == .gsm7)
        #expect(USSDTextDecoder.alphabet(forDCS: 0) == .gsm7)
        #expect(USSDTextDecoder.alphabet(forDCS: 72) == .ucs2)
        #expect(USSDTextDecoder.alphabet(forDCS: 68) == .eightBit)
        #expect(USSDTextDecoder.alphabet(forDCS: 0x11) == .ucs2)
        #expect(USSDTextDecoder.alphabet(forDCS: 0xF4) == .eightBit)
        #expect(USSDTextDecoder.alphabet(forDCS: 0x60) == .unknown)
        #expect(USSDTextDecoder.alphabet(forDCS: nil) == .unknown)
    }

    @Test func neverMistakesRandomPackedGSMTextForUCS2() throws {
        var random = SeededRandom(seed: 42)
        let words = ["balance", "Your", "credit", "is", "EUR", "valid", "until", "12.05.2025", "bonus", "SMS", "1.", "Reply"]
        for _ in 0..<300 {
            let count = random.below(8) + 2
            let text = (0..<count).map { _ in words[random.below(words.count)] }.joined(separator: " ")
            let hex = try GSM7.packUSSDHex(text)
            #expect(USSDTextDecoder.decode(hex, dcs: 15) == text, "\(text)")
        }
    }
}
