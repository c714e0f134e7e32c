import Foundation

/// Where the daemon may write: its state directory (the ledger's) and a backup directory inside it or configured, and
/// never over the ledger itself, its WAL, shared memory or journal.
///
/// Paths are compared after resolving symbolic links in their directory (`realpath`), so a link cannot point a write
/// elsewhere; the file itself is created with `O_EXCL|O_NOFOLLOW` by whoever writes it.
public struct StatePaths: Sendable, Equatable {
    /// The ledger file, resolved.
    public let ledger: String
    /// The directory the ledger is in: the daemon's state directory.
    public let stateDirectory: String
    /// Where backups go.
    public let backupDirectory: String

    /// The paths for a ledger at `databasePath` and an optional configured backup directory (default: `backups` in the
    /// state directory).
    public init(databasePath: String, backupDirectory configured: String? = nil) {
        let ledger = Self.resolve(databasePath)
        self.ledger = ledger
        let state = (ledger as NSString).deletingLastPathComponent
        self.stateDirectory = state.isEmpty ? "/" : state
        self.backupDirectory = Self.resolve(configured ?? (self.stateDirectory + "/backups"))
    }

    /// Whether `path` is the ledger or one of the files SQLite keeps beside it.
    public func isLedgerFile(_ path: String) -> Bool {
        let resolved = Self.resolve(path)
        return [ledger, ledger + "-wal", ledger + "-shm", ledger + "-journal"].contains(resolved)
    }

    /// Whether `path` is inside `directory` (both resolved), not the directory itself.
    public static func isInside(_ path: String, _ directory: String) -> Bool {
        let file = resolve(path)
        let base = resolve(directory)
        return file.hasPrefix(base.hasSuffix("/") ? base : base + "/") && file != base
    }

    /// A problem with `path` as a file the daemon writes, or nil: it must be inside the state directory (or
    /// `alsoAllowed`) and not a ledger file.
    public func problem(writing path: String, alsoAllowed: [String] = []) -> String? {
        guard path.hasPrefix("/") else { return "must be an absolute path" }
        if isLedgerFile(path) { return "is the ledger or one of its files: writing there would destroy it" }
        let allowed = [stateDirectory] + alsoAllowed
        guard allowed.contains(where: { Self.isInside(path, $0) }) else {
            return "must be inside \(allowed.joined(separator: " or ")), the daemon's own directories"
        }
        return nil
    }

    /// `path` made absolute and normalised, with symbolic links resolved in the longest prefix that exists.
    static func resolve(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let standardized = (absolute as NSString).standardizingPath
        var existing = standardized
        var tail: [String] = []
        while !existing.isEmpty, existing != "/" {
            if let real = realpath(existing, nil) {
                defer { free(real) }
                let base = String(cString: real)
                return tail.isEmpty ? base : (base == "/" ? "" : base) + "/" + tail.reversed().joined(separator: "/")
            }
            tail.append((existing as NSString).lastPathComponent)
            existing = (existing as NSString).deletingLastPathComponent
        }
        return "/" + tail.reversed().joined(separator: "/")
    }
}
