import Testing
@testable import hotspotctl

@Suite struct EscapedInputTests {
    @Test func decodesWrittenOutEscapesToBytes() throws {
        let text = Array(#"AT+CSQ\r\r\n+CSQ: 17,99\r\n\r\nOK\r\n"#.utf8)
        #expect(try EscapedInput.decode(text) == Array("AT+CSQ\r\r\n+CSQ: 17,99\r\n\r\nOK\r\n".utf8))
    }

    @Test func decodesQuoteBackslashTabAndHexEscapes() throws {
        let text = Array(#"+CUSD: 0,\"Solde\\1\",15\t\x1A\xff\x0D"#.utf8)
        #expect(try EscapedInput.decode(text) == Array("+CUSD: 0,\"Solde\\1\",15\t".utf8) + [0x1A, 0xFF, 0x0D])
    }

    @Test func ignoresRealLineEndsSoTheTextMayBeWrapped() throws {
        let text = Array("OK\\r\n\\n\r\n".utf8)
        #expect(try EscapedInput.decode(text) == [0x4F, 0x4B, 0x0D, 0x0A])
    }

    @Test func keepsNonASCIIBytesAsTheyAre() throws {
        #expect(try EscapedInput.decode(Array("Crédit\\r\\n".utf8)) == Array("Crédit\r\n".utf8))
    }

    @Test func rejectsUnknownEscapesWithTheirOffset() {
        #expect(throws: EscapedInput.Failure.unknownEscape(offset: 2, character: "q")) {
            try EscapedInput.decode(Array(#"OK\q"#.utf8))
        }
    }

    @Test func rejectsShortOrNonHexEscapes() {
        #expect(throws: EscapedInput.Failure.badHexEscape(offset: 0)) { try EscapedInput.decode(Array(#"\x4"#.utf8)) }
        #expect(throws: EscapedInput.Failure.badHexEscape(offset: 1)) { try EscapedInput.decode(Array(#"a\xG1"#.utf8)) }
    }

    @Test func rejectsATrailingBackslash() {
        #expect(throws: EscapedInput.Failure.danglingBackslash(offset: 2)) { try EscapedInput.decode(Array(#"OK\"#.utf8)) }
    }
}
