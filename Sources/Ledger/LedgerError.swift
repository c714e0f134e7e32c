import GRDB

/// The one error type of the ledger: a stable code, a sentence, and the SQLite result code when
/// SQLite produced it.
///
/// Callers switch on `code` (stable across releases) and show `message` (never contains a full
/// voucher code, Wi-Fi key or other secret). `sqliteCode` is the primary SQLite result code
/// (e.g. 13 for `SQLITE_FULL`), `sqliteExtendedCode` the extended one, both nil for errors the
/// ledger raised itself.
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable, machine-readable reason of a `LedgerError`.
    ///
    /// New cases may be added; the raw values never change meaning.
    public enum Code: String, Sendable, Codable, Equatable {
        /// WAL or `synchronous=FULL` (or foreign keys) could not be confirmed after opening.
        case notDurable
        /// The schema could not be migrated, or the file was written by a newer build.
        case migration
        /// A voucher or provisioning was asked to move between states the machine forbids.
        case illegalTransition
        /// A voucher code appears twice in an import, or already exists in the ledger.
        case duplicateVoucher
        /// A voucher code does not match `^[0-9A-Za-z]{4,32}$`.
        case invalidVoucherCode
        /// The SIM has a voucher in `sending` or `unknown`; it gets no other voucher until settled.
        case simHasUnsettledVoucher
        /// The row named by the call does not exist.
        case notFound
        /// An argument is outside what the ledger accepts (empty plan, reserved detail key, …).
        case invalidArgument
        /// A schema constraint (CHECK, UNIQUE, foreign key, trigger) refused the change.
        case constraint
        /// The disk (or the database's page limit) is full; the transaction was rolled back whole.
        case diskFull
        /// The database stayed locked by another connection past the busy timeout.
        case busy
        /// SQLite reports the file is not a database or is corrupt.
        case corrupt
        /// The database file or its directory cannot be written.
        case readOnly
        /// A copy made by `backup(to:)` did not verify.
        case backupFailed
        /// Any other I/O or SQLite failure.
        case io
        /// An order is fulfilled or cancelled: no voucher is reserved for it and no run works for it.
        case orderClosed
        /// An order already has its voucher (reserved, sent, applied or unknown): it never takes a second one.
        case orderHasCredit
    }

    /// Stable reason; switch on this.
    public var code: Code
    /// A sentence for logs and humans; never holds a secret.
    public var message: String
    /// Primary SQLite result code, when SQLite raised the error.
    public var sqliteCode: Int32?
    /// Extended SQLite result code, when SQLite raised the error.
    public var sqliteExtendedCode: Int32?
    /// 1-based line numbers of the import rows at fault (`duplicateVoucher`, `invalidVoucherCode`).
    public var lines: [Int]

    /// Makes an error; `lines` and SQLite codes default to empty/nil.
    public init(_ code: Code, _ message: String, sqliteCode: Int32? = nil, sqliteExtendedCode: Int32? = nil, lines: [Int] = []) {
        self.code = code
        self.message = message
        self.sqliteCode = sqliteCode
        self.sqliteExtendedCode = sqliteExtendedCode
        self.lines = lines
    }

    /// `code: message (sqlite N)`.
    public var description: String {
        if let sqliteCode {
            return "\(code.rawValue): \(message) (sqlite \(sqliteCode))"
        }
        return "\(code.rawValue): \(message)"
    }

    /// Maps anything thrown inside a GRDB call to a `LedgerError`, keeping ledger errors as they are.
    ///
    /// `context` names what the ledger was doing (e.g. "reserve voucher"); it goes into the message.
    static func wrap(_ error: any Error, _ context: String) -> LedgerError {
        if let ledgerError = error as? LedgerError {
            return ledgerError
        }
        guard let dbError = error as? DatabaseError else {
            return LedgerError(.io, "\(context): \(error)")
        }
        let primary = dbError.resultCode.rawValue
        let extended = dbError.extendedResultCode.rawValue
        // SQLite's message is safe to show: our statements bind values as arguments, so the
        // message names constraints and tables, not bound voucher codes or keys.
        let sqliteMessage = dbError.message ?? "no message"
        let code: Code
        let text: String
        switch dbError.resultCode {
        case .SQLITE_FULL:
            code = .diskFull
            text = "\(context): the disk or database is full; nothing of this change was written"
        case .SQLITE_CONSTRAINT:
            code = .constraint
            text = "\(context): the schema refused the change: \(sqliteMessage)"
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            code = .busy
            text = "\(context): the database stayed locked past the busy timeout"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            code = .corrupt
            text = "\(context): the database file is corrupt or not a database: \(sqliteMessage)"
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
            code = .readOnly
            text = "\(context): the database cannot be opened for writing: \(sqliteMessage)"
        default:
            code = .io
            text = "\(context): \(sqliteMessage)"
        }
        return LedgerError(code, text, sqliteCode: primary, sqliteExtendedCode: extended)
    }
}
