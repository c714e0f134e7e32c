// The AT receive path as `ATSession` runs it: bytes from the port go through `ATLineFramer`, every framed line through
// `ATResponseAssembler`, with `begin(command:)` before each command's reply and `abandon()` for a reply that never
// ended (a timed-out command). The input is every recorded reply in Tests/ATProtocolTests/Fixtures (sources in its
// SOURCES.md), concatenated into one multi-reply byte stream and fed in reads of at most 4 KiB, as a tty delivers them.
//
// The baseline, measured in the same run over the same reads, counts line ends with `memchr`: the cheapest pass that
// still touches every byte. bench-check.sh reports the receive path's time as a ratio to it, and its allocations per
// stream as an absolute count (they do not depend on the machine).
import ATProtocol
import Benchmark
import BenchmarkFixtures
import Foundation

/// The receive path over the whole stream; returns how many responses, reports and overflows it produced.
func receive(_ stream: ReplyStream) -> (responses: Int, unsolicited: Int, tooLarge: Int) {
    var framer = ATLineFramer(maxLineLength: 4096)
    var assembler = ATResponseAssembler()
    var counts = (responses: 0, unsolicited: 0, tooLarge: 0)
    stream.replay(start: { reply in
        if assembler.isAwaitingReply { assembler.abandon() }
        if let command = reply.command { assembler.begin(command: command) }
    }, read: { chunk in
        for framed in framer.append(chunk) {
            switch assembler.consume(framed) {
            case .response?: counts.responses += 1
            case .unsolicited?: counts.unsolicited += 1
            case .replyTooLarge?: counts.tooLarge += 1
            case nil: break
            }
        }
    })
    for framed in framer.finish() where assembler.consume(framed) != nil { counts.unsolicited += 1 }
    return counts
}

/// Counts line feeds with `memchr` over the same reads.
func scanLineEnds(_ stream: ReplyStream) -> Int {
    var count = 0
    stream.replay(start: { _ in }, read: { chunk in
        guard let base = chunk.baseAddress else { return }
        var pointer = UnsafeRawPointer(base)
        var remaining = chunk.count
        while remaining > 0, let found = memchr(pointer, 0x0A, remaining) {
            count += 1
            let next = UnsafeRawPointer(found) + 1
            remaining -= next - pointer
            pointer = next
        }
    })
    return count
}

/// Metrics every figure of this suite records; the stream's size is recorded so MB/s can be derived from wall time.
let streamBytesMetric = BenchmarkMetric.custom("streamBytes", polarity: .prefersLarger, useScalingFactor: false)
let repliesMetric = BenchmarkMetric.custom("replies", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    let stream = ReplyStream.load()
    // Checked once, outside the measurement: a receive path that produced no responses would be measuring nothing.
    let expected = receive(stream)
    guard expected.responses > stream.replies.count / 2 else {
        fatalError("ATReceive: only \(expected.responses) responses from \(stream.replies.count) replies")
    }

    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal, streamBytesMetric, repliesMetric],
        timeUnits: .nanoseconds,
        warmupIterations: 3,
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 300
    )

    Benchmark("framer+assembler") { benchmark in
        let counts = receive(stream)
        blackHole(counts)
        benchmark.measurement(streamBytesMetric, stream.bytes.count)
        benchmark.measurement(repliesMetric, stream.replies.count)
    }

    Benchmark("memchr line-end scan (baseline)") { benchmark in
        blackHole(scanLineEnds(stream))
        benchmark.measurement(streamBytesMetric, stream.bytes.count)
        benchmark.measurement(repliesMetric, stream.replies.count)
    }
}
