import Glibc
import Logging

/// A UUCP-style lock file `<dir>/LCK..<ttyname>` holding our pid, as minicom, pppd and gammu use; the one
/// implementation behind the station's serial ports and discovery's probe.
///
/// Format (FHS 3.0 §5.9): the pid in ASCII, right-justified in 10 characters, then a newline; old Kermit/UUCP
/// 4-byte binary pids are read too. A lock whose pid no longer exists is stale and removed; a live one means the
/// port is busy, and its holder is named. Creation uses `O_CREAT|O_EXCL`, so two racing openers cannot both win.
/// The lock is skipped (not an error) when the directory is missing or not writable: a container without
/// `/var/lock` must still work, and TIOCEXCL + flock still protect the port.
public struct UUCPLockFile: Sendable {
    /// The lock file's full path.
    public let path: String
    /// The pid of the dead process whose stale lock was removed to take this one, if any.
    public let replacedStaleLockOf: Int32?

    /// What `take` found.
    public enum Acquisition: Sendable {
        /// The lock is ours until `release`.
        case locked(UUCPLockFile)
        /// A live process holds the port's lock: its pid and, when readable, its program name.
        case held(pid: Int32, program: String?)
        /// No lock was taken because the directory is missing, not writable or refused the file: go on without it.
        case skipped(reason: String)
        /// A stale lock could not be removed or ours could not be written: `errno` and what failed.
        case failed(errno: Int32, message: String)
    }

    /// The lock file name for a device: `LCK..` + the device path below `/dev/` with `/`
    /// replaced by `_` (`/dev/ttyUSB0` → `LCK..ttyUSB0`, `/dev/pts/3` → `LCK..pts_3`), after
    /// following symlinks so `/dev/serial/by-id/...` and `/dev/ttyUSB0` share one lock.
    public static func fileName(forDevice devicePath: String) -> String {
        let resolved = followingSymlinks(devicePath)
        let name: Substring
        if resolved.hasPrefix("/dev/") {
            name = resolved.dropFirst("/dev/".count)
        } else {
            name = resolved.split(separator: "/").last ?? Substring(resolved)
        }
        return "LCK.." + String(name.map { $0 == "/" ? "_" : $0 })
    }

