/// Splits a modem's byte stream into lines: CR, LF, CRLF and CR CR LF all end a line.
///
/// Empty lines are dropped, NUL bytes are dropped, invalid UTF-8 is decoded lossily. A line longer
/// than `maxLineLength` bytes is discarded as a whole and reported as `.overflow` when its end
/// arrives, so the framer resynchronises at the next line end and never holds more than
/// `maxLineLength` bytes. The limit counts wire bytes: a delivered line can be longer in UTF-8
/// when invalid bytes became U+FFFD. Bytes are scanned in runs; each line is decoded once.
///
/// One exception keeps USSD menus intact: when a line starting with `+CUSD:` ends inside its
/// quoted text (an odd number of `"`), the following lines belong to it, with their line breaks
/// kept byte for byte, until the line that closes the quote. A following line that is a final
/// result (`OK`, `ERROR`, ...) or a known unsolicited report ends the `+CUSD` line early instead
/// (its quote was broken) and is delivered on its own.
public struct ATLineFramer: Sendable {
    /// The longest line, in bytes, that is delivered; longer lines become `.overflow`.
    public let maxLineLength: Int
    private var pending: [UInt8] = []
    private var discarding = false
    private var discardedCount = 0
    /// Inside a `+CUSD` text that continues over several lines.
    private var inQuotedText = false
    /// Line-end bytes seen in a quoted text since its last content; inserted before the next content.
    private var heldLineEnds: [UInt8] = []
    /// Where the current physical line starts in `pending` (quoted text only).
    private var physicalStart = 0
    /// Where the text before the current physical line's line ends stops in `pending`.
    private var joinedEnd = 0

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
        if inQuotedText {
            if pending.count > physicalStart, physicalLineBreaksQuote() {
                emit(0..<joinedEnd, into: &out)
                emit(physicalStart..<pending.count, into: &out)
            } else {
                emit(0..<pending.count, into: &out)
            }
            resetLine()
        } else {
            endLine(byte: 0x0D, into: &out)
        }
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
                let byte = buffer[end]
                if byte != 0x00 { endLine(byte: byte, into: &out) }
                end += 1
            }
            index = end
        }
    }

    private mutating func appendRun(_ run: UnsafeBufferPointer<UInt8>) {
        if discarding {
            discardedCount += run.count
            return
        }
        if inQuotedText, !heldLineEnds.isEmpty {
            // First content of a new physical line inside a quoted text: keep its line break.
            // The held line break is part of the line: it counts against the limit and is never dropped, so the
            // outcome does not depend on how the bytes were split into reads (found by the fuzzer).
            joinedEnd = pending.count
            let total = pending.count + heldLineEnds.count + run.count
            if total > maxLineLength {
                discarding = true
                discardedCount = total
                resetLine()
                return
            }
            pending.append(contentsOf: heldLineEnds)
            heldLineEnds.removeAll(keepingCapacity: true)
            physicalStart = pending.count
        }
        if pending.count + run.count > maxLineLength {
            discarding = true
            discardedCount = pending.count + run.count
            resetLine()
        } else {
            pending.append(contentsOf: run)
        }
    }

    private mutating func endLine(byte: UInt8, into out: inout [ATFramedLine]) {
        if discarding {
            out.append(.overflow(discardedBytes: discardedCount))
            discarding = false
            discardedCount = 0
            return
        }
        if inQuotedText {
            if pending.count == physicalStart {
                heldLineEnds.append(byte)
                return
            }
            if physicalLineBreaksQuote() {
                emit(0..<joinedEnd, into: &out)
                emit(physicalStart..<pending.count, into: &out)
                resetLine()
            } else if quoteCount(physicalStart..<pending.count) % 2 == 1 {
                emit(0..<pending.count, into: &out)
                resetLine()
            } else {
                heldLineEnds.append(byte)
                physicalStart = pending.count
            }
            return
        }
        guard !pending.isEmpty else { return }
        if startsUSSDReport(), quoteCount(0..<pending.count) % 2 == 1 {
            inQuotedText = true
            heldLineEnds.append(byte)
            physicalStart = pending.count
            joinedEnd = pending.count
            return
        }
        emit(0..<pending.count, into: &out)
        pending.removeAll(keepingCapacity: true)
    }

    private mutating func resetLine() {
        pending.removeAll(keepingCapacity: true)
        inQuotedText = false
        heldLineEnds.removeAll(keepingCapacity: true)
        physicalStart = 0
        joinedEnd = 0
    }

    /// Trims spaces and tabs and delivers `pending[range]` as a line, if anything is left.
    private func emit(_ range: Range<Int>, into out: inout [ATFramedLine]) {
        var start = range.lowerBound
        var end = range.upperBound
        while start < end, pending[start] == 0x20 || pending[start] == 0x09 { start += 1 }
        while end > start, pending[end - 1] == 0x20 || pending[end - 1] == 0x09 { end -= 1 }
        guard end > start else { return }
        if out.isEmpty { out.reserveCapacity(8) }   // one allocation per read, not one per line
        let text = pending.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self)
        }
        out.append(.line(text))
    }

    private func quoteCount(_ range: Range<Int>) -> Int {
        var count = 0
        for index in range where pending[index] == 0x22 { count += 1 }
        return count
    }

    /// True when `pending` starts with `+CUSD` and a colon (spaces allowed, any case).
    private func startsUSSDReport() -> Bool {
        var index = 0
        while index < pending.count, pending[index] == 0x20 { index += 1 }
        let name: [UInt8] = [0x2B, 0x43, 0x55, 0x53, 0x44]   // "+CUSD"
        guard pending.count - index > name.count else { return false }
        for expected in name {
            if ATText.upperASCII(pending[index]) != expected { return false }
            index += 1
        }
        while index < pending.count, pending[index] == 0x20 { index += 1 }
        return index < pending.count && pending[index] == 0x3A
    }

    /// True when the current physical line cannot be part of a USSD text: a final result or a
    /// known unsolicited report (the `+CUSD` quote was broken).
    private func physicalLineBreaksQuote() -> Bool {
        let line = pending.withUnsafeBufferPointer {
            ATText.trimmed(String(decoding: UnsafeBufferPointer(rebasing: $0[physicalStart..<pending.count]), as: UTF8.self))
        }
        if ATFinalResult.parse(line) != nil { return true }
        if let prefix = ATText.prefix(of: line) {
            return ATResponseAssembler.unsolicitedNames.contains(prefix.uppercased())
        }
        return false
    }
}
