import Glibc
import Logging

/// A UUCP-style lock file `<dir>/LCK..<ttyname>` holding our pid, as minicom, pppd and gammu use.
///
/// Format (FHS 3.0 §5.9): the pid in ASCII, right-justified in 10 characters, then a newline.
/// A lock whose pid no longer exists is stale and removed; a live one makes the open fail with
/// `.busy`. Creation uses `O_CREAT|O_EXCL`, so two racing openers cannot both win. The lock is
/// skipped (not an error) when the directory is missing or not writable: a container without
/// `/var/lock` must still work, and TIOCEXCL + flock still protect the port.
struct UUCPLockFile {
    /// The lock file's full path.
    let path: String

    /// The lock file name for a device: `LCK..` + the device path below `/dev/` with `/`
    /// replaced by `_` (`/dev/ttyUSB0` → `LCK..ttyUSB0`, `/dev/pts/3` → `LCK..pts_3`), after
    /// resolving symlinks so `/dev/serial/by-id/...` and `/dev/ttyUSB0` share one lock.
    static func fileName(forDevice devicePath: String) -> String {
        let resolved = SystemCall.realPath(devicePath) ?? devicePath
        let name: Substring
        if resolved.hasPrefix("/dev/") {
            name = resolved.dropFirst("/dev/".count)
        } else {
            name = resolved.split(separator: "/").last ?? Substring(resolved)
        }
        return "LCK.." + String(name.map { $0 == "/" ? "_" : $0 })
    }

    /// Creates the lock for `devicePath` in `directory`, removing a stale one; nil when skipped.
    static func acquire(devicePath: String, directory: String, logger: Logger) throws(SerialPortError) -> UUCPLockFile? {
        guard SystemCall.isWritableDirectory(directory) else {
            logger.debug("lock directory not writable, skipping UUCP lock file", metadata: [
                "port.path": "\(devicePath)", "lock.directory": "\(directory)",
            ])
            return nil
        }
        let lockPath = directory + "/" + fileName(forDevice: devicePath)
        // Two attempts: the second follows the removal of a stale lock.
        for _ in 0..<2 {
            let fd: Int32
            do {
                fd = try SystemCall.open(lockPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode: 0o644)
            } catch where error.rawValue == EEXIST {
                if let holder = livingHolder(of: lockPath) {
                    throw SerialPortError(code: .busy, errno: 0, path: devicePath,
                                          message: "locked by lock file \(lockPath)",
                                          holderPID: holder, holderProgram: programName(of: holder))
                }
                logger.info("removing stale UUCP lock file", metadata: [
                    "port.path": "\(devicePath)", "lock.path": "\(lockPath)",
                ])
                do {
                    try SystemCall.unlink(lockPath)
                } catch {
                    throw SerialPortError(code: .configure, errno: error.rawValue, path: devicePath,
                                          message: "cannot remove stale lock file \(lockPath)")
                }
                continue
            } catch {
                // EACCES/EROFS despite access(2) saying yes (e.g. a read-only bind mount): skip, as above.
                logger.debug("cannot create UUCP lock file, skipping it", metadata: [
                    "port.path": "\(devicePath)", "lock.path": "\(lockPath)", "errno": "\(error.rawValue)",
                ])
                return nil
            }
            defer { SystemCall.close(fd) }
            do {
                try SystemCall.writeAll(fd, Array(contents(pid: getpid()).utf8))
            } catch {
                try? SystemCall.unlink(lockPath)
                throw SerialPortError(code: .configure, errno: error.rawValue, path: devicePath,
                                      message: "cannot write lock file \(lockPath)")
            }
            return UUCPLockFile(path: lockPath)
        }
        throw SerialPortError(code: .busy, errno: EEXIST, path: devicePath,
                              message: "lock file \(lockPath) reappeared after removing a stale one")
    }

    /// The lock file text for `pid`: 10 characters right-justified, then a newline.
    static func contents(pid: Int32) -> String {
        let digits = String(pid)
        return String(repeating: " ", count: max(0, 10 - digits.count)) + digits + "\n"
    }

    /// The pid in an existing lock file if that process is alive; nil when stale or unreadable.
    ///
    /// Accepts the ASCII form and, for compatibility with old Kermit/UUCP, a 4-byte binary pid.
    static func livingHolder(of lockPath: String) -> Int32? {
        guard let bytes = SystemCall.readSmallFile(lockPath, limit: 64) else { return nil }
        let text = trimmedText(bytes)
        var pid: Int32? = Int32(text)
        if pid == nil, bytes.count == 4 {
            pid = bytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
        }
        guard let pid, SystemCall.processExists(pid) else { return nil }
        return pid
    }

    /// The program name of `pid` from `/proc/<pid>/comm`, when readable.
    static func programName(of pid: Int32) -> String? {
        guard let bytes = SystemCall.readSmallFile("/proc/\(pid)/comm", limit: 64) else { return nil }
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
    func release() {
        guard let bytes = SystemCall.readSmallFile(path, limit: 64),
              Int32(Self.trimmedText(bytes)) == getpid()
        else { return }
        try? SystemCall.unlink(path)
    }
}
