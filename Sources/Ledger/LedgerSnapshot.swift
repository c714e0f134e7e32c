#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// A ledger file opened read-only, for checking a copy (a backup, a file sent by a station) with no daemon.
///
/// Never migrates, recovers or writes anything: the file is opened with `SQLITE_OPEN_READONLY`, so a copy
/// under examination stays byte-for-byte what it was. Use `Ledger` for the live ledger.
public final class LedgerSnapshot: Sendable {
    /// The database file path.
    public let path: String
    private let queue: DatabaseQueue

    /// Opens `path` read-only; `.notFound` when there is no such file, `.corrupt` when it is not a ledger.
    public init(path: String) throws(LedgerError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LedgerError(.notFound, "no ledger file at \(path)")
        }
        self.path = path
        var config = Configuration()
        config.readonly = true
        config.label = "ledger-snapshot"
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            let hasEvents = try queue.read { db in try db.tableExists("events") }
            guard hasEvents else { throw LedgerError(.corrupt, "\(path) is an SQLite file without a ledger's events table") }
        } catch {
            throw LedgerError.wrap(error, "open ledger copy")
        }
    }

    private func read<T>(_ context: String, _ body: (Database) throws -> T) throws(LedgerError) -> T {
        do {
            return try queue.read { db in try body(db) }
        } catch {
            throw LedgerError.wrap(error, context)
        }
    }

    /// Re-walks the chain as `Ledger.verifyChain(anchor:)` does.
    public func verifyChain(anchor: ChainAnchor? = nil) throws(LedgerError) -> ChainVerification {
        try read("verify chain") { db in try EventChain.verify(db, anchor: anchor) }
    }

    /// The head of the chain (seq 0 and zeros when empty).
    public func headHash() throws(LedgerError) -> ChainAnchor {
        try read("read head hash") { db in try Ledger.head(db) }
    }

    /// `PRAGMA integrity_check` answers "ok".
    public func integrityCheck() throws(LedgerError) -> Bool {
        try read("integrity check") { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"] }
    }

    /// Streams every event as `Ledger.exportEvents(format:afterSeq:write:)` does; returns the count.
    @discardableResult
    public func exportEvents(format: LedgerExportFormat, afterSeq: Int64 = 0,
                             write: (Data) throws -> Void) throws(LedgerError) -> Int {
        try read("export events") { db in try Ledger.export(db, format: format, afterSeq: afterSeq, write: write) }
    }
}
