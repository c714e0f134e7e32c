import Testing
@testable import hotspotctl

@Suite struct DecodeCommandTests {
    @Test func printsTheDecodersJSONPrettyByDefault() throws {
        let decoded = try DecodeCommand.decode(stdin: Array("AT+CSQ\r\r\n+CSQ: 17,99\r\n\r\nOK\r\n".utf8),
                                               command: "AT+CSQ", escaped: false, compact: false)
        #expect(!decoded.isError)
        #expect(decoded.text.contains("\"rssi\": 17") || decoded.text.contains("\"rssi\" : 17"))
        #expect(decoded.text.split(separator: "\n").count > 1)
    }

    @Test func printsOneLineWithCompactAndFlagsErrorReplies() throws {
        let decoded = try DecodeCommand.decode(stdin: Array(#"+CME ERROR: 10\r\n"#.utf8), command: "AT+CPIN?", escaped: true, compact: true)
        #expect(decoded.isError)
        #expect(decoded.text.hasSuffix("}\n"))
        #expect(decoded.text.split(separator: "\n").count == 1)
    }

    @Test func decodesTheEscapedFormLikeTheRawOne() throws {
        let raw = try DecodeCommand.decode(stdin: Array("+CGSN: 490154203237518\r\nOK\r\n".utf8), command: "AT+CGSN", escaped: false, compact: true)
        let escaped = try DecodeCommand.decode(stdin: Array(#"+CGSN: 490154203237518\r\nOK\r\n"#.utf8) + [0x0A], command: "AT+CGSN", escaped: true, compact: true)
        #expect(raw == escaped)
        #expect(raw.text.contains("490154203237518"))
    }
}
