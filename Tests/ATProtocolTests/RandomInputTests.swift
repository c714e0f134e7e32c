import Testing
@testable import ATProtocol

/// Random modem output must never crash the framer, assembler or decoder, never produce a line
/// over the limit or with NUL, and must give the same result however it is split.
@Suite struct RandomInputTests {
    private static let fragments: [[UInt8]] = [
        "\r", "\n", "\r\n", "\"", ",", "OK", "ERROR", "+CUSD: 1,\"", "+CREG: ", "^RSSI: 5", "+CME ERROR: 10",
        "AT+CSQ", "+CSQ: 1,2", "^ICCID: 98", "RING", "0", "9", "F", " ",
    ].map { Array($0.utf8) } + [[0x00], [0xFF], [0xC3], [0xE2, 0x82], [0x1A], [0x1B]]

    private func randomReply(_ random: inout SeededRandom) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<random.below(40) {
            if random.below(4) == 0 {
                bytes.append(random.byte())
            } else {
                bytes += Self.fragments[random.below(Self.fragments.count)]
            }
        }
        return bytes
    }

    @Test func framerHonoursItsLimitsOnRandomBytes() {
        var random = SeededRandom(seed: 11)
        for _ in 0..<3000 {
            let limit = random.below(40) + 1
            var framer = ATLineFramer(maxLineLength: limit)
            var output: [ATFramedLine] = []
            var bytes = randomReply(&random)
            bytes += [0x0D]
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + random.below(7) + 1)
                output += framer.append(bytes[offset..<end])
                offset = end
            }
            output += framer.finish()
            for item in output {
                if case .line(let line) = item {
                    // Each U+FFFD (3 bytes) stands for at least one invalid wire byte.
                    let replacements = line.unicodeScalars.filter { $0 == "\u{FFFD}" }.count
                    #expect(line.utf8.count - 2 * replacements <= limit)
                    #expect(!line.utf8.contains(0))
                    #expect(!line.isEmpty)
                }
            }
            #expect(!framer.hasPartialLine)
        }
    }

    @Test func decoderIsSplitInvariantOnRandomReplies() {
        var random = SeededRandom(seed: 12)
        let commands: [String?] = [nil, "AT+CSQ", "AT+CUSD=1,\"*100#\",15", "AT+CREG?", "AT^ICCID?", "ATI", "AT+CGSN"]
        for _ in 0..<1500 {
            let bytes = randomReply(&random)
            let command = commands[random.below(commands.count)]
            let whole = ATReplyDecoder.decode(command: command, reply: bytes)
            let cut = random.below(bytes.count + 1)
            let split = ATReplyDecoder.decode(command: command, chunks: [Array(bytes[..<cut]), Array(bytes[cut...])])
            #expect(split == whole, "\(bytes) cut at \(cut)")
            #expect(ATReplyDecoder.decode(command: command, chunks: bytes.map { [$0] }) == whole)
            _ = whole.value.encodedString(pretty: true)
        }
    }
}
