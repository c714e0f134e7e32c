import Testing
@testable import ATProtocol

/// How `USSDTextDecoder` chooses between plain text, 8-bit hex, packed GSM 7-bit hex and UCS2 hex.
///
/// Payloads marked "recorded" are quoted from the public logs named next to them; the others are built here to
/// pin one rule each.
@Suite struct USSDEncodingChoiceTests {
    /// Recorded: gammu issue 513 (https://github.com/gammu/gammu/issues/513), an Indonesian network's balance menu
    /// reaching a Huawei in its old mode as 8-bit hex with DCS 0 (the request went out as 8-bit hex too).
    static let indonesianMenuEightBit = "536973612070756C73612052702E333030302E416B7469662073642032362F30322F323032302E0A"
        + "4B6F6E74656E20526961204D6972616E64612026205261696820556D726F682E5270323230302F534D532F32487220736C6D20"
        + "31383048720A312E59410A322E43656B204B756F74610A332E4E656C706F6E0A342E496E7465726E65740A352E4C61696E6E79610A"

    @Test func decodesRecordedEightBitHexWithDCS0() throws {
        let reply = try ATParse.ussd("+CUSD: 1,\"\(Self.indonesianMenuEightBit)\",0")
        #expect(reply.text == "Sisa pulsa Rp.3000.Aktif sd 26/02/2020.\nKonten Ria Miranda & Raih Umroh.Rp2200/SMS/2Hr slm 180Hr\n"
            + "1.YA\n2.Cek Kuota\n3.Nelpon\n4.Internet\n5.Lainnya\n")
        #expect(USSDTextDecoder.decoding(Self.indonesianMenuEightBit, dcs: 0).encoding == .eightBitHex)
    }

    @Test func decodesEightBitHexDigitsWithDCS15() {
        // ASCII digits as Huawei's old mode sends them: `30` is "0", `37` is "7"…
        let decoded = USSDTextDecoder.decoding("3037373935", dcs: 15)
        #expect(decoded == USSDTextDecoder.Decoding(text: "07795", encoding: .eightBitHex))
        #expect(USSDTextDecoder.decode("42616C616E63653A2031302E3530", dcs: 15) == "Balance: 10.50")
        #expect(USSDTextDecoder.decode("42616C616E63653A2031302E3530", dcs: nil) == "Balance: 10.50")
    }

    @Test func keepsRecordedPackedGSM7AsPackedGSM7() {
        // Recorded: gammu tests/at-ussd/02-E160.dump (Huawei E160, DCS 15).
        let german = "49B41C74ACD3D16171D90D32FBE52072BA0C72CA5DB45CAC76C3CD6CB41B2D060389CB74F9FE4C07D55C371CA85897BF1B"
        #expect(USSDTextDecoder.decoding(german, dcs: 15)
            == USSDTextDecoder.Decoding(text: "Ihr Guthaben für die Nr.4915783647410 beträgt 5.78 Euro", encoding: .packedGSM7Hex))
        // Recorded: asterisk-chan-dongle test/parse.c (bg111 fork), DCS 0.
        #expect(USSDTextDecoder.decoding("CF2135487D2E4130572D0682BB1A", dcs: 0)
            == USSDTextDecoder.Decoding(text: "OCTATOK 0.51 p.", encoding: .packedGSM7Hex))
        // The same digits as the 8-bit test above, packed: every other octet has its top bit set.
        #expect(USSDTextDecoder.decode("C2303BEC1E9741B0DB2D5703", dcs: 15) == "Balance 07795")
    }

    @Test func keepsRecordedUCS2WithALyingDCSAsUCS2() throws {
        // Recorded: gammu issue 358 (Quectel M35 with +CSCS="UCS2", DCS 15), first sentence.
        let hex = "00480061007600690020006B0065007200650074003A0020003000460074002E"
        #expect(USSDTextDecoder.decoding(hex, dcs: 15) == USSDTextDecoder.Decoding(text: "Havi keret: 0Ft.", encoding: .ucs2Hex))
    }

    @Test func decodesRecordedZTEUCS2WithDCS7() throws {
        // Recorded: https://github.com/obsy/sms_tool/issues/13 (ZTE MF286D answering `*101#`), first sentence.
        let hex = "002000440075002000680061007200200030002C003000300020006B00720020006F0063006800200030002C0039003900200047"
            + "0042002000730075007200660020006B007600610072002E"
        let reply = try ATParse.ussd("+CUSD: 0,\"\(hex)\",7")
        #expect(reply.text == " Du har 0,00 kr och 0,99 GB surf kvar.")
        #expect(reply.dcs == 7)
    }

    @Test func keepsRecordedPlainTextAsPlainText() throws {
        // Recorded: gammu tests/at-ussd/issue178-dell.dump, text mode with DCS 15.
        let dell = "On DATA Pack u have 3Gb 817Mb 169kb valid until 21/05/2016   upto time of data recharge done by u."
        #expect(USSDTextDecoder.decoding(dell, dcs: 15) == USSDTextDecoder.Decoding(text: dell, encoding: .text))
    }

    @Test func plainTextMadeOfHexDigitsIsNotMisDecoded() {
        // Each of these is a plausible plain-text reply (an amount, a code, a word) that happens to be hex.
        for plain in ["1234", "2500", "100500", "12345678", "0800", "CAFE", "ABBA", "DEADBEEF", "FACADE", "20161231",
                      "99887766", "50005000", "0000", "123456789012"] {
            let decoded = USSDTextDecoder.decoding(plain, dcs: 15)
            #expect(decoded == USSDTextDecoder.Decoding(text: plain, encoding: .text), "\(plain) became \(decoded)")
        }
    }

    @Test func digitOnlyUCS2IsReadOnlyInScriptsBelowU1000() {
        // "سلام" in UCS2 is all decimal digits; a CJK reading of a digit string is not accepted without the DCS.
        #expect(USSDTextDecoder.decoding("0633064406270645", dcs: 15) == USSDTextDecoder.Decoding(text: "سلام", encoding: .ucs2Hex))
        #expect(USSDTextDecoder.decoding("99887766", dcs: 72).encoding == .ucs2Hex)
    }

    @Test func shortEightBitLookalikesStayPlainText() {
        // Fewer than 4 octets: "3132" is more likely the amount 3132 than the 8-bit hex of "12".
        #expect(USSDTextDecoder.decoding("3132", dcs: 15).encoding == .text)
        #expect(USSDTextDecoder.decoding("313233", dcs: 0).encoding == .text)
        // Unless the DCS itself says 8-bit.
        #expect(USSDTextDecoder.decoding("3132", dcs: 0x44) == USSDTextDecoder.Decoding(text: "12", encoding: .eightBitHex))
    }

    @Test func eightBitNeedsPrintableASCIIOnly() {
        // A NUL, a control byte or a byte above 0x7E rules 8-bit out without a DCS saying so.
        #expect(USSDTextDecoder.decoding("4F4B0041", dcs: 15).encoding != .eightBitHex)
        #expect(USSDTextDecoder.decoding("4F4B1B41", dcs: 15).encoding != .eightBitHex)
        #expect(USSDTextDecoder.decoding("4F4BE941", dcs: 15).encoding != .eightBitHex)
        // Spaces and punctuation alone are not a message.
        #expect(USSDTextDecoder.decoding("2020202E", dcs: 15).encoding != .eightBitHex)
    }

    @Test func aHintDecidesTheAmbiguousCases() {
        #expect(USSDTextDecoder.decoding("3132", dcs: 15, hint: .expect(.eightBitHex)).text == "12")
        #expect(USSDTextDecoder.decoding("3037373935", dcs: 15, hint: .expect(.text)).text == "3037373935")
        // A hint the payload cannot satisfy falls back to the rules.
        #expect(USSDTextDecoder.decoding("Balance: 3", dcs: 15, hint: .expect(.eightBitHex)).text == "Balance: 3")
        #expect(USSDTextDecoder.decoding("00410042", dcs: 15, hint: .expect(.eightBitHex)).text == "AB")
    }

    @Test func eightBitRequestsAreTheHexOfTheirCharacters() throws {
        // Recorded request: gammu issue 513 sends `*888*5#` as `2A3838382A3523` with DCS 15.
        #expect(try ATCommand.ussd("*888*5#", encoding: .eightBitHex) == "AT+CUSD=1,\"2A3838382A3523\",15")
        #expect(throws: ATCommandError.self) { try ATCommand.ussd("*1\"#", encoding: .eightBitHex) }
    }
}

@Suite struct USSDHintFromDialectTests {
    @Test func aDialectsRequestEncodingSettlesShortHexReplies() throws {
        let line = "+CUSD: 0,\"3132\",15"
        #expect(try ATParse.ussd(line).text == "3132")
        #expect(try ATParse.ussd(line, hint: .init(requestEncoding: .eightBitHex)).text == "12")
        #expect(try ATParse.ussd(line, hint: .init(requestEncoding: .text)).text == "3132")
        // A text reply from a hex device stays text: the hint only applies where the payload decodes.
        #expect(try ATParse.ussd("+CUSD: 0,\"Solde: 5\",15", hint: .init(requestEncoding: .eightBitHex)).text == "Solde: 5")
    }
}
