import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds which of a device's ttys answers `AT` with `OK`: every candidate is probed at the same
/// time, each on its own short-lived thread (open, raw termios, `AT\r`, wait for a final result).
///
/// Used when the catalog's hints did not decide the AT port. The answer is the best-ranked port
/// that answered (the order of `ports`), not merely the fastest, so a modem (PPP) port that also
/// answers never wins over a control port. A port held by another program (`EBUSY`, TIOCEXCL) or
/// that cannot be opened simply does not answer. Blocking I/O never runs on the cooperative pool.
public struct ATPortProber: Sendable {
    /// How long one try waits for `OK` (the bound: 500 ms).
    public var timeout: Duration
    /// How many tries per port (2).
    public var tries: Int

    /// Creates a prober.
    public init(timeout: Duration = .milliseconds(500), tries: Int = 2) {
        self.timeout = timeout
        self.tries = tries
    }

    /// The first port of `ports` (best first) that answered `OK`, or `nil` if none did.
    public func firstAnswering(_ ports: [String]) async -> String? {
        guard !ports.isEmpty else { return nil }
        let timeoutMS = Int32(clamping: timeout.components.seconds * 1000
                              + timeout.components.attoseconds / 1_000_000_000_000_000)
        let tries = max(1, self.tries)
        let answers: [Bool] = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, port) in ports.enumerated() {
                group.addTask {
                    let answered: Bool = await withCheckedContinuation { continuation in
                        let thread = Thread {
                            continuation.resume(returning: Self.probe(port, timeoutMS: timeoutMS, tries: tries))
                        }
                        thread.name = "hotspotd-probe"
                        thread.start()
                    }
                    return (index, answered)
                }
            }
            var result = [Bool](repeating: false, count: ports.count)
            for await (index, answered) in group { result[index] = answered }
            return result
        }
        return zip(ports, answers).first { $0.1 }?.0
    }

    /// One port, blocking: `tries` × (`AT\r`, wait up to `timeoutMS` for `OK`/`ERROR`).
    static func probe(_ path: String, timeoutMS: Int32, tries: Int) -> Bool {
        let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var settings = termios()
        if tcgetattr(fd, &settings) == 0 {
            cfmakeraw(&settings)
            settings.c_cflag |= tcflag_t(CLOCAL | CREAD)
            cfsetispeed(&settings, speed_t(B115200))
            cfsetospeed(&settings, speed_t(B115200))
            _ = tcsetattr(fd, TCSANOW, &settings)
        }
        _ = tcflush(fd, TCIOFLUSH)
        let command: [UInt8] = Array("AT\r".utf8)
        for _ in 0..<tries {
            let written = command.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == command.count else { return false }
            if waitForFinal(fd, timeoutMS: timeoutMS) { return true }
        }
        return false
    }

    /// Reads until a line `OK` (or `ERROR`: the port speaks AT) arrives or the time is up.
    private static func waitForFinal(_ fd: Int32, timeoutMS: Int32) -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int(timeoutMS))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let left = end - clock.now
            let leftMS = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
            guard leftMS > 0 else { return false }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(clamping: leftMS))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return false }
            if pfd.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 && pfd.revents & Int16(POLLIN) == 0 { return false }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard count > 0 else { return false }
            received += buffer[0..<count]
            if containsFinalLine(received) { return true }
            if received.count > 4096 { received.removeFirst(received.count - 64) }
        }
    }

    /// Whether the bytes hold a line that is exactly `OK` or `ERROR`.
    static func containsFinalLine(_ bytes: [UInt8]) -> Bool {
        var line: [UInt8] = []
        for byte in bytes {
            if byte == 0x0d || byte == 0x0a {
                if line == Array("OK".utf8) || line == Array("ERROR".utf8) { return true }
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
            }
        }
        return false
    }
}
