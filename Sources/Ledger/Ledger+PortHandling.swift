#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

extension Ledger {
    /// How many daemons in a row may die while handling a port before it is quarantined.
    public static let quarantineAfterUnfinishedHandlings = 2

    /// Notes that this daemon begins handling `port` (identification and the first run after attach), unless daemons
    /// already died `quarantineAfterUnfinishedHandlings` times in a row while handling it: then nothing is written
    /// and the port's count of unfinished handlings is returned, for the caller to list the device and leave it be.
    ///
    /// Returns nil when handling may go ahead. A device that makes the daemon crash (a reply that traps, a driver
    /// bug) would otherwise crash every restart, and under `Restart=on-failure` spend the night doing so.
    public func beginHandling(port: String) throws(LedgerError) -> Int? {
        try LedgerInput.text(port, "port", max: 4096)
        return try write("begin handling a port") { db, now in
            let unfinished = try Int.fetchOne(db, sql: "SELECT unfinished FROM port_handling WHERE port = ?", arguments: [port]) ?? 0
            if unfinished >= Ledger.quarantineAfterUnfinishedHandlings { return unfinished }
            try db.execute(sql: """
                INSERT INTO port_handling (port, unfinished, updated_at) VALUES (?, 1, ?)
                ON CONFLICT(port) DO UPDATE SET unfinished = unfinished + 1, updated_at = excluded.updated_at
                """, arguments: [port, now])
            return nil
        }
    }

    /// Notes that handling `port` ended without the daemon dying (whatever the outcome), or that a person released a
    /// quarantined port: its count starts again from zero.
    public func endHandling(port: String) throws(LedgerError) {
        try LedgerInput.text(port, "port", max: 4096)
        try write("end handling a port") { db, _ in
            try db.execute(sql: "DELETE FROM port_handling WHERE port = ?", arguments: [port])
        }
    }
}
