#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd about readiness, liveness and shutdown over `$NOTIFY_SOCKET` (the `sd_notify` protocol), without
/// libsystemd.
///
/// The protocol is one datagram of `KEY=VALUE` lines to a Unix socket whose path is in the environment (a leading `@`
/// means the abstract namespace). Outside systemd the variable is unset and every call does nothing. With `WatchdogSec=`
/// in the unit, systemd also sets `$WATCHDOG_USEC` (and `$WATCHDOG_PID`) and expects `WATCHDOG=1` within that time.
public struct SystemdNotifier: Sendable {
    private let socketPath: String?
    /// The time within which systemd expects each `WATCHDOG=1`, when the unit has a watchdog meant for this process.
    public let watchdogTimeout: Duration?

    /// Reads `$NOTIFY_SOCKET`, `$WATCHDOG_USEC` and `$WATCHDOG_PID` from the environment.
    ///
    /// The watchdog is ignored when `$WATCHDOG_PID` names another process (the variables were inherited), when the
    /// timeout is not a positive number, or when there is no notify socket to feed it through.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, processID: Int32 = getpid()) {
        let socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        self.socketPath = socketPath
        let forUs = environment["WATCHDOG_PID"].map { Int32($0) == processID } ?? true
        if socketPath != nil, forUs, let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0 {
            watchdogTimeout = .microseconds(Int64(clamping: usec))
        } else {
            watchdogTimeout = nil
        }
    }

    /// Whether systemd is listening.
    public var isActive: Bool { socketPath != nil }

    /// Sends `WATCHDOG=1`: the daemon is alive and well.
    @discardableResult
    public func watchdog() -> Bool { send("WATCHDOG=1") }

    /// Sends `READY=1` with a status line.
    @discardableResult
    public func ready(status: String) -> Bool { send("READY=1\nSTATUS=\(status)") }

    /// Sends `STOPPING=1`.
    @discardableResult
    public func stopping() -> Bool { send("STOPPING=1") }

    /// Sends a free status line.
    @discardableResult
    public func status(_ text: String) -> Bool { send("STATUS=\(text)") }

    /// Sends one datagram; returns whether it was delivered.
    ///
    /// A datagram goes out whole or not at all, so there is no short write to continue: EINTR is retried, any other
    /// failure (no listener, a full queue: `EAGAIN`) is `false`, and the caller sends the next notice in due time.
    public func send(_ message: String) -> Bool {
        guard let socketPath else { return false }
        let raw = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard raw >= 0 else { return false }
        let descriptor = FileDescriptor(rawValue: raw)
        defer { try? descriptor.close() }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count)
        let payload = Array(message.utf8)
        while true {
            let sent = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    payload.withUnsafeBytes { bytes in
                        sendto(descriptor.rawValue, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                    }
                }
            }
            if sent < 0 && errno == EINTR { continue }
            return sent == payload.count
        }
    }
}
