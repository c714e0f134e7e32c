#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one error type of the UnixHTTP layer: a stable code, the socket path, the errno when the
/// kernel gave one, and a sentence for humans.
///
/// Callers switch on `code`; `message` is for logs and the CLI's one-line diagnosis and may change.
public struct UnixHTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, stable across releases so that callers can switch on it.
    public enum Code: String, Sendable, Equatable {
        /// Nothing listens on the socket (file missing, or ECONNREFUSED on a stale file).
        case daemonNotRunning
        /// The socket exists but the caller may not connect to it (EACCES/EPERM): wrong group.
        case permissionDenied
        /// `start()` found a live server already answering on the socket path.
        case addressInUse
        /// The socket path exists and is not a socket, so it is left alone.
        case pathNotASocket
        /// The socket path does not fit in `sockaddr_un.sun_path` (108 bytes on Linux).
        case socketPathTooLong
        /// bind/listen/chmod/chown of the listening socket failed.
        case bindFailed
        /// The server was started twice, or used after `shutdown()`.
        case invalidState
        /// No complete response arrived within the client's timeout.
        case timedOut
        /// The peer closed the connection before a complete response.
        case connectionClosed
        /// The response exceeded the client's `maxResponseBytes`.
        case responseTooLarge
        /// The peer spoke something that is not HTTP/1.1 as we expect it.
        case protocolError
        /// Any other I/O failure; see `errno`.
        case io
    }

    /// The stable error code.
    public var code: Code
    /// The socket path involved.
    public var path: String
    /// The errno of the failed system call, when there was one.
    public var errno: Int32?
    /// A human sentence describing the failure; not stable, do not parse it.
    public var message: String

    /// Creates an error; `message` should say what was attempted, not repeat the code.
    public init(code: Code, path: String, errno: Int32? = nil, message: String) {
        self.code = code
        self.path = path
        self.errno = errno
        self.message = message
    }

    /// One line: message, path and errno text, suitable for the CLI.
    public var description: String {
        var text = "\(message) (\(path))"
        if let errno {
            text += ": \(Self.errnoText(errno)) [errno \(errno)]"
        }
        return text
    }

    /// The C library's text for an errno, via strerror(3).
    static func errnoText(_ value: Int32) -> String {
        guard let text = strerror(value) else { return "error \(value)" }
        return String(cString: text)
    }
}
