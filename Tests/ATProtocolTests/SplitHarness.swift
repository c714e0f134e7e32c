import Testing
@testable import ATProtocol

/// Runs bytes through a framer and an assembler, the way a session does, and records what comes out.
struct SplitHarness {
    /// One observable event: a framer overflow or an assembler output.
    enum Event: Equatable, CustomStringConvertible {
        case output(ATAssemblerOutput)
        case overflow(Int)

        var description: String {
            switch self {
            case .output(let output): "\(output)"
            case .overflow(let count): "overflow(\(count))"
            }
        }
    }

    /// Feeds `chunks` in order; `command` is begun before the first byte.
    static func run(_ chunks: [[UInt8]], command: String?, finish: Bool = true,
                    maxLine: Int = 4096, maxReply: Int = 16384) -> [Event] {
        var framer = ATLineFramer(maxLineLength: maxLine)
        var assembler = ATResponseAssembler(maxReplyBytes: maxReply)
        if let command { assembler.begin(command: command) }
        var events: [Event] = []
        func handle(_ framed: [ATFramedLine]) {
            for item in framed {
                if case .overflow(let count) = item { events.append(.overflow(count)) }
                if let output = assembler.consume(item) { events.append(.output(output)) }
            }
        }
        for chunk in chunks { handle(framer.append(chunk)) }
        if finish { handle(framer.finish()) }
        return events
    }

    /// Runs `bytes` whole, byte by byte, split at every boundary into two pieces, and (for short
    /// inputs) into three pieces at every pair of boundaries; every run must give the same events.
    @discardableResult
    static func events(_ bytes: [UInt8], command: String?, finish: Bool = true, maxLine: Int = 4096,
                       maxReply: Int = 16384, sourceLocation: SourceLocation = #_sourceLocation) -> [Event] {
        let whole = run([bytes], command: command, finish: finish, maxLine: maxLine, maxReply: maxReply)
        let single = run(bytes.map { [$0] }, command: command, finish: finish, maxLine: maxLine, maxReply: maxReply)
        #expect(single == whole, "byte-by-byte feed differs", sourceLocation: sourceLocation)
        var mismatches = 0
        for cut in 0...bytes.count {
            let split = run([Array(bytes[..<cut]), Array(bytes[cut...])], command: command, finish: finish,
                            maxLine: maxLine, maxReply: maxReply)
            if split != whole {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record("split at \(cut) differs: \(split) vs \(whole)", sourceLocation: sourceLocation)
                }
            }
        }
        if bytes.count <= 80 {
            for first in 0...bytes.count {
                for second in first...bytes.count {
                    let split = run([Array(bytes[..<first]), Array(bytes[first..<second]), Array(bytes[second...])],
                                    command: command, finish: finish, maxLine: maxLine, maxReply: maxReply)
                    if split != whole {
                        mismatches += 1
                        if mismatches <= 3 {
                            Issue.record("split at \(first),\(second) differs", sourceLocation: sourceLocation)
                        }
                    }
                }
            }
        }
        return whole
    }

    /// The bytes of a string (UTF-8), for writing replies with `\r\n` in tests.
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}

/// Shorthands for expected events.
extension SplitHarness.Event {
    static func response(_ command: String, _ lines: [String], _ final: ATFinalResult) -> Self {
        .output(.response(ATResponse(command: command, lines: lines, final: final)))
    }

    static func urc(_ name: String, _ line: String) -> Self {
        .output(.unsolicited(ATUnsolicited(name: name, line: line)))
    }
}
