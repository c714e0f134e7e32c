import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB

/// Where a ledger's read-only queries read: the live ledger's pool (`Ledger`) or a read-only copy (`LedgerSnapshot`).
public struct LedgerReadAccess: Sendable {
    /// Any GRDB reader over a ledger file.
    let reader: any DatabaseReader
}

/// A ledger that can be read: every read-only query (events, vouchers, orders, provisionings, reports, the chain's
/// verification and export) is written once, here, over `any DatabaseReader`, and serves both the live `Ledger` and
/// a `LedgerSnapshot` of a copy.
///
/// Each query called directly runs on a read snapshot of its own and blocks its thread for the read (tools, tests).
/// Async code runs queries through `reading(_:)`: they run on GRDB's reader queues, never on Swift's cooperative
/// pool, and several queries in one `reading` closure see the same snapshot.
public protocol LedgerReading: Sendable {
    /// Where the queries read.
    var readAccess: LedgerReadAccess { get }
}

extension LedgerReading {
    /// Runs `body` over this ledger on one read snapshot, on a reader's own queue; suspends the caller meanwhile.
    ///
    /// The queries `body` calls read that snapshot; a write started inside `body` is refused (`.io`). Errors of
    /// `body` come out as thrown; a failure to read at all is a `LedgerError`.
    public func reading<T: Sendable>(_ body: @escaping @Sendable (Self) throws -> T) async throws -> T {
        do {
            return try await readAccess.reader.read { db in
                try LedgerContext.run(LedgerContext.Frame(db, writes: false)) { try body(self) }
            }
        } catch let error as DatabaseError {
            throw LedgerError.wrap(error, "read the ledger")
        }
    }

    /// Runs `body` on a read snapshot (or, inside `reading`/`Ledger.writing`, on the database that closure holds);
    /// maps every error.
    func read<T>(_ context: String, _ body: (Database) throws -> T) throws(LedgerError) -> T {
        do {
            if let frame = LedgerContext.current {
                return try body(frame.db)
            }
            return try readAccess.reader.read { db in try body(db) }
        } catch {
            throw LedgerError.wrap(error, context)
        }
    }

    /// Runs `PRAGMA integrity_check`; true when SQLite answers "ok".
    public func integrityCheck() throws(LedgerError) -> Bool {
        try read("integrity check") { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"] }
    }
}

/// The database a `reading` or `Ledger.writing` closure holds, kept per thread while the closure runs, so the ledger's
/// own calls inside it use that database instead of starting a read or a write of their own.
enum LedgerContext {
    /// One closure's database; valid only while the closure runs on this thread.
    final class Frame {
        let db: Database
        /// True inside `Ledger.writing` (on the writer thread, inside its batch transaction).
        let writes: Bool

        init(_ db: Database, writes: Bool) {
            self.db = db
            self.writes = writes
        }
    }

    /// The thread-specific slot holding the current frame.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The frame of the closure running on this thread, if any.
    static var current: Frame? {
        guard let raw = pthread_getspecific(key) else { return nil }
        return Unmanaged<Frame>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Runs `body` with `frame` current on this thread, then puts back the previous one.
    static func run<T>(_ frame: Frame, _ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passUnretained(frame).toOpaque())
        defer { pthread_setspecific(key, previous) }
        return try withExtendedLifetime(frame) { try body() }
    }
}
