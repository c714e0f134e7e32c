#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Ledger
import Logging

extension Station {
    /// The ledger export (`GET /v1/ledger/export`) as a pull-based stream: each chunk is read from the ledger only when
    /// the consumer asks for the next one, so a client that reads slowly, or not at all, costs one chunk of memory and
    /// no ledger reader in the meantime.
    ///
    /// Chunks are pages of about 64 KiB of whole lines, each read in a short read transaction of its own (on a reader's
    /// queue, off the cooperative pool: `Ledger.reading`) that resumes after the last event sent; `Ledger.exportEvents` decides the
    /// format and the page size. A reader is held only while a page is read: a stalled client must not keep one of the
    /// pool's few readers the station's own queries wait for. Events appended while the export runs are included; the
    /// result is still a prefix of the chain, checkable with its hashes. A failure is logged and ends the stream.
    public nonisolated func ledgerExportStream(format: LedgerExportFormat) -> AsyncStream<[UInt8]> {
        let pager = LedgerExportPager(ledger: ledger, format: format, logger: logger)
        return AsyncStream(unfolding: { await pager.next() })
    }
}

/// Reads a ledger export one page at a time, each page resuming after the last event of the previous one.
actor LedgerExportPager {
    /// A page of the export: its bytes as sent, and the seq of its last event (nil when it holds no event).
    struct Page: Equatable {
        var bytes: [UInt8]
        var lastSeq: Int64?
    }

    /// Stops `Ledger.exportEvents` once it has handed over its first chunk.
    private struct PageComplete: Error {}

    private let ledger: Ledger
    private let format: LedgerExportFormat
    private let logger: Logger
    private var afterSeq: Int64 = 0
    private var isFirstPage = true
    private var isDone = false

    init(ledger: Ledger, format: LedgerExportFormat, logger: Logger) {
        self.ledger = ledger
        self.format = format
        self.logger = logger
    }

    /// The next page's bytes, or nil once every event was sent (or the export failed).
    func next() async -> [UInt8]? {
        guard !isDone, !Task.isCancelled else { return nil }
        let format = self.format
        let afterSeq = self.afterSeq
        let isFirst = isFirstPage
        do {
            let page = try await ledger.reading { ledger in
                try Self.readPage(ledger, format: format, afterSeq: afterSeq, isFirst: isFirst)
            }
            isFirstPage = false
            guard let lastSeq = page.lastSeq else {
                isDone = true
                // A CSV export of no event is its header line alone.
                return page.bytes.isEmpty ? nil : page.bytes
            }
            self.afterSeq = lastSeq
            return page.bytes
        } catch {
            isDone = true
            logger.error("ledger export failed", metadata: ["error": "\(error)", "export.afterSeq": "\(afterSeq)"])
            return nil
        }
    }

    /// Reads the first chunk `exportEvents` produces after `afterSeq`, in one read transaction, and stops it there.
    static func readPage(_ ledger: Ledger, format: LedgerExportFormat, afterSeq: Int64, isFirst: Bool) throws -> Page {
        var captured: Data?
        do {
            _ = try ledger.exportEvents(format: format, afterSeq: afterSeq) { data in
                captured = data
                throw PageComplete()
            }
        } catch {
            // The one way out after a chunk is ours; anything before a chunk is the ledger's failure.
            guard captured != nil else { throw error }
        }
        guard let captured else { return Page(bytes: [], lastSeq: nil) }
        return try page(from: Array(captured), format: format, isFirst: isFirst)
    }

    /// Why a page could not be continued from.
    struct MalformedPage: Error, CustomStringConvertible {
        var description: String
    }

    /// Splits off what the consumer must not see twice (the CSV header after the first page) and finds the seq of the
    /// page's last line: the first field of a CSV row, the `"seq"` member that opens a JSONL object.
    static func page(from bytes: [UInt8], format: LedgerExportFormat, isFirst: Bool) throws -> Page {
        var bytes = bytes
        var rowsStart = bytes.startIndex
        if format == .csv {
            // Every `exportEvents` call starts with the header line.
            guard let headerEnd = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
                throw MalformedPage(description: "a CSV export page without its header line")
            }
            if isFirst {
                rowsStart = headerEnd + 1
            } else {
                bytes.removeSubrange(...headerEnd)
            }
        }
        let rows = bytes[rowsStart...]
        guard let lastLine = lastLine(of: rows) else {
            return Page(bytes: bytes, lastSeq: nil)
        }
        let prefix: [UInt8] = format == .csv ? [] : Array(#"{"seq":"#.utf8)
        guard lastLine.starts(with: prefix) else {
            throw MalformedPage(description: "an export line that does not start with its seq")
        }
        let digits = lastLine.dropFirst(prefix.count).prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard let seq = Int64(String(decoding: digits, as: UTF8.self)),
              lastLine.dropFirst(prefix.count + digits.count).first == UInt8(ascii: ",") else {
            throw MalformedPage(description: "an export line whose seq is not a number")
        }
        return Page(bytes: bytes, lastSeq: seq)
    }

    /// The last line of `bytes` (which end with a line break), without its `\n` or `\r\n`; nil when there is none.
    private static func lastLine(of bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var end = bytes.endIndex
        while end > bytes.startIndex, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        guard end > bytes.startIndex else { return nil }
        let start = bytes[..<end].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.startIndex
        return bytes[start..<end]
    }
}