    /// The path with its symlinks followed (`/dev/serial/by-id/…` → `/dev/ttyUSB0`, at most 8 hops) and `.`/`..`
    /// folded.
    ///
    /// Done with `readlink` rather than `realpath(3)`: umockdev's preload wraps realpath and, for a mocked tty (a
    /// symlink to a pty outside its testbed), returns garbage and corrupts the heap.
    static func followingSymlinks(_ path: String) -> String {
        var current = path
        for _ in 0..<8 {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, Int(PATH_MAX))
            guard count > 0 else { break }
            let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if target.hasPrefix("/") {
                current = target
            } else {
                let directory = current.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
                current = directory + "/" + target
            }
        }
        var parts: [Substring] = []
        for part in current.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                _ = parts.popLast()
                continue
            }
            parts.append(part)
        }
        return current.hasPrefix("/") ? "/" + parts.joined(separator: "/") : parts.joined(separator: "/")
    }

    /// Takes the lock of `devicePath` in `directory`, removing a stale one first. Never throws: each caller decides
    /// what a held, skipped or failed lock means for it.
    ///
    /// The lock appears with its pid already in it: written to a private temporary file, then `link(2)`ed into place
    /// (which fails with `EEXIST` like `O_EXCL`), so nobody can read our lock empty and take it for stale. Programs
    /// that create with `O_EXCL` and then write leave an empty file for a moment: an empty lock is read again for up
    /// to 100 ms before it is judged.
    public static func take(devicePath: String, directory: String) -> Acquisition {
        guard SystemCall.isWritableDirectory(directory) else {
            return .skipped(reason: "lock directory \(directory) is missing or not writable")
        }
        let lockPath = directory + "/" + fileName(forDevice: devicePath)
        let text = Array(contents(pid: getpid()).utf8)
        var removedStale: Int32?
        // Two attempts: the second follows the removal of a stale lock.
        for _ in 0..<2 {
            switch create(lockPath, text: text, directory: directory) {
            case .created:
                return .locked(UUCPLockFile(path: lockPath, replacedStaleLockOf: removedStale))
            case .failed(let acquisition):
                return acquisition
            case .exists:
                break
            }
            let recorded = settledPID(of: lockPath)
            if let holder = recorded, SystemCall.processExists(holder) {
                return .held(pid: holder, program: programName(of: holder))
            }
            removedStale = recorded ?? 0
            do {
                try SystemCall.unlink(lockPath)
            } catch where error.rawValue == ENOENT {
                // Its owner removed it meanwhile: take it on the next attempt.
            } catch {
                return .failed(errno: error.rawValue, message: "cannot remove stale lock file \(lockPath)")
            }
        }
        // The lock came back between removing the stale one and creating ours: someone else just took it.
        if let holder = livingHolder(of: lockPath) { return .held(pid: holder, program: programName(of: holder)) }
        return .failed(errno: EEXIST, message: "lock file \(lockPath) reappeared after removing a stale one")
    }

    /// What one creation attempt did.
    private enum Creation {
        case created
        case exists
        case failed(Acquisition)
    }

    /// Creates `lockPath` holding `text`, atomically (temporary file + `link(2)`); falls back to `O_CREAT|O_EXCL` and
    /// a write where hard links are refused (some filesystems).
    private static func create(_ lockPath: String, text: [UInt8], directory: String) -> Creation {
        let temporary = directory + "/LTMP.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let fd: Int32
        do {
            fd = try SystemCall.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode: 0o644)
        } catch {
            // EACCES/EROFS despite access(2) saying yes (e.g. a read-only bind mount): skip.
            return .failed(.skipped(reason: "cannot create a lock file in \(directory) (errno \(error.rawValue))"))
        }
        defer { try? SystemCall.unlink(temporary) }
        do {
            try SystemCall.writeAll(fd, text)
            SystemCall.close(fd)
        } catch {
            SystemCall.close(fd)
            return .failed(.failed(errno: error.rawValue, message: "cannot write lock file \(temporary)"))
        }
        if Glibc.link(temporary, lockPath) == 0 { return .created }
        let linkError = errno
        if linkError == EEXIST { return .exists }
        guard linkError == EPERM || linkError == EOPNOTSUPP || linkError == EXDEV else {
            return .failed(.failed(errno: linkError, message: "cannot create lock file \(lockPath)"))
        }
        // No hard links here: O_EXCL, then the pid (a reader may see it empty for a moment, hence `settledPID`).
        let direct: Int32
        do {
            direct = try SystemCall.open(lockPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode: 0o644)
        } catch where error.rawValue == EEXIST {
            return .exists
        } catch {
            return .failed(.skipped(reason: "cannot create lock file \(lockPath) (errno \(error.rawValue))"))
        }
        defer { SystemCall.close(direct) }
        do {
            try SystemCall.writeAll(direct, text)
        } catch {
            try? SystemCall.unlink(lockPath)
            return .failed(.failed(errno: error.rawValue, message: "cannot write lock file \(lockPath)"))
        }
        return .created
    }

    /// The pid in an existing lock, reading an empty file again for up to 100 ms (its creator may not have written
    /// its pid yet); nil when it stays empty or holds no pid.
    static func settledPID(of lockPath: String) -> Int32? {
        for attempt in 0..<11 {
            if let pid = recordedPID(of: lockPath) { return pid }
            guard let bytes = SystemCall.smallFileContents(lockPath, limit: 64), bytes.isEmpty, attempt < 10 else { return nil }
            usleep(10_000)
        }
        return nil
    }

    /// Creates the lock for the station's serial port: nil when skipped; `.busy` naming the holder when held.
    static func acquire(devicePath: String, directory: String, logger: Logger) throws(SerialPortError) -> UUCPLockFile? {
        switch take(devicePath: devicePath, directory: directory) {
        case .locked(let lock):
            if let stale = lock.replacedStaleLockOf {
                logger.info("removed a stale UUCP lock file", metadata: [
                    "port.path": "\(devicePath)", "lock.path": "\(lock.path)", "lock.stalePID": "\(stale)",
                ])
            }
            return lock
        case .held(let pid, let program):
            throw SerialPortError(code: .busy, errno: 0, path: devicePath,
                                  message: "locked by lock file \(directory)/\(fileName(forDevice: devicePath))",
                                  holderPID: pid, holderProgram: program)
        case .skipped(let reason):
            logger.debug("skipping the UUCP lock file", metadata: ["port.path": "\(devicePath)", "reason": "\(reason)"])
            return nil
        case .failed(let code, let message):
            throw SerialPortError(code: code == EEXIST ? .busy : .configure, errno: code, path: devicePath, message: message)
        }
    }

    /// The lock file text for `pid`: 10 characters right-justified, then a newline.
    public static func contents(pid: Int32) -> String {
        let digits = String(pid)
        return String(repeating: " ", count: max(0, 10 - digits.count)) + digits + "\n"
    }

    /// The pid written in a lock file, ASCII or 4-byte binary; nil when unreadable or not a pid.
    static func recordedPID(of lockPath: String) -> Int32? {
        guard let bytes = SystemCall.smallFileContents(lockPath, limit: 64) else { return nil }
        if let pid = Int32(trimmedText(bytes)) { return pid }
        guard bytes.count == 4 else { return nil }
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
    }

    /// The pid in an existing lock file if that process is alive; nil when stale or unreadable.
    static func livingHolder(of lockPath: String) -> Int32? {
        guard let pid = recordedPID(of: lockPath), SystemCall.processExists(pid) else { return nil }
        return pid
    }

    /// The program name of `pid` from `/proc/<pid>/comm`, when readable.
    public static func programName(of pid: Int32) -> String? {
        guard let bytes = SystemCall.smallFileContents("/proc/\(pid)/comm", limit: 64) else { return nil }
        let name = trimmedText(bytes)
        return name.isEmpty ? nil : name
    }

    /// The bytes as text without surrounding ASCII spaces, tabs, CR, LF or NUL.
    static func trimmedText(_ bytes: [UInt8]) -> String {
        let isPadding: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0 }
        guard let first = bytes.firstIndex(where: { !isPadding($0) }),
              let last = bytes.lastIndex(where: { !isPadding($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// Removes the lock file if it still holds our pid (never someone else's lock).
    public func release() {
        guard let bytes = SystemCall.smallFileContents(path, limit: 64),
              Int32(Self.trimmedText(bytes)) == getpid()
        else { return }
        try? SystemCall.unlink(path)
    }
}
