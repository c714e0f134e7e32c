import Testing
@testable import ATProtocol

/// The byte-level text helpers every parser runs on: they must agree with the String-level
/// definitions they replaced, including on non-ASCII text.
@Suite struct ATTextTests {
    @Test func byteIntegerParserAgreesWithIntInitOnRandomText() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789+- x9".utf8)
        var samples = ["", "+", "-", "0", "-0", "+7", "007", "9223372036854775807", "9223372036854775808",
                       "-9223372036854775808", "-9223372036854775809", "1 2", " 1", "١٢"]
        for _ in 0..<5000 {
            let length = Int.random(in: 0...21, using: &generator)
            samples.append(String(decoding: (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0x30 }, as: UTF8.self))
        }
        for text in samples {
            #expect(ATText.int(bytes: Array(text.utf8)) == Int(text), "\(text)")
        }
    }

    @Test func quotedIntegerFieldsAreReadInsideTheirQuotes() {
        #expect(ATText.int("\"12\"") == 12)
        #expect(ATText.int("\"-3\"") == -3)
        #expect(ATText.int("\"\"") == nil)
        #expect(ATText.int("\"12") == nil)
    }

    @Test func trimsAndSplitsNonASCIITextOnBytes() {
        #expect(ATText.trimmed(" \tCafé crème\t ") == "Café crème")
        #expect(ATText.fields(" \"Orange, FR\" , 2 ,\"€5\"") == ["\"Orange, FR\"", "2", "\"€5\""])
        #expect(ATText.unquoted("\"Ünïcödé\"") == "Ünïcödé")
        #expect(ATText.unquoted("\"") == "\"")
        #expect(ATText.value(of: "+cops : 0,0,\"Orange\"", prefix: "+COPS") == "0,0,\"Orange\"")
        #expect(ATText.value(of: "+COPSX: 1", prefix: "+COPS") == nil)
    }

    @Test func substringsAreReadWithoutLosingTheirBounds() {
        let line = "xx  +CSQ: 20,99  yy"
        let inner = line.dropFirst(2).dropLast(2)
        #expect(ATText.trimmed(inner) == "+CSQ: 20,99")
        #expect(ATText.fields(inner.dropFirst(8)) == ["20", "99"])   // "20,99  "
    }

    @Test func responsePrefixStopsAtTheColonAndDropsSpacesBeforeIt() {
        #expect(ATText.prefix(of: "+CSQ: 20,99") == "+CSQ")
        #expect(ATText.prefix(of: "+CSQ : 20,99") == "+CSQ")
        #expect(ATText.prefix(of: "^SYSINFOEX:2") == "^SYSINFOEX")
        #expect(ATText.prefix(of: "+: 1") == nil)
        #expect(ATText.prefix(of: "OK") == nil)
        #expect(ATText.prefix(of: "+CSQ 20,99") == nil)
        #expect(ATText.prefix(of: "+" + String(repeating: "A", count: 25) + ": 1")?.count == 26)
        #expect(ATText.prefix(of: "+" + String(repeating: "A", count: 26) + ": 1") == nil)
    }

    @Test func errorKeysIgnoreCaseAndPunctuation() {
        #expect(ATText.errorKey("SIM not inserted") == ATText.errorKey("sim NOT-inserted!"))
        #expect(ATText.errorKey("Incorrect password") == "incorrectpassword")
        // Non-ASCII goes through Unicode lowercasing: U+212A KELVIN SIGN is a "k".
        #expect(ATText.errorKey("\u{212A}EY") == "key")
    }
}
