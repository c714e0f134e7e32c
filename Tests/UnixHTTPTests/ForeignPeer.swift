import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport
@testable import UnixHTTP

/// Connections made with another uid and gid, so that `SO_PEERCRED` shows the server a different caller.
///
/// Linux keeps credentials per thread, and `SO_PEERCRED` records those of the thread that called connect(2). So a
/// dedicated thread switches its own effective ids with the raw setresuid/setresgid system calls (glibc's wrappers
/// would switch every thread of the test process), connects, and switches back; nothing else runs on that thread.
/// Needs root; suites using it are enabled only then.
enum ForeignPeer {
    /// True when the tests may switch ids (they run as root).
    static let isAvailable = geteuid() == 0

    /// Connects `count` sockets to `path` as `uid`/`gid`, in order.
    static func connect(_ path: String, uid: UInt32, gid: UInt32, count: Int = 1) async throws -> [RawUnixConnection] {
        let descriptors: [Int32] = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try connectOnThisThread(path, uid: uid, gid: gid, count: count) })
            }
            thread.start()
        }
        return descriptors.map { RawUnixConnection(acceptedDescriptor: $0) }
    }

    /// One connection as `uid`/`gid`.
    static func connectOne(_ path: String, uid: UInt32, gid: UInt32) async throws -> RawUnixConnection {
        let connections = try await connect(path, uid: uid, gid: gid)
        return try #require(connections.first)
    }

    /// A server directory and socket that other uids may reach: the directory searchable, the socket 0666.
    static func openUp(_ directory: TemporaryDirectory) {
        chmod(directory.path, 0o711)
    }

    private struct SwitchFailed: Error, CustomStringConvertible {
        var description: String
    }

    private static func connectOnThisThread(_ path: String, uid: UInt32, gid: UInt32, count: Int) throws -> [Int32] {
        guard setThreadIDs(uid: uid, gid: gid) else {
            _ = setThreadIDs(uid: 0, gid: 0)
            throw SwitchFailed(description: "setresuid/setresgid to \(uid)/\(gid) failed")
        }
        defer { _ = setThreadIDs(uid: 0, gid: 0) }
        var descriptors: [Int32] = []
        for _ in 0..<count {
            let descriptor = socket(AF_UNIX, UnixSocketFile.socketStreamType, 0)
            guard descriptor >= 0 else { throw SwitchFailed(description: "socket failed: errno \(errno)") }
            let result = try UnixSocketFile.withSocketAddress(path) { address, length in Glibc.connect(descriptor, address, length) }
            guard result == 0 else {
                let code = errno
                close(descriptor)
                descriptors.forEach { close($0) }
                throw SwitchFailed(description: "connect as \(uid) failed: errno \(code)")
            }
            descriptors.append(descriptor)
        }
        return descriptors
    }

    /// Sets this thread's effective (and filesystem) uid and gid; the gid first while still root, root's uid first
    /// on the way back.
    private static func setThreadIDs(uid: UInt32, gid: UInt32) -> Bool {
        let unchanged = -1
        if uid == 0 {
            return rawSyscall(setresuidNumber, unchanged, 0, unchanged) == 0
                && rawSyscall(setresgidNumber, unchanged, Int(gid), unchanged) == 0
        }
        return rawSyscall(setresgidNumber, unchanged, Int(gid), unchanged) == 0
            && rawSyscall(setresuidNumber, unchanged, Int(uid), unchanged) == 0
    }

    #if arch(x86_64)
    private static let setresuidNumber = 117
    private static let setresgidNumber = 119
    #elseif arch(arm64)
    private static let setresuidNumber = 147
    private static let setresgidNumber = 149
    #endif

    /// glibc's variadic `syscall(2)` is not visible to Swift; its x86-64 and AArch64 entry points take the number and
    /// the arguments in the ordinary integer registers, so a fixed-arity C function pointer calls it correctly.
    private typealias SyscallFunction = @convention(c) (Int, Int, Int, Int) -> Int

    private static func rawSyscall(_ number: Int, _ first: Int, _ second: Int, _ third: Int) -> Int {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syscall") else { return -1 }
        let function = unsafeBitCast(symbol, to: SyscallFunction.self)
        return function(number, first, second, third)
    }
}

/// Starts a server that callers of any uid can reach (directory 0711, socket 0666), runs `body`, then shuts it down.
func withOpenServer(
    limits: UnixHTTPServer.Limits = UnixHTTPServer.Limits(),
    handler: @escaping UnixHTTPServer.Handler,
    _ body: (UnixHTTPServer) async throws -> Void
) async throws {
    try await withOpenServer(limits: limits, admission: nil, handler: handler, body)
}

/// As `withOpenServer(limits:handler:_:)`, with an admission policy (nil: the server's default).
func withOpenServer(
    limits: UnixHTTPServer.Limits = UnixHTTPServer.Limits(),
    admission: AdmissionPolicy?,
    handler: @escaping UnixHTTPServer.Handler,
    _ body: (UnixHTTPServer) async throws -> Void
) async throws {
    let directory = try TemporaryDirectory(prefix: "unixhttp-test")
    defer { directory.remove() }
    ForeignPeer.openUp(directory)
    let server = if let admission {
        UnixHTTPServer(socketPath: directory.socket(), socketMode: 0o666, limits: limits, admission: admission, handler: handler)
    } else {
        UnixHTTPServer(socketPath: directory.socket(), socketMode: 0o666, limits: limits, handler: handler)
    }
    try await server.start()
    do {
        try await body(server)
    } catch {
        await server.shutdown()
        throw error
    }
    await server.shutdown()
}

extension RawUnixConnection {
    /// Sends `GET target` with `Connection: close` and returns the status code of the reply, or nil if the server
    /// closed without one.
    func get(_ target: String) async throws -> Int? {
        try send("GET \(target) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let reply = await readUntilClosed()
        return Self.status(of: reply.bytes)
    }

    /// The status code of the first response in `bytes`.
    static func status(of bytes: [UInt8]) -> Int? {
        let text = String(decoding: bytes.prefix(16), as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 "), text.count >= 12 else { return nil }
        return Int(text.dropFirst(9).prefix(3))
    }
}

extension RawUnixConnection {
    /// Sends what it can and ignores errors: for clients the server may already have dropped.
    func trySend(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Whether the server closed this connection (end of file or reset) within `timeout`, ignoring any bytes sent.
    func isClosedByPeer(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return true }
            if count < 0 && errno != EAGAIN && errno != EWOULDBLOCK { return true }
            if count < 0 { try? await Task.sleep(for: .milliseconds(5)) }
        }
        return false
    }
}
