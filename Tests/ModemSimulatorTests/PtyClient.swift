import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain termios client on a pty slave, as a daemon would open it: raw, non-blocking, polled.
final class PtyClient {
    let fd: Int32
    private(set) var received: [UInt8] = []

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(path: String) throws {
        fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "open \(path): errno \(errno)") }
        var attributes = termios()
        tcgetattr(fd, &attributes)
        cfmakeraw(&attributes)
        attributes.c_cflag |= tcflag_t(CLOCAL | CREAD)
        tcsetattr(fd, TCSANOW, &attributes)
        tcflush(fd, TCIOFLUSH)
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw Failure(description: "write: errno \(errno)") }
    }

    /// Outcome of one read wait.
    enum ReadResult: Equatable { case data, timeout, endOfFile, error(Int32) }

    /// Reads what is available within `timeoutMs`, appending to `received`.
    @discardableResult
    func readOnce(timeoutMs: Int32) -> ReadResult {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, timeoutMs)
        if ready == 0 { return .timeout }
        if ready < 0 { return .error(errno) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            received += buffer[0..<count]
            return .data
        }
        if count == 0 { return .endOfFile }
        if errno == EAGAIN { return pfd.revents & Int16(POLLHUP) != 0 ? .endOfFile : .data }
        return .error(errno)
    }

    /// Waits until `received` contains `needle` or the deadline passes; returns the text so far.
    func readUntil(_ needle: String, timeoutMs: Int = 3000) throws -> String {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        while !text.contains(needle) {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw Failure(description: "no \(needle.debugDescription) in \(text.debugDescription)") }
            let ms = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000) + 1
            switch readOnce(timeoutMs: ms) {
            case .data, .timeout: continue
            case .endOfFile: throw Failure(description: "end of file before \(needle.debugDescription) in \(text.debugDescription)")
            case .error(let code): throw Failure(description: "read errno \(code) before \(needle.debugDescription)")
            }
        }
        return text
    }

    /// Sends `command` + CR and returns the reply text up to and including a final result.
    func command(_ command: String, final: String = "OK", timeoutMs: Int = 3000) throws -> String {
        received.removeAll()
        try send(command + "\r")
        return try readUntil("\r\n\(final)\r\n", timeoutMs: timeoutMs)
    }

    /// Information lines of the reply: without blank lines, the echo, the final result and the
    /// periodic Huawei reports (`^RSSI`, `^BOOT`) that may arrive in between.
    func lines(_ command: String, final: String = "OK") throws -> [String] {
        let reply = try self.command(command, final: final)
        let body = reply.hasPrefix(command + "\r") ? String(reply.dropFirst(command.utf8.count + 1)) : reply
        return body.components(separatedBy: "\r\n").filter {
            !$0.isEmpty && $0 != final && !$0.hasPrefix("^RSSI:") && !$0.hasPrefix("^BOOT:")
        }
    }

    var text: String { String(decoding: received, as: UTF8.self) }

    func clear() { received.removeAll() }
}
