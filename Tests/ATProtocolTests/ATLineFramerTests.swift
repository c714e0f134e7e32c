import Testing
@testable import ATProtocol


/// Frames `text` whole, byte by byte and split at every boundary; all must agree (returns the whole result).
func framedAtEverySplit(_ bytes: [UInt8], maxLine: Int = 4096, sourceLocation: SourceLocation = #_sourceLocation) -> [ATFramedLine] {
    func run(_ chunks: [[UInt8]]) -> [ATFramedLine] {
        var framer = ATLineFramer(maxLineLength: maxLine)
        var out: [ATFramedLine] = []
        for chunk in chunks { out += framer.append(chunk) }
        return out + framer.finish()
    }
    let whole = run([bytes])
    #expect(run(bytes.map { [$0] }) == whole, "byte-by-byte differs", sourceLocation: sourceLocation)
    for cut in 0...bytes.count {
        let split = run([Array(bytes[..<cut]), Array(bytes[cut...])])
        #expect(split == whole, "split at \(cut) differs", sourceLocation: sourceLocation)
        if split != whole { break }
    }
    return whole
}

@Suite struct ATLineFramerTests {
    private func lines(_ text: String, maxLine: Int = 4096, sourceLocation: SourceLocation = #_sourceLocation) -> [ATFramedLine] {
        framedAtEverySplit(Array(text.utf8), maxLine: maxLine, sourceLocation: sourceLocation)
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
        #expect(framedAtEverySplit([0x00, 0x4F, 0x00, 0x4B, 0x00, 0x0D, 0x00, 0x0A, 0x00]) == [.line("OK")])
    }

    @Test func decodesInvalidUTF8Lossily() {
        #expect(framedAtEverySplit([0x41, 0xFF, 0x42, 0xC3, 0x0D, 0x0A]) == [.line("A\u{FFFD}B\u{FFFD}")])
    }

    @Test func deliversLeadingGarbageAsItsOwnLineForTheAssemblerToDrop() {
        #expect(framedAtEverySplit([0xFF, 0xFE, 0x00, 0x0D, 0x0A] + Array("OK\r\n".utf8)) == [.line("\u{FFFD}\u{FFFD}"), .line("OK")])
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
        #expect(SplitHarness.events(Array(reply.utf8), command: "AT+CGSN")
            == [.response("AT+CGSN", ["861234567890127"], .ok), .urc("^RSSI", "^RSSI: 12"), .urc("tail", "tail")])
    }

    @Test func acceptsNonContiguousSequences() {
        var framer = ATLineFramer()
        let out = framer.append("OK\r\n".utf8.lazy.map { $0 })
        #expect(out == [.line("OK")])
    }
}

@Suite struct ATLineFramerUSSDTests {
    private func lines(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ATFramedLine] {
        framedAtEverySplit(Array(text.utf8), sourceLocation: sourceLocation)
    }

    @Test func keepsLineBreaksInsideAQuotedUSSDText() {
        #expect(lines("+CUSD: 1,\"1. Balance\r\n2. Top up\n\n3. Exit\",15\r\nOK\r\n")
            == [.line("+CUSD: 1,\"1. Balance\r\n2. Top up\n\n3. Exit\",15"), .line("OK")])
    }

    @Test func endsABrokenUSSDQuoteAtAFinalResult() {
        #expect(lines("+CUSD: 0,\"broken text\r\nmore\r\nOK\r\n^RSSI: 3\r\n")
            == [.line("+CUSD: 0,\"broken text\r\nmore"), .line("OK"), .line("^RSSI: 3")])
        #expect(lines("+CUSD: 0,\"broken\r\n^RSSI: 3\r\n")
            == [.line("+CUSD: 0,\"broken"), .line("^RSSI: 3")])
    }

    @Test func deliversAnOpenUSSDTextAtTheEndOfInput() {
        #expect(lines("+CUSD: 0,\"never closed\r\nsecond") == [.line("+CUSD: 0,\"never closed\r\nsecond")])
    }

    @Test func leavesOtherLinesWithOddQuotesAlone() {
        #expect(lines("+COPS: 0,0,\"Orange\r\nOK\r\n") == [.line("+COPS: 0,0,\"Orange"), .line("OK")])
    }

    @Test func overflowsAnEndlessUSSDText() {
        var framer = ATLineFramer(maxLineLength: 64)
        var out = framer.append(Array("+CUSD: 1,\"start\r\n".utf8))
        for _ in 0..<10 { out += framer.append(Array("0123456789\r\n".utf8)) }
        out += framer.append(Array("end\"\r\nOK\r\n".utf8))
        #expect(out.first.map { if case .overflow = $0 { true } else { false } } == true)
        #expect(out.last == .line("OK"))
    }

    @Test func framesUSSDTextsTheSameWhateverTheSplit() {
        let text = "+CUSD: 1,\"Menu\r\n1. A\r\r\n2. B\n\",15\r\n+CUSD: 0,\"x\r\nOK\r\n"
        #expect(SplitHarness.events(Array(text.utf8), command: "AT+CUSD=1,\"*1#\",15")
            == [.urc("+CUSD", "+CUSD: 1,\"Menu\r\n1. A\r\r\n2. B\n\",15"), .urc("+CUSD", "+CUSD: 0,\"x"),
                .response("AT+CUSD=1,\"*1#\",15", [], .ok)])
    }
}
