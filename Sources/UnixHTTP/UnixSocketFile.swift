#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The filesystem side of a listening Unix socket: probing an existing path, setting its mode and
/// group, and removing it only when it is still ours. Every system call of that job lives here.
enum UnixSocketFile {
    /// What occupies a socket path before we bind it.
    enum Occupant: Equatable {
        /// Nothing: the path does not exist.
        case absent
        /// A socket file nobody listens on (connect(2) says ECONNREFUSED): left by a crash.
        case stale
        /// A socket a live server accepts connections on.
        case live
        /// Something that is not a socket (regular file, directory, symlink): never removed.
        case notASocket
    }

    /// The identity of a file, to check that the path still names the socket we bound.
    struct Identity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
    }

    /// Finds out what occupies `path` by lstat(2) and, for a socket, a blocking connect(2).
    static func probe(_ path: String) throws(UnixHTTPError) -> Occupant {
        var info = stat()
        if lstat(path, &info) != 0 {
            let code = errno
            if code == ENOENT { return .absent }
            throw UnixHTTPError(code: .bindFailed, path: path, errno: code, message: "cannot inspect the socket path")
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { return .notASocket }

        let fd = socket(AF_UNIX, socketStreamType, 0)
        guard fd >= 0 else {
            throw UnixHTTPError(code: .io, path: path, errno: errno, message: "cannot create a probe socket")
        }
        defer { close(fd) }
        let result = try withSocketAddress(path) { address, length in connect(fd, address, length) }
        if result == 0 { return .live }
        switch errno {
        case ECONNREFUSED:
            // The file exists but no socket is bound to it any more: a previous run died.
            return .stale
        case ENOENT:
            // Removed between lstat and connect.
            return .absent
        case EAGAIN:
            // Linux returns EAGAIN when a live listener's backlog is full: someone is there.
            return .live
        case let code:
            throw UnixHTTPError(code: .bindFailed, path: path, errno: code, message: "cannot probe the existing socket")
        }
    }

    /// Removes a stale socket file; a file that vanished meanwhile is fine.
    static func removeStale(_ path: String) throws(UnixHTTPError) {
        if unlink(path) != 0, errno != ENOENT {
            throw UnixHTTPError(code: .bindFailed, path: path, errno: errno, message: "cannot remove the stale socket file")
        }
    }

    /// Sets the socket file's permission bits (chmod(2)) and, if given, its group (chown(2)).
    static func setPermissions(_ path: String, mode: UInt32, groupID: UInt32?) throws(UnixHTTPError) {
        if chmod(path, mode_t(mode)) != 0 {
            throw UnixHTTPError(code: .bindFailed, path: path, errno: errno, message: "cannot set the socket's mode")
        }
        if let groupID {
            // uid_t(-1) leaves the owner unchanged (chown(2)).
            if chown(path, uid_t.max, gid_t(groupID)) != 0 {
                throw UnixHTTPError(code: .bindFailed, path: path, errno: errno, message: "cannot set the socket's group")
            }
        }
    }

    /// The device and inode `path` names now, or nil if it cannot be stat'ed.
    static func identity(_ path: String) -> Identity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Unlinks `path` only if it still names the file with `identity`, so that a socket bound
    /// meanwhile by a newer server is never removed by an older one shutting down.
    static func remove(_ path: String, ifStill identity: Identity?) {
        guard let identity, Self.identity(path) == identity else { return }
        _ = unlink(path)
    }

    /// Calls `body` with a `sockaddr_un` for `path`; throws if the path does not fit.
    static func withSocketAddress<R>(
        _ path: String,
        _ body: (UnsafePointer<sockaddr>, socklen_t) -> R
    ) throws(UnixHTTPError) -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity, !bytes.contains(0) else {
            throw UnixHTTPError(
                code: .socketPathTooLong, path: path,
                message: "the socket path must be shorter than \(capacity) bytes and contain no NUL"
            )
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                body(generic, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    #if os(Linux)
    /// `SOCK_STREAM | SOCK_CLOEXEC`; Glibc imports the type constants as an enum on Linux.
    static let socketStreamType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    #else
    static let socketStreamType = SOCK_STREAM
    #endif
}
