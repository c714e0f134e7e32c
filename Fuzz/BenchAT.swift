// Throughput benchmark of the ATProtocol receive path (issue 3 evidence), built by scripts/bench-at.sh
// by compiling Sources/ATProtocol/*.swift with this file (swiftc -O, one module).
//
// Loads every fixture reply (Tests/ATProtocolTests/Fixtures/replies-*.json), repeats them into a
// ~64 MiB stream of (command, reply) records and processes it as the daemon does: begin the
// command, feed the reply in reads of at most 4 KiB through ATLineFramer, hand each line to
// ATResponseAssembler, and parse the finished response (or the +CUSD report) with the decoder's
// parser for that command; a reply with no final result is abandoned like a timed-out command.
// The baseline scans the same bytes for line ends with memchr. Prints MB/s (10^6 bytes/s).
import Foundation

@main
enum BenchAT {
    struct Record {
        var command: String?
        var kind: ATReplyDecoder.Kind
        var name: String
        var range: Range<Int>
    }

    static func main() throws {
        let arguments = CommandLine.arguments
        let fixtures = arguments.count > 1 ? arguments[1] : "Tests/ATProtocolTests/Fixtures"
        let targetBytes = (arguments.count > 2 ? Int(arguments[2]) : nil) ?? 64 << 20
        let rounds = (arguments.count > 3 ? Int(arguments[3]) : nil) ?? 3

        var samples: [(command: String?, reply: [UInt8])] = []
        let files = try FileManager.default.contentsOfDirectory(atPath: fixtures)
            .filter { $0.hasPrefix("replies-") && $0.hasSuffix(".json") }.sorted()
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + file))
            guard let array = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { continue }
            for entry in array {
                guard let reply = entry["reply"] as? String else { continue }
                samples.append((entry["command"] as? String, Array(reply.utf8)))
            }
        }
        guard !samples.isEmpty else { print("no fixtures in \(fixtures)"); exit(1) }

        var stream: [UInt8] = []
        stream.reserveCapacity(targetBytes + 65536)
        var records: [Record] = []
        while stream.count < targetBytes {
            for sample in samples {
                let start = stream.count
                stream.append(contentsOf: sample.reply)
                let kind = sample.command.map { ATReplyDecoder.Kind(command: $0) } ?? .generic
                let name = sample.command.map { ATResponseAssembler.commandName($0).name } ?? ""
                records.append(Record(command: sample.command, kind: kind, name: name, range: start..<stream.count))
            }
        }
        let megabytes = Double(stream.count) / 1e6
        print("fixtures: \(samples.count) replies; stream: \(stream.count) bytes in \(records.count) replies")

        var best = Double.infinity
        var checksum = 0
        for _ in 0..<rounds {
            let clock = ContinuousClock()
            let start = clock.now
            checksum = process(stream, records)
            best = min(best, seconds(clock.now - start))
        }
        var baseline = Double.infinity
        var lineEnds = 0
        for _ in 0..<rounds {
            let clock = ContinuousClock()
            let start = clock.now
            lineEnds = scanLineEnds(stream)
            baseline = min(baseline, seconds(clock.now - start))
        }
        let rate = megabytes / best
        let baseRate = megabytes / baseline
        print("parsed: \(checksum) responses/reports decoded, \(lineEnds) LF in stream")
        print(String(format: "framer+assembler+parsers: %.1f MB/s (best of %d, %.3f s for %.1f MB)", rate, rounds, best, megabytes))
        print(String(format: "baseline memchr LF scan:  %.1f MB/s", baseRate))
        print(String(format: "ratio: %.4f of baseline (%.0fx slower)", rate / baseRate, baseRate / rate))
        print(rate >= 50 ? "target >= 50 MB/s: met" : "target >= 50 MB/s: NOT met")
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    static let cusdName = Array("+CUSD".utf8)

    /// The daemon's receive path over every record; returns how many replies parsed.
    static func process(_ stream: [UInt8], _ records: [Record]) -> Int {
        var framer = ATLineFramer()
        var assembler = ATResponseAssembler()
        var parsed = 0
        stream.withUnsafeBufferPointer { buffer in
            for record in records {
                if assembler.isAwaitingReply { assembler.abandon() }
                if let command = record.command { assembler.begin(command: command) }
                var offset = record.range.lowerBound
                while offset < record.range.upperBound {
                    let end = min(offset + 4096, record.range.upperBound)
                    for line in framer.append(UnsafeBufferPointer(rebasing: buffer[offset..<end])) {
                        switch assembler.consume(line) {
                        case .response(let response)?:
                            if response.isOK, record.kind != .ussd, record.kind != .generic {
                                var object = JSONObject()
                                if ATReplyDecoder.fill(&object, kind: record.kind, lines: response.lines, command: record.name) {
                                    parsed += 1
                                }
                            }
                        case .unsolicited(let urc)?:
                            if record.kind == .ussd, ATText.equalsIgnoringCase(urc.name.utf8, cusdName) {
                                var object = JSONObject()
                                if ATReplyDecoder.fill(&object, kind: .ussd, lines: [urc.line], command: record.name) {
                                    parsed += 1
                                }
                            }
                        case .replyTooLarge?, nil:
                            break
                        }
                    }
                    offset = end
                }
            }
        }
        return parsed
    }

    /// Counts line feeds with memchr: the cheapest pass that still touches every byte.
    static func scanLineEnds(_ stream: [UInt8]) -> Int {
        stream.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return 0 }
            var count = 0
            var pointer = base
            let end = base + raw.count
            while pointer < end, let hit = memchr(pointer, 0x0A, end - pointer) {
                count += 1
                pointer = UnsafeRawPointer(hit) + 1
            }
            return count
        }
    }
}
