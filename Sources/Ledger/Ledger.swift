import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB

/// The station's SQLite ledger: devices, SIMs, provisionings, vouchers and the hash-chained events
/// that record every change to them.
///
/// Opened in WAL mode with `synchronous=FULL`, both read back at open (the ledger refuses to open
/// with `.notDurable` otherwise), so a call that returns has its transaction on disk and survives a
/// power cut or `kill -9`. Every mutating call writes the row change and its event together, or
/// nothing. Every write transaction runs on the ledger's one writer thread (`LedgerWriter`), which
/// commits the writes queued together in one transaction (group commit); reads run concurrently on
/// snapshots (the queries, shared with `LedgerSnapshot`, are in `LedgerReading`).
///
/// Async code (the station) calls the ledger through `writing(_:)` and `reading(_:)`: the caller is
/// suspended, not blocked, while the writer commits or a reader reads, so no actor and no thread of
/// Swift's cooperative pool waits for an fsync, and no thread is created per call. The methods called
/// directly block their thread until their commit (tools, tests, start-up checks).
public final class Ledger: LedgerReading {
    /// The database file path.
    public let path: String
    /// The GRDB pool; internal so tests can reach the raw database.
    let pool: DatabasePool
    /// Every write transaction goes through it (group commit on one thread).
    let writer: LedgerWriter
    /// The clock stamping rows and events; injected so tests control time.
    let clock: @Sendable () -> Date

    /// How long a write waits for another connection's lock before failing with `.busy`.
    public static let busyTimeout: TimeInterval = 5

    /// Opens (creating if needed) the ledger at `path` with the wall clock.
    public convenience init(path: String) throws(LedgerError) {
        try self.init(path: path, clock: { Date() })
    }

    /// Opens (creating if needed) the ledger at `path`, migrates it, and checks durability.
    ///
    /// Fails with `.notDurable` if WAL, `synchronous=FULL` or foreign keys are not in force after
    /// opening, with `.migration` if the file was written by a newer build, and with `.corrupt`,
    /// `.readOnly` or `.io` when SQLite cannot open it.
    public convenience init(path: String, clock: @escaping @Sendable () -> Date) throws(LedgerError) {
        try self.init(path: path, clock: clock, synchronousPragma: "FULL")
    }

    /// Designated initializer; `synchronousPragma` exists so tests can prove a non-durable
    /// setting is refused. Production code always goes through the public initializers.
    init(path: String, clock: @escaping @Sendable () -> Date, synchronousPragma: String) throws(LedgerError) {
        self.path = path
        Self.restrictFileModes(path)
        self.clock = clock
        var config = Configuration()
        config.label = "ledger"
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(Ledger.busyTimeout)
        config.journalMode = .wal
        let synchronous = ["OFF", "NORMAL", "FULL", "EXTRA"].contains(synchronousPragma) ? synchronousPragma : "FULL"
        config.prepareDatabase { db in
            // Per connection: FULL makes every WAL commit fsync before returning.
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw LedgerError.wrap(error, "open ledger")
        }
        self.pool = pool
        self.writer = try LedgerWriter(pool: pool)
        do {
            // GRDB's WAL setup runs after prepareDatabase and sets the writer to NORMAL ("many
            // applications choose NORMAL"), which may lose the last commits on power loss. The
            // pool keeps one writer connection for its life, so setting FULL here sticks; the
            // read-back below proves it.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            }
        } catch {
            throw LedgerError.wrap(error, "set synchronous")
        }
        try checkDurability()
        try migrate()
    }

    /// Opens a fresh ledger in a new file under the temporary directory (for tests and tools).
    ///
    /// The file is not removed automatically: delete `path` (and its `-wal`/`-shm`) when done.
    public static func temporary(clock: @escaping @Sendable () -> Date = { Date() }) throws(LedgerError) -> Ledger {
        let directory = FileManager.default.temporaryDirectory
        let file = directory.appendingPathComponent("ledger-\(UUID().uuidString).sqlite").path
        return try Ledger(path: file, clock: clock)
    }

    /// The durability settings of one connection as SQLite reports them.
    public struct Durability: Sendable, Equatable, Codable {
        /// `PRAGMA journal_mode`, expected "wal".
        public var journalMode: String
        /// `PRAGMA synchronous`, expected 2 (FULL) or 3 (EXTRA).
        public var synchronous: Int
        /// `PRAGMA foreign_keys`, expected true.
        public var foreignKeys: Bool

        /// True when commits are durable and constraints enforced.
        public var isDurable: Bool { journalMode == "wal" && synchronous >= 2 && foreignKeys }
    }

    /// Reads journal mode, synchronous and foreign keys back from the writer connection and a reader.
    public func durability() throws(LedgerError) -> (writer: Durability, reader: Durability) {
        func read(_ db: Database) throws -> Durability {
            let journal = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
            let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            let foreignKeys = try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false
            return Durability(journalMode: journal.lowercased(), synchronous: synchronous, foreignKeys: foreignKeys)
        }
        do {
            let writer = try pool.writeWithoutTransaction { db in try read(db) }
            let reader = try pool.read { db in try read(db) }
            return (writer, reader)
        } catch {
            throw LedgerError.wrap(error, "read durability settings")
        }
    }

    private func checkDurability() throws(LedgerError) {
        let settings = try durability()
        for (role, value) in [("writer", settings.writer), ("reader", settings.reader)] where !value.isDurable {
            throw LedgerError(.notDurable, "the ledger \(role) connection runs journal_mode=\(value.journalMode), "
                + "synchronous=\(value.synchronous), foreign_keys=\(value.foreignKeys); "
                + "it needs wal, FULL (2) and on to keep money records through a power cut")
        }
    }

