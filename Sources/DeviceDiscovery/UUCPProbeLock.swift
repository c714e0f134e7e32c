#if canImport(Glibc)
import Glibc
#endif

/// The UUCP lock file `<dir>/LCK..<tty>` that `ATPortProber` takes for the duration of one probe, so a program
/// starting meanwhile (minicom, pppd, gammu) sees the port in use, and that it reads to name who holds a busy port.
///
/// Same format and name as the station's serial port (FHS 3.0 §5.9): the pid in ASCII right-justified in 10
/// characters and a newline; old 4-byte binary pids are read too. The name is the device path below `/dev/` with `/`
/// as `_`, after resolving symlinks (`/dev/ttyUSB0` → `LCK..ttyUSB0`, `/dev/pts/3` → `LCK..pts_3`). A lock whose pid
/// is dead is stale: it is removed and taken. Written here rather than shared with SerialPort so discovery does not
/// depend on the session layer; the two agree on the format, which is what other programs read.
struct UUCPProbeLock {
    /// What `acquire` found.
    enum Acquisition {
        /// The lock is ours until `release`.
        case locked(UUCPProbeLock)
        /// A live process holds the port's lock: its pid and, when readable, its program name.
        case held(pid: Int32, program: String?)
        /// No lock could be created (directory missing or read-only) and no live holder was found: probe unlocked.
        case unavailable
    }

    /// The lock file's full path.
    let path: String

    /// `LCK..` plus the device's name below `/dev/`, `/` replaced by `_`, after following symlinks.
    static func fileName(forDevice devicePath: String) -> String {
        let resolved = followingSymlinks(devicePath)
        let name: Substring
        if resolved.hasPrefix("/dev/") {
            name = resolved.dropFirst("/dev/".count)
        } else {
            name = resolved.split(separator: "/").last ?? Substring(resolved)
        }
        return "LCK.." + String(name.map { $0 == "/" ? "_" : $0 })
    }

    /// The path with its last component's symlinks followed (`/dev/serial/by-id/…` → `/dev/ttyUSB0`, at most 8 hops)
    /// and `.`/`..` folded. Done with `readlink` rather than `realpath(3)`: umockdev's preload wraps realpath and, for a
    /// mocked tty (a symlink to a pty outside its testbed), returns garbage and corrupts the heap.
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

    /// Takes the lock of `devicePath` in `directory` with `O_CREAT|O_EXCL`, removing a stale one first.
    static func acquire(devicePath: String, directory: String) -> Acquisition {
        let lockPath = directory + "/" + fileName(forDevice: devicePath)
        // Two attempts: the second follows the removal of a stale lock.
        for _ in 0..<2 {
            let fd = open(lockPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
            if fd < 0 {
                guard errno == EEXIST else {
                    // Missing or read-only lock directory: nothing to take, and nobody could have left a lock there.
                    return .unavailable
                }
                if let pid = livingHolder(of: lockPath) { return .held(pid: pid, program: programName(of: pid)) }
                guard unlink(lockPath) == 0 || errno == ENOENT else { return .unavailable }
                continue
            }
            let bytes = Array(contents(pid: getpid()).utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard written == bytes.count else {
                unlink(lockPath)
                return .unavailable
            }
            return .locked(UUCPProbeLock(path: lockPath))
        }
        // The lock came back between removing the stale one and creating ours: someone else just took it.
        if let pid = livingHolder(of: lockPath) { return .held(pid: pid, program: programName(of: pid)) }
        return .unavailable
    }

    /// The lock text for `pid`: right-justified in 10 characters, then a newline.
    static func contents(pid: Int32) -> String {
        let digits = String(pid)
        return String(repeating: " ", count: max(0, 10 - digits.count)) + digits + "\n"
    }

    /// The pid in the lock file if that process is alive; `nil` when stale, unreadable or not a pid.
    static func livingHolder(of lockPath: String) -> Int32? {
        guard let bytes = readSmallFile(lockPath) else { return nil }
        var pid = Int32(trimmedText(bytes))
        if pid == nil, bytes.count == 4 {
            pid = bytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
        }
        guard let pid, pid > 0 else { return nil }
        return kill(pid, 0) == 0 || errno == EPERM ? pid : nil
    }

    /// The program name of `pid` (`/proc/<pid>/comm`), when readable.
    static func programName(of pid: Int32) -> String? {
        guard let bytes = readSmallFile("/proc/\(pid)/comm") else { return nil }
        let name = trimmedText(bytes)
        return name.isEmpty ? nil : name
    }

    /// Removes the lock file if it still holds our pid (never someone else's).
    func release() {
        guard let bytes = Self.readSmallFile(path), Int32(Self.trimmedText(bytes)) == getpid() else { return }
        unlink(path)
    }

    /// Up to 64 bytes of a small file; `nil` when it cannot be read.
    private static func readSmallFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        var count = 0
        repeat {
            count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        } while count < 0 && errno == EINTR
        return count >= 0 ? Array(buffer[0..<count]) : nil
    }

    /// The bytes as text without surrounding spaces, tabs, CR, LF or NUL.
    private static func trimmedText(_ bytes: [UInt8]) -> String {
        let isPadding: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0 }
        guard let first = bytes.firstIndex(where: { !isPadding($0) }),
              let last = bytes.lastIndex(where: { !isPadding($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
