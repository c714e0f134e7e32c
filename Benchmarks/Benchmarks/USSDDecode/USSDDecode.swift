// USSD reply decoding (`ATParse.ussd`): every `+CUSD:` line found in the recorded replies of
// Tests/ATProtocolTests/Fixtures (plain text, GSM 7-bit packed hex, UCS-2 hex, multi-line menus), framed by
// `ATLineFramer` as the session frames them, then decoded once per line per iteration.
//
// The baseline, in the same run, sums every UTF-8 byte of the same lines: the cheapest pass that touches each byte.
// bench-check.sh reports decoding as a ratio to it, and allocations per line set as an absolute count.
import ATProtocol
import Benchmark
import BenchmarkFixtures

/// Every `+CUSD:` line of the fixtures, as the framer delivers it.
func ussdLines(_ stream: ReplyStream) -> [String] {
    var framer = ATLineFramer(maxLineLength: 4096)
    var lines: [String] = []
    func keep(_ framed: [ATFramedLine]) {
        for case .line(let line) in framed where line.utf8.starts(with: "+CUSD:".utf8) { lines.append(line) }
    }
    stream.replay(start: { _ in }, read: { chunk in keep(framer.append(chunk)) })
    keep(framer.finish())
    return lines
}

/// Lines decoded per iteration, for per-line figures.
let linesMetric = BenchmarkMetric.custom("lines", polarity: .prefersLarger, useScalingFactor: false)

/// Registers the suite (the benchmark plugin calls it at start-up).
let benchmarks: @Sendable () -> Void = {
    let lines = ussdLines(ReplyStream.load())
    // Checked once, outside the measurement: most recorded reports must decode, or the figure measures error paths.
    let decoded = lines.filter { (try? ATParse.ussd($0))?.text != nil }.count
    guard lines.count >= 10, decoded * 2 > lines.count else {
        fatalError("USSDDecode: \(decoded) of \(lines.count) +CUSD lines decoded")
    }

    let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal, linesMetric]
    Benchmark.defaultConfiguration = .init(
        metrics: metrics,
        timeUnits: .nanoseconds,
        // Raw counts and nanoseconds in the exports (not K or M): bench-check.sh divides them.
        units: Dictionary(uniqueKeysWithValues: metrics.map { ($0, BenchmarkUnits.count) }),
        warmupIterations: 10,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 5_000
    )

    Benchmark("ATParse.ussd") { benchmark in
        var texts = 0
        for line in lines {
            if let reply = try? ATParse.ussd(line), let text = reply.text { texts &+= text.utf8.count }
        }
        blackHole(texts)
        benchmark.measurement(linesMetric, lines.count)
    }

    Benchmark("byte sum (baseline)") { benchmark in
        var sum = 0
        for line in lines {
            for byte in line.utf8 { sum &+= Int(byte) }
        }
        blackHole(sum)
        benchmark.measurement(linesMetric, lines.count)
    }
}
