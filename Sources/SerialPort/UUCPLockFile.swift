import Glibc
import SystemPackage
import Logging
import Synchronization

/// A UUCP-style lock file `<dir>/LCK..<ttyname>` holding our pid, as minicom, pppd and gammu use; the one
/// implementation behind the station's serial ports and discovery's probe.
///
/// Format (FHS 3.0 §5.9): the pid in ASCII, right-justified in 10 characters, then a newline; old Kermit/UUCP
/// 4-byte binary pids are read too. Creation is atomic (`link(2)` of a written temporary, else `O_CREAT|O_EXCL`), so
/// two racing openers cannot both win. The lock is skipped (not an error) when the directory is missing or not
/// writable: a container without `/var/lock` must still work, and TIOCEXCL + flock still protect the port.
///
/// Every user may write in the lock directory (`/run/lock` is mode 1777), so what stands at a lock's path is checked,
/// never trusted:
/// - it is read without ever blocking, at most 64 bytes, and only when it is a regular file
///   (`SystemCall.readSmallFile`: `O_NONBLOCK|O_NOFOLLOW`, then `fstat` of the opened descriptor);
/// - a lock is live only while its pid is a process that holds the tty open (one of its `/proc/<pid>/fd` links names
///   the tty), or opens it within `holderOpenGrace` (minicom and pppd lock first, then open). A pid that exists but
///   does not hold the tty (pid 1, a recycled pid, a `sleep` someone wrote in) is stale: the lock is replaced. Our own
///   pid counts only for the locks this process took and has not released, or a tty it holds: an earlier process
///   with the same pid (a restarted container) left the others. Where another user's `/proc/<pid>/fd` cannot be read
///   (a station not running as root), the lock is trusted if its file belongs to that process's user or to root, and
///   stale if another user wrote it;
/// - anything else at the lock's path (a FIFO, a symlink, a directory, a device) is no UUCP lock: it is neither
///   honoured nor removed, and the port is opened without a lock file of ours (`.notHonoured`, which the station logs
///   as a warning naming the file). So is a lock that cannot be read, and a stale lock that cannot be removed
///   (another user's file in the sticky `/run/lock`): refusing the port instead would let any local user keep it
///   from the station.
public struct UUCPLockFile: Sendable {
    /// The lock file's full path.
    public let path: String
    /// The pid of the process whose stale lock was removed to take this one, if any (0: the lock held no pid).
    public let replacedStaleLockOf: Int32?

    /// What `take` found.
    public enum Acquisition: Sendable {
        /// The lock is ours until `release`.
        case locked(UUCPLockFile)
        /// A live process holds the port's lock: its pid and, when readable, its program name.
        case held(pid: Int32, program: String?)
        /// No lock was taken because the directory is missing, not writable or refused the file: go on without it.
        case skipped(reason: String)
        /// Something stands at the lock's path that is neither honoured nor removed: not a regular file, a file that
        /// cannot be read, a stale lock that cannot be removed. No lock was taken: go on without it (TIOCEXCL and
        /// flock still keep openers apart); `reason` names the file, for a warning.
        case notHonoured(reason: String)
        /// A stale lock could not be removed or ours could not be written: `errno` and what failed.
        case failed(errno: Int32, message: String)
    }

    /// How long a live process named by a lock is watched for opening the tty before its lock is judged stale: minicom,
    /// pppd and this type's own users create the lock first and open the port a moment later.
    static let holderOpenGrace: Duration = .milliseconds(250)

    /// The locks this process took and has not released: a lock holding our pid is ours only if listed here (or if we
    /// hold its tty), and live even before the port is opened.
    private static let takenByThisProcess = Mutex<Set<String>>([])

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

    /// Takes the lock of `devicePath` in `directory`, replacing a stale one first. Never throws: each caller decides
    /// what a held, skipped, not honoured or failed lock means for it.
    ///
    /// The lock appears with its pid already in it: written to a private temporary file, then `link(2)`ed into place
    /// (which fails with `EEXIST` like `O_EXCL`), so nobody can read our lock empty and take it for stale. Programs
    /// that create with `O_EXCL` and then write leave an empty file for a moment: an empty lock is read again for up
    /// to 100 ms before it is judged. Judging a lock whose process does not hold the tty takes `holderOpenGrace`.
    /// Blocks for those waits only: never on what stands at the lock's path.
    public static func take(devicePath: String, directory: String) -> Acquisition {
        take(devicePath: devicePath, directory: directory, ignoringDescriptor: nil)
    }

