import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd about readiness and shutdown over `$NOTIFY_SOCKET` (the `sd_notify` protocol), without libsystemd.
///
/// The protocol is one datagram of `KEY=VALUE` lines to a Unix socket whose path is in the environment (a leading `@`
/// means the abstract namespace). Outside systemd the variable is unset and every call does nothing.
public struct SystemdNotifier: Sendable {
    private let socketPath: String?

    /// Reads `$NOTIFY_SOCKET` from the environment.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether systemd is listening.
    public var isActive: Bool { socketPath != nil }

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
    public func send(_ message: String) -> Bool {
        guard let socketPath else { return false }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
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
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                payload.withUnsafeBytes { bytes in
                    sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
        return sent == payload.count
    }
}
