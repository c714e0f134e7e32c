/// One unit produced by `ATLineFramer`: a complete, non-empty line or a report that a line was too long.
///
/// Lines never contain CR, LF or NUL; leading and trailing spaces and tabs are trimmed.
public enum ATFramedLine: Sendable, Equatable {
    /// A complete line, decoded once from UTF-8 (invalid sequences become U+FFFD).
    case line(String)
    /// A line longer than the framer's limit was dropped; `discardedBytes` counts its bytes (NULs excluded).
    case overflow(discardedBytes: Int)
}

/// Splits a modem's byte stream into lines: CR, LF, CRLF and CR CR LF all end a line.
///
/// Empty lines are dropped, NUL bytes are dropped, invalid UTF-8 is decoded lossily. A line longer
/// than `maxLineLength` bytes is discarded as a whole and reported as `.overflow` when its end
/// arrives, so the framer resynchronises at the next line end and never holds more than
/// `maxLineLength` bytes. Bytes are scanned in runs; each line is decoded to a `String` exactly once.
public struct ATLineFramer: Sendable {
    /// The longest line, in bytes, that is delivered; longer lines become `.overflow`.
    public let maxLineLength: Int
    private var pending: [UInt8] = []
    private var discarding = false
    private var discardedCount = 0

    /// Creates a framer that keeps lines of at most `maxLineLength` bytes (at least 1).
    public init(maxLineLength: Int = 4096) {
        self.maxLineLength = max(1, maxLineLength)
        pending.reserveCapacity(min(self.maxLineLength, 512))
    }

    /// True when bytes of an unfinished line are held (or being discarded) waiting for its end.
    public var hasPartialLine: Bool { !pending.isEmpty || discarding }

    /// Feeds bytes in and returns every line they complete, in order.
    public mutating func append(_ bytes: some Sequence<UInt8>) -> [ATFramedLine] {
        var out: [ATFramedLine] = []
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            scan(buffer, into: &out)
        }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { scan($0, into: &out) }
        }
        return out
    }

    /// Ends the input: the unfinished line, if any, is delivered as if a line end had arrived.
    ///
    /// Used for offline decoding, where the end of a capture is the end of its last line.
    public mutating func finish() -> [ATFramedLine] {
        var out: [ATFramedLine] = []
        endLine(into: &out)
        return out
    }

    private mutating func scan(_ buffer: UnsafeBufferPointer<UInt8>, into out: inout [ATFramedLine]) {
        let count = buffer.count
        var index = 0
        while index < count {
            var end = index
            while end < count {
                let byte = buffer[end]
                if byte == 0x0D || byte == 0x0A || byte == 0x00 { break }
                end += 1
            }
            if end > index {
                appendRun(UnsafeBufferPointer(rebasing: buffer[index..<end]))
            }
            if end < count {
                if buffer[end] != 0x00 { endLine(into: &out) }
                end += 1
            }
            index = end
        }
    }

    private mutating func appendRun(_ run: UnsafeBufferPointer<UInt8>) {
        if discarding {
            discardedCount += run.count
        } else if pending.count + run.count > maxLineLength {
            discarding = true
            discardedCount = pending.count + run.count
            pending.removeAll(keepingCapacity: true)
        } else {
            pending.append(contentsOf: run)
        }
    }

    private mutating func endLine(into out: inout [ATFramedLine]) {
        if discarding {
            out.append(.overflow(discardedBytes: discardedCount))
            discarding = false
            discardedCount = 0
            return
        }
        guard !pending.isEmpty else { return }
        var start = 0
        var end = pending.count
        while start < end, pending[start] == 0x20 || pending[start] == 0x09 { start += 1 }
        while end > start, pending[end - 1] == 0x20 || pending[end - 1] == 0x09 { end -= 1 }
        if end > start {
            let text = pending.withUnsafeBufferPointer {
                String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self)
            }
            out.append(.line(text))
        }
        pending.removeAll(keepingCapacity: true)
    }
}