    /// `take(devicePath:directory:)`, not counting our descriptor `ignoringDescriptor` (the `O_PATH` descriptor a
    /// serial port judged the device on) as this process holding the tty.
    static func take(devicePath: String, directory: String, ignoringDescriptor: Int32?) -> Acquisition {
        guard SystemCall.isWritableDirectory(directory) else {
            return .skipped(reason: "lock directory \(directory) is missing or not writable")
        }
        let lockPath = directory + "/" + fileName(forDevice: devicePath)
        let device = followingSymlinks(devicePath)
        let text = Array(contents(pid: getpid()).utf8)
        var removedStale: Int32?
        // Two attempts: the second follows the removal of a stale lock.
        for _ in 0..<2 {
            switch create(lockPath, text: text, directory: directory) {
            case .created:
                takenByThisProcess.withLock { _ = $0.insert(lockPath) }
                return .locked(UUCPLockFile(path: lockPath, replacedStaleLockOf: removedStale))
            case .failed(let acquisition):
                return acquisition
            case .exists:
                break
            }
            switch settledLock(at: lockPath) {
            case .gone:
                continue  // its owner removed it meanwhile: take it on the next attempt
            case .notALock(let what):
                return .notHonoured(reason: "\(lockPath) is \(what), not a UUCP lock file: neither honoured nor removed")
            case .unreadable(let code):
                return .notHonoured(reason: "lock file \(lockPath) cannot be read (errno \(code)): not honoured")
            case .lock(let bytes, let fileOwner):
                let recorded = pid(in: bytes)
                if let holder = recorded, isLive(pid: holder, fileOwner: fileOwner, lockPath: lockPath, device: device,
                                                  ignoringDescriptor: ignoringDescriptor) {
                    return .held(pid: holder, program: programName(of: holder))
                }
                removedStale = recorded ?? 0
            }
            do {
                try SystemCall.unlink(lockPath)
            } catch where error.rawValue == EPERM || error.rawValue == EACCES {
                // Another user's file in a sticky directory: it stays, but a stale lock keeps nobody off the port.
                return .notHonoured(reason: "stale lock file \(lockPath) (pid \(removedStale ?? 0), not holding the port) "
                                        + "cannot be removed (errno \(error.rawValue)): not honoured")
            } catch {
                return .failed(errno: error.rawValue, message: "cannot remove stale lock file \(lockPath)")
            }
        }
        // The lock came back between removing the stale one and creating ours: someone else just took it.
        if case .lock(let bytes, let fileOwner) = readLock(at: lockPath), let holder = pid(in: bytes),
           isLive(pid: holder, fileOwner: fileOwner, lockPath: lockPath, device: device,
                                                  ignoringDescriptor: ignoringDescriptor) {
            return .held(pid: holder, program: programName(of: holder))
        }
        return .failed(errno: EEXIST, message: "lock file \(lockPath) reappeared after removing a stale one")
    }

    /// What stands at a lock's path.
    enum LockRead: Equatable {
        /// Nothing (ENOENT).
        case gone
        /// A regular file: its first 64 bytes and its owner.
        case lock([UInt8], fileOwner: uid_t)
        /// Something that is no lock file: what it is.
        case notALock(String)
        /// A regular file that cannot be read: the errno.
        case unreadable(Int32)
    }

    /// Reads what stands at `lockPath`, never blocking (see `SystemCall.readSmallFile`).
    static func readLock(at lockPath: String) -> LockRead {
        switch SystemCall.readSmallFile(lockPath, limit: 64) {
        case .contents(let bytes, let owner):
            return .lock(bytes, fileOwner: owner)
        case .notRegular(let mode):
            return .notALock(describe(mode: mode))
        case .failed(let error) where error.rawValue == ENOENT:
            return .gone
        case .failed(let error) where error.rawValue == ELOOP:
            return .notALock("a symbolic link")  // O_NOFOLLOW
        case .failed(let error):
            return .unreadable(error.rawValue)
        }
    }

    /// `readLock`, reading an empty file again for up to 100 ms: its creator may not have written its pid yet.
    static func settledLock(at lockPath: String) -> LockRead {
        for attempt in 0..<11 {
            let found = readLock(at: lockPath)
            guard case .lock(let bytes, _) = found, bytes.isEmpty, attempt < 10 else { return found }
            usleep(10_000)
        }
        return readLock(at: lockPath)
    }