    private func migrate() throws(LedgerError) {
        let migrator = LedgerSchema.migrator
        do {
            let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
            if superseded {
                throw LedgerError(.migration, "the ledger was written by a newer version of this program; refusing to open it")
            }
            try migrator.migrate(pool)
        } catch {
            let wrapped = LedgerError.wrap(error, "migrate ledger")
            if wrapped.code == .io {
                throw LedgerError(.migration, wrapped.message, sqliteCode: wrapped.sqliteCode,
                                  sqliteExtendedCode: wrapped.sqliteExtendedCode)
            }
            throw wrapped
        }
    }

    /// Makes the ledger and the files SQLite keeps beside it owner-only (0600) whatever the umask: it holds voucher
    /// codes and Wi-Fi keys. A new file is created 0600 before SQLite opens it (SQLite gives its WAL and shared-memory
    /// files the database file's mode); files this process owns that others could read are narrowed.
    static func restrictFileModes(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd >= 0 {
            _ = fchmod(fd, 0o600)
            close(fd)
        }
        for file in [path, path + "-wal", path + "-shm", path + "-journal"] {
            var info = stat()
            guard lstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(),
                  info.st_mode & 0o077 != 0 else { continue }
            _ = chmod(file, 0o600)
        }
    }

    /// Identifiers of the migrations applied to this file, in order (e.g. `["v1-initial"]`).
    public func appliedMigrations() throws(LedgerError) -> [String] {
        let migrator = LedgerSchema.migrator
        do {
            let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
            return LedgerSchema.migrationNames.filter { applied.contains($0) }
        } catch {
            throw LedgerError.wrap(error, "read migrations")
        }
    }

    /// Where the read-only queries (`LedgerReading`) read: the pool's readers.
    public var readAccess: LedgerReadAccess { LedgerReadAccess(reader: pool) }

    /// Runs `body` in a write transaction with the current time text; maps every error.
    ///
    /// Called directly, `body` is queued to the writer thread, shares a commit with the writes queued with it
    /// (`LedgerWriter`), and this returns only once its change is on disk. Inside a `writing` closure it runs at once,
    /// in a savepoint of that closure's transaction. The time is read when `body` runs, so event times follow the
    /// chain's order (unless the wall clock itself steps back).
    func write<T>(_ context: String, _ body: (Database, String) throws -> T) throws(LedgerError) -> T {
        do {
            if let frame = LedgerContext.current {
                guard frame.writes else {
                    throw LedgerError(.io, "\(context): a ledger write was started inside a ledger read")
                }
                let db = frame.db
                guard db.isInsideTransaction else {
                    // SQLite ended the batch's transaction (I/O error, full disk): the writer runs this closure again.
                    throw LedgerError(.io, "\(context): the ledger transaction was rolled back")
                }
                var value: T?
                try db.inSavepoint {
                    value = try body(db, LedgerTimestamp.format(clock()))
                    return .commit
                }
                guard let value else { throw LedgerError(.io, "\(context): a ledger write completed without a result") }
                return value
            }
            return try writer.write { db in try body(db, LedgerTimestamp.format(clock())) }
        } catch {
            throw LedgerError.wrap(error, context)
        }
    }

    /// Runs `body` over this ledger on the writer thread, as one write of the next group commit, and resumes the
    /// caller once that commit is on disk; the caller is suspended, not blocked, meanwhile.
    ///
    /// The ledger's calls inside `body` run in `body`'s transaction (each in a savepoint of its own, so one that fails
    /// leaves the others), and its reads see the writes before them. When `body` throws, everything it wrote is rolled
    /// back and the error comes out as thrown; a failure to commit is a `LedgerError`. Keep `body` short: the writer
    /// commits nothing else while it runs.
    public func writing<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws -> T) async throws -> T {
        do {
            return try await writer.write { [self] db in
                try LedgerContext.run(LedgerContext.Frame(db, writes: true)) { try body(self) }
            }
        } catch let error as DatabaseError {
            throw LedgerError.wrap(error, "write the ledger")
        }
    }

    /// Queues `body` as `writing(_:)` does and returns at once, without waiting for the commit; `completion` gets the
    /// outcome (on the writer thread). For records nobody waits for, such as a device event: they still commit in the
    /// order they were queued, after the writes queued before them.
    public func submitting(_ body: @escaping @Sendable (Ledger) throws -> Void,
                           completion: @escaping @Sendable (Result<Void, LedgerError>) -> Void) {
        writer.submit({ [self] db in
            try LedgerContext.run(LedgerContext.Frame(db, writes: true)) { try body(self) }
        }, completion: { outcome in
            completion(outcome.mapError { LedgerError.wrap($0, "write the ledger") })
        })
    }

    /// How many transactions the ledger committed since it was opened (a shared commit counts once), and how many
    /// writes they held; tests and benchmarks read it to see group commit at work.
    public var commitStatistics: (commits: Int, writes: Int) { writer.statistics }
}

/// Checks that run before a value reaches SQL.
enum LedgerInput {
    /// Refuses empty, over-long, or control-character text with `.invalidArgument`.
    static func text(_ value: String, _ field: String, max: Int) throws(LedgerError) {
        guard !value.isEmpty, value.utf8.count <= max else {
            throw LedgerError(.invalidArgument, "\(field) must be 1 to \(max) bytes")
        }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw LedgerError(.invalidArgument, "\(field) must not contain control characters")
        }
    }

    /// Same as `text` for an optional value (nil passes).
    static func optionalText(_ value: String?, _ field: String, max: Int) throws(LedgerError) {
        if let value {
            try text(value, field, max: max)
        }
    }
}

