#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// A ledger file opened read-only, for checking a copy (a backup, a file sent by a station) with no daemon.
///
/// Never migrates, recovers or writes anything: the file is opened with `SQLITE_OPEN_READONLY`, so a copy
/// under examination stays byte-for-byte what it was. Use `Ledger` for the live ledger. Every read-only query of the
/// live ledger (`LedgerReading`: events, vouchers, the chain's verification and export…) reads a copy the same way.
public final class LedgerSnapshot: LedgerReading {
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

    /// Where the queries read: the read-only connection.
    public var readAccess: LedgerReadAccess { LedgerReadAccess(reader: queue) }
}