    /// What a file type is, in words.
    static func describe(mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    /// Whether the lock of `pid`, in a file owned by `fileOwner`, is live: `pid` holds the tty at `device` (the path
    /// with symlinks followed) or opens it within `holderOpenGrace`. See the type's documentation.
    static func isLive(pid: Int32, fileOwner: uid_t, lockPath: String, device: String,
                       ignoringDescriptor: Int32? = nil) -> Bool {
        guard pid > 0 else { return false }
        if pid == getpid() {
            return takenByThisProcess.withLock { $0.contains(lockPath) }
                || processHolds(pid, file: device, ignoring: ignoringDescriptor) == true
        }
        let deadline = ContinuousClock.now.advanced(by: holderOpenGrace)
        while SystemCall.processExists(pid) {
            switch processHolds(pid, file: device) {
            case true?:
                return true
            case nil:
                return trustsUnlistedHolder(fileOwner: fileOwner, holderUsers: processUsers(pid))
            case false?:
                guard ContinuousClock.now < deadline else { return false }
                usleep(25_000)
            }
        }
        return false
    }

    /// Whether a lock is trusted when its holder's descriptors cannot be listed (another user's process, and we are
    /// not root): when its file belongs to root or to one of the holder's uids, since another user cannot write a lock
    /// in its name; and when the holder's uids cannot be read either, as nothing says otherwise.
    static func trustsUnlistedHolder(fileOwner: uid_t, holderUsers: Set<uid_t>?) -> Bool {
        guard fileOwner != 0, let holderUsers else { return true }
        return holderUsers.contains(fileOwner)
    }

    /// Whether process `pid` has `file` open: one of its `/proc/<pid>/fd` links names it (`readlink` only: the files
    /// themselves are never touched), descriptor `ignoring` aside. Nil when its descriptors cannot be seen (EACCES or
    /// EPERM listing or reading them: another user's process, or a process outside our reach even as root); false
    /// when none names it or it has ended.
    static func processHolds(_ pid: Int32, file: String, ignoring: Int32? = nil) -> Bool? {
        let directory = "/proc/\(pid)/fd"
        let names: [String]
        do {
            names = try SystemCall.directoryEntries(directory)
        } catch where error.rawValue == EACCES || error.rawValue == EPERM {
            return nil
        } catch {
            return false  // ENOENT: the process ended
        }
        var hidden = false
        for name in names where name != ignoring.map(String.init) {
            do {
                if try SystemCall.readLink(directory + "/" + name) == file { return true }
            } catch where error.rawValue == EACCES || error.rawValue == EPERM {
                hidden = true
            } catch {
                continue  // ENOENT: closed meanwhile
            }
        }
        return hidden ? nil : false
    }

    /// The real, effective, saved and filesystem uids of `pid` (the `Uid:` line of /proc/<pid>/status); nil when
    /// unreadable.
    static func processUsers(_ pid: Int32) -> Set<uid_t>? {
        guard let bytes = SystemCall.smallFileContents("/proc/\(pid)/status", limit: 4096) else { return nil }
        for line in bytes.split(separator: 0x0A) where line.starts(with: Array("Uid:".utf8)) {
            let fields = line.dropFirst(4).split { $0 == 0x09 || $0 == 0x20 }
            let users = fields.compactMap { uid_t(String(decoding: $0, as: UTF8.self)) }
            return users.isEmpty ? nil : Set(users)
        }
        return nil
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
        let fd: FileDescriptor
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
        let direct: FileDescriptor
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

    /// Creates the lock for the station's serial port: nil when skipped; `.busy` naming the holder when held.
    /// `ignoringDescriptor`: our `O_PATH` descriptor on the device, which is not this process holding the tty.
    static func acquire(devicePath: String, directory: String, ignoringDescriptor: Int32?,
                        logger: Logger) throws(SerialPortError) -> UUCPLockFile? {
        switch take(devicePath: devicePath, directory: directory, ignoringDescriptor: ignoringDescriptor) {
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
        case .notHonoured(let reason):
            logger.warning("opening the port without a UUCP lock file", metadata: ["port.path": "\(devicePath)", "reason": "\(reason)"])
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

    /// The pid written in a lock file's bytes, ASCII or 4-byte binary; nil when they hold no pid.
    static func pid(in bytes: [UInt8]) -> Int32? {
        if let pid = Int32(trimmedText(bytes)) { return pid }
        guard bytes.count == 4 else { return nil }
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
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
        defer { Self.takenByThisProcess.withLock { _ = $0.remove(path) } }
        guard let bytes = SystemCall.smallFileContents(path, limit: 64),
              Int32(Self.trimmedText(bytes)) == getpid()
        else { return }
        try? SystemCall.unlink(path)
    }
}
