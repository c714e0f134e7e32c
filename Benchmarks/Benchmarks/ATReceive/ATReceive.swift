// The AT receive path as `ATSession` runs it: bytes from the port go through `ATLineFramer`, every framed line through
// `ATResponseAssembler`, with `begin(command:)` before each command's reply and `abandon()` for a reply that never
// ended (a timed-out command). The input is every recorded reply in Tests/ATProtocolTests/Fixtures (sources in its
// SOURCES.md), concatenated into one multi-reply byte stream and fed in reads of at most 4 KiB, as a tty delivers them.
//
// The baseline, measured in the same run over the same reads, counts line ends with `memchr`: the cheapest pass that
// still touches every byte. bench-check.sh reports the receive path's time as a ratio to it, and its allocations per
// reply as an absolute count (they do not depend on the machine), and MB/s of thread CPU time.
import ATProtocol
import Benchmark
import BenchmarkFixtures
import Foundation

/// One session's framer and assembler, kept across iterations as an `ATSession` keeps them across commands (the
/// assembler caches what it works out about each command it has seen).
final class SessionReceivePath {
    private var framer = ATLineFramer(maxLineLength: 4096)
    private var assembler = ATResponseAssembler()

    /// The receive path over the whole stream; returns how many responses, reports and overflows it produced.
    func receive(_ stream: ReplyStream) -> (responses: Int, unsolicited: Int, tooLarge: Int) {
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
        // The stream ends without a line end: the last reply's last line is delivered now.
        for framed in framer.finish() where assembler.consume(framed) != nil { counts.unsolicited += 1 }
        if assembler.isAwaitingReply { assembler.abandon() }
        return counts
    }
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

/// The stream's size, recorded with every iteration (like its reply count) so rates and per-reply figures can be derived.
let streamBytesMetric = BenchmarkMetric.custom("streamBytes", polarity: .prefersLarger, useScalingFactor: false)
/// Replies in the stream.
let repliesMetric = BenchmarkMetric.custom("replies", polarity: .prefersLarger, useScalingFactor: false)
/// The iteration's CPU time on its own thread (the framework's `cpuTotal` counts 10 ms scheduler ticks: too coarse).
let threadCPUMetric = BenchmarkMetric.custom("threadCpuNs", polarity: .prefersSmaller, useScalingFactor: false)

/// CPU time of the calling thread, in nanoseconds: the time this one core spent, not time spent descheduled.
func threadCPUNanoseconds() -> Int {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return time.tv_sec * 1_000_000_000 + time.tv_nsec
}

/// Registers the suite (the benchmark plugin calls it at start-up).
let benchmarks: @Sendable () -> Void = {
    let stream = ReplyStream.load()
    // Checked once, outside the measurement: a receive path that produced no responses would be measuring nothing.
    let expected = SessionReceivePath().receive(stream)
    guard expected.responses > stream.replies.count / 2 else {
        fatalError("ATReceive: only \(expected.responses) responses from \(stream.replies.count) replies")
    }

    let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal, threadCPUMetric, streamBytesMetric, repliesMetric]
    Benchmark.defaultConfiguration = .init(
        metrics: metrics,
        timeUnits: .nanoseconds,
        // Raw counts and nanoseconds in the exports (not K or M): bench-check.sh divides them.
        units: Dictionary(uniqueKeysWithValues: metrics.map { ($0, BenchmarkUnits.count) }),
        warmupIterations: 3,
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 300
    )

    let session = SessionReceivePath()
    Benchmark("framer+assembler") { benchmark in
        let cpuStart = threadCPUNanoseconds()
        let counts = session.receive(stream)
        benchmark.measurement(threadCPUMetric, threadCPUNanoseconds() - cpuStart)
        blackHole(counts)
        benchmark.measurement(streamBytesMetric, stream.bytes.count)
        benchmark.measurement(repliesMetric, stream.replies.count)
    }

    Benchmark("memchr line-end scan (baseline)") { benchmark in
        let cpuStart = threadCPUNanoseconds()
        let lineEnds = scanLineEnds(stream)
        benchmark.measurement(threadCPUMetric, threadCPUNanoseconds() - cpuStart)
        blackHole(lineEnds)
        benchmark.measurement(streamBytesMetric, stream.bytes.count)
        benchmark.measurement(repliesMetric, stream.replies.count)
    }
}
