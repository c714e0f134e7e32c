import Testing
@testable import ATProtocol

@Suite struct ATLineFramerTests {
    private func lines(_ text: String, maxLine: Int = 4096) -> [ATFramedLine] {
        var framer = ATLineFramer(maxLineLength: maxLine)
        return framer.append(Array(text.utf8)) + framer.finish()
    }

    @Test func endsLinesOnCRLFAndBareCRAndBareLFAndCRCRLF() {
        #expect(lines("a\r\nb\rc\nd\r\r\ne\r\n") == [.line("a"), .line("b"), .line("c"), .line("d"), .line("e")])
    }

    @Test func dropsEmptyLinesAndTrimsSpaces() {
        #expect(lines("\r\n\r\n  OK \t\r\n\r\n   \r\n") == [.line("OK")])
    }

    @Test func holdsAnUnfinishedLineUntilItsEnd() {
        var framer = ATLineFramer()
        #expect(framer.append(Array("+CSQ: 2".utf8)).isEmpty)
        #expect(framer.hasPartialLine)
        #expect(framer.append(Array("0,99\r".utf8)) == [.line("+CSQ: 20,99")])
        #expect(framer.append(Array("\nOK".utf8)).isEmpty)
        #expect(framer.finish() == [.line("OK")])
        #expect(!framer.hasPartialLine)
    }

    @Test func dropsNULBytes() {
        var framer = ATLineFramer()
        let out = framer.append([0x00, 0x4F, 0x00, 0x4B, 0x00, 0x0D, 0x00, 0x0A, 0x00])
        #expect(out == [.line("OK")])
    }

    @Test func decodesInvalidUTF8Lossily() {
        var framer = ATLineFramer()
        let out = framer.append([0x41, 0xFF, 0x42, 0xC3, 0x0D, 0x0A])
        #expect(out == [.line("A\u{FFFD}B\u{FFFD}")])
    }

    @Test func keepsValidMultibyteUTF8SplitAcrossReads() {
        var framer = ATLineFramer()
        let euro = Array("€".utf8)
        #expect(framer.append([euro[0]]).isEmpty)
        #expect(framer.append(Array(euro[1...]) + [0x0D]) == [.line("€")])
    }

    @Test func reportsOverflowForALongLineAndResyncsAtTheNextLineEnd() {
        let long = String(repeating: "X", count: 5000)
        let out = lines("OK\r\n" + long + "\r\nERROR\r\n")
        #expect(out == [.line("OK"), .overflow(discardedBytes: 5000), .line("ERROR")])
    }

    @Test func acceptsALineOfExactlyTheLimit() {
        let exact = String(repeating: "Y", count: 4096)
        #expect(lines(exact + "\r\n") == [.line(exact)])
        #expect(lines(exact + "Y\r\n") == [.overflow(discardedBytes: 4097)])
    }

    @Test func overflowCountsBytesAcrossManyReads() {
        var framer = ATLineFramer(maxLineLength: 8)
        var out: [ATFramedLine] = []
        for _ in 0..<10 { out += framer.append(Array("abcd".utf8)) }
        out += framer.append(Array("\r\nok\r\n".utf8))
        #expect(out == [.overflow(discardedBytes: 40), .line("ok")])
    }

    @Test func givesTheSameLinesForEverySplit() {
        let reply = "\u{0}\u{FF}AT+CGSN\r\r\n861234567890127\r\n\r\nOK\r\n^RSSI: 12\n\rtail"
        SplitHarness.events(Array(reply.utf8), command: "AT+CGSN")
    }

    @Test func acceptsNonContiguousSequences() {
        var framer = ATLineFramer()
        let out = framer.append("OK\r\n".utf8.lazy.map { $0 })
        #expect(out == [.line("OK")])
    }
}
