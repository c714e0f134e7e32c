// The recorded modem replies of Tests/ATProtocolTests/Fixtures (sources in its SOURCES.md) as one byte stream, shared
// by the AT benchmark suites.
import Foundation

/// One recorded reply of the fixtures.
public struct RecordedReply: Sendable {
    /// The command it answers (nil for unsolicited captures).
    public var command: String?
    /// Where the reply's bytes lie in `ReplyStream.bytes`.
    public var range: Range<Int>
}

/// The fixture replies as one byte stream, in file order.
public struct ReplyStream: Sendable {
    /// Every reply's bytes, one after the other.
    public var bytes: [UInt8]
    /// The replies, in stream order.
    public var replies: [RecordedReply]

    /// Reads every `replies-*.json` of the fixtures directory; exits the benchmark with a message if there is none.
    public static func load() -> ReplyStream {
        // Benchmarks/Support/BenchmarkFixtures/ReplyStream.swift → the repository root is four levels up.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let fixtures = root.appendingPathComponent("Tests/ATProtocolTests/Fixtures")
        var stream = ReplyStream(bytes: [], replies: [])
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? [])
            .filter { $0.hasPrefix("replies-") && $0.hasSuffix(".json") }.sorted()
        for name in names {
            guard let data = try? Data(contentsOf: fixtures.appendingPathComponent(name)),
                  let entries = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else {
                fatalError("BenchmarkFixtures: cannot read fixture file \(name)")
            }
            for entry in entries {
                guard let reply = entry["reply"] as? String else { continue }
                let start = stream.bytes.count
                stream.bytes.append(contentsOf: reply.utf8)
                stream.replies.append(RecordedReply(command: entry["command"] as? String, range: start..<stream.bytes.count))
            }
        }
        guard !stream.replies.isEmpty else { fatalError("BenchmarkFixtures: no replies-*.json fixtures in \(fixtures.path)") }
        return stream
    }

    /// Calls `start` before each reply, then `read` with that reply's bytes in chunks of at most 4 KiB.
    public func replay(start: (RecordedReply) -> Void, read: (UnsafeBufferPointer<UInt8>) -> Void) {
        bytes.withUnsafeBufferPointer { buffer in
            for reply in replies {
                start(reply)
                var offset = reply.range.lowerBound
                while offset < reply.range.upperBound {
                    let end = min(offset + 4096, reply.range.upperBound)
                    read(UnsafeBufferPointer(rebasing: buffer[offset..<end]))
                    offset = end
                }
            }
        }
    }
}

