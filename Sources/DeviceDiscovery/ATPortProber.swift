import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds which of a device's ttys answers `AT` with `OK`: every candidate is probed at the same
/// time, each on its own short-lived thread (open, raw termios, `AT\r`, wait for a final result).
///
/// Also asks a Huawei device `AT^GETPORTMODE` (`portModeReply(on:)`), with the same bound per exchange.
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
        await answering(ports).first
    }

    /// Every port of `ports` that answered, in the order of `ports`; all of them are probed at the same time.
    public func answering(_ ports: [String]) async -> [String] {
        guard !ports.isEmpty else { return [] }
        let timeoutMS = self.timeoutMS
        let tries = max(1, self.tries)
        let answers: [Bool] = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, port) in ports.enumerated() {
                group.addTask {
                    (index, await Self.onThread { Self.probe(port, timeoutMS: timeoutMS, tries: tries) })
                }
            }
            var result = [Bool](repeating: false, count: ports.count)
            for await (index, answered) in group { result[index] = answered }
            return result
        }
        return zip(ports, answers).filter(\.1).map(\.0)
    }

    /// Asks `port` `AT^GETPORTMODE` once (Huawei: which interface carries which function) and returns the reply's
    /// lines when it ended in `OK`; `nil` on `ERROR`, another final result, silence within `timeout`, or a port that
    /// cannot be opened.
    ///
    /// The lines are not interpreted here: the station parses them with the AT layer's parser.
    public func portModeReply(on port: String) async -> [String]? {
        let timeoutMS = self.timeoutMS
        let reply = await Self.onThread { Self.exchange(port, command: "AT^GETPORTMODE", timeoutMS: timeoutMS) }
        guard let reply, reply.final == "OK" else { return nil }
        return reply.lines
    }

    /// `timeout` in whole milliseconds.
    private var timeoutMS: Int32 {
        Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
    }

    /// Runs blocking work on its own short-lived thread, never on the cooperative pool.
    private static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.name = "hotspotd-probe"
            thread.start()
        }
    }

    /// A reply read off a port: the complete lines before the final result, and the final result line.
    struct Reply: Sendable, Equatable {
        var lines: [String]
        var final: String
    }

    /// One port, blocking: `tries` × (`AT\r`, wait up to `timeoutMS` for a final result).
    static func probe(_ path: String, timeoutMS: Int32, tries: Int) -> Bool {
        guard let fd = openRaw(path) else { return false }
        defer { close(fd) }
        for _ in 0..<tries {
            guard send("AT", fd: fd) else { return false }
            if awaitReply(fd, timeoutMS: timeoutMS) != nil { return true }
        }
        return false
    }

    /// One command on one port, blocking: send it once and wait up to `timeoutMS` for its final result.
    static func exchange(_ path: String, command: String, timeoutMS: Int32) -> Reply? {
        guard let fd = openRaw(path) else { return nil }
        defer { close(fd) }
        guard send(command, fd: fd) else { return nil }
        return awaitReply(fd, timeoutMS: timeoutMS)
    }

    /// Opens a tty non-blocking in raw mode at 115200 Bd with its queues flushed; `nil` if it cannot be opened.
    private static func openRaw(_ path: String) -> Int32? {
        let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var settings = termios()
        if tcgetattr(fd, &settings) == 0 {
            cfmakeraw(&settings)
            settings.c_cflag |= tcflag_t(CLOCAL | CREAD)
            cfsetispeed(&settings, speed_t(B115200))
            cfsetospeed(&settings, speed_t(B115200))
            _ = tcsetattr(fd, TCSANOW, &settings)
        }
        _ = tcflush(fd, TCIOFLUSH)
        return fd
    }

    /// Writes `command` and a carriage return; whether all of it went out.
    private static func send(_ command: String, fd: Int32) -> Bool {
        let bytes = Array(command.utf8) + [0x0d]
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return written == bytes.count
    }

    /// Reads until a final result line arrives (`replyLines`) or the time is up.
    private static func awaitReply(_ fd: Int32, timeoutMS: Int32) -> Reply? {
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int(timeoutMS))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let left = end - clock.now
            let leftMS = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
            guard leftMS > 0 else { return nil }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(clamping: leftMS))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return nil }
            if pfd.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 && pfd.revents & Int16(POLLIN) == 0 { return nil }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard count > 0 else { return nil }
            received += buffer[0..<count]
            if let reply = replyLines(received) { return reply }
            // A port spewing garbage keeps only its tail: enough to still see a final line.
            if received.count > 4096 { received.removeFirst(received.count - 64) }
        }
    }

    /// Whether the bytes hold a whole final result line (see `replyLines`).
    static func containsFinalLine(_ bytes: [UInt8]) -> Bool {
        replyLines(bytes) != nil
    }

    /// The complete non-empty lines up to the first final result line (`OK`, `ERROR`, `+CME ERROR: …`,
    /// `+CMS ERROR: …`, `COMMAND NOT SUPPORT`) and that line; `nil` while no whole final line has arrived.
    static func replyLines(_ bytes: [UInt8]) -> Reply? {
        var lines: [String] = []
        var line: [UInt8] = []
        for byte in bytes {
            guard byte == 0x0d || byte == 0x0a else {
                line.append(byte)
                continue
            }
            defer { line.removeAll(keepingCapacity: true) }
            guard !line.isEmpty else { continue }
            let text = String(decoding: line, as: UTF8.self)
            if isFinal(text) { return Reply(lines: lines, final: text) }
            lines.append(text)
        }
        return nil
    }

    /// Whether a line is a final result code.
    private static func isFinal(_ line: String) -> Bool {
        line == "OK" || line == "ERROR" || line == "COMMAND NOT SUPPORT"
            || line.hasPrefix("+CME ERROR:") || line.hasPrefix("+CMS ERROR:")
    }
}
