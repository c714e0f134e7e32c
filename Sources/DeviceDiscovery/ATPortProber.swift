import ATProtocol
import Foundation
import SerialPort
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
/// answers never wins over a control port. Blocking I/O never runs on the cooperative pool.
///
/// Living with other programs: with a `lockDirectory`, a port whose UUCP lock (`LCK..ttyUSB0`) names a live process
/// is not opened and gets no byte; it is reported `busy` with the holder's name and pid (`probe(_:)`). Otherwise the
/// probe takes that lock itself (`O_CREAT|O_EXCL`, our pid) for the duration of the exchange, so a program starting
/// meanwhile sees the port in use, and removes it after; a stale lock (dead pid) is removed. When the directory is
/// missing or read-only the probe goes on without a lock. Every opened port is also put in exclusive mode
/// (`TIOCEXCL`, cleared before closing) and `flock`ed like the station's own serial port; `EBUSY` on open or a held
/// `flock` is reported `busy` too.
public struct ATPortProber: Sendable {
    /// How long one try waits for `OK` (the bound: 500 ms).
    public var timeout: Duration
    /// How many tries per port (2).
    public var tries: Int
    /// Where UUCP lock files live (the station's `lockDirectory`, usually `/var/lock`); `nil` skips lock files.
    public var lockDirectory: String?

    /// Creates a prober; without `lockDirectory` no lock file is read or written (TIOCEXCL and `flock` still apply).
    public init(timeout: Duration = .milliseconds(500), tries: Int = 2, lockDirectory: String? = nil) {
        self.timeout = timeout
        self.tries = tries
        self.lockDirectory = lockDirectory
    }

    /// The first port of `ports` (best first) that answered `OK`, or `nil` if none did.
    public func firstAnswering(_ ports: [String]) async -> String? {
        await answering(ports).first
    }

    /// Every port of `ports` that answered, in the order of `ports`; all of them are probed at the same time.
    public func answering(_ ports: [String]) async -> [String] {
        await probe(ports).filter { $0.outcome == .answered }.map(\.port)
    }

    /// What each port of `ports` did, in the order of `ports`; all of them are probed at the same time.
    ///
    /// A busy port (live UUCP lock, `EBUSY`, held `flock`) is reported with its holder and receives no byte.
    public func probe(_ ports: [String]) async -> [PortProbeResult] {
        guard !ports.isEmpty else { return [] }
        let timeoutMS = self.timeoutMS
        let tries = max(1, self.tries)
        let lockDirectory = self.lockDirectory
        let outcomes: [PortProbeOutcome] = await withTaskGroup(of: (Int, PortProbeOutcome).self) { group in
            for (index, port) in ports.enumerated() {
                group.addTask {
                    (index, await Self.onThread { Self.probe(port, timeoutMS: timeoutMS, tries: tries, lockDirectory: lockDirectory) })
                }
            }
            var result = [PortProbeOutcome](repeating: .silent, count: ports.count)
            for await (index, outcome) in group { result[index] = outcome }
            return result
        }
        return zip(ports, outcomes).map { PortProbeResult(port: $0.0, outcome: $0.1) }
    }

    /// Asks `port` `AT^GETPORTMODE` once (Huawei: which interface carries which function) and returns the reply's
    /// lines when it ended in `OK`; `nil` on `ERROR`, another final result, silence within `timeout`, or a port that
    /// cannot be opened or is busy (the same lock rules as `probe(_:)`).
    ///
    /// The lines are not interpreted here: the station parses them with the AT layer's parser.
    public func portModeReply(on port: String) async -> [String]? {
        let timeoutMS = self.timeoutMS
        let lockDirectory = self.lockDirectory
        let reply = await Self.onThread {
            Self.exchange(port, command: "AT^GETPORTMODE", timeoutMS: timeoutMS, lockDirectory: lockDirectory)
        }
        guard let reply, reply.result == .ok else { return nil }
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

    /// A reply read off a port: the complete lines before the final result, the final result line as it came, and
    /// that line parsed.
    struct Reply: Sendable, Equatable {
        var lines: [String]
        var final: String
        var result: ATFinalResult
    }

    /// One port, blocking: `tries` × (`AT\r`, wait up to `timeoutMS` for a final result), under the port's lock.
    static func probe(_ path: String, timeoutMS: Int32, tries: Int, lockDirectory: String?) -> PortProbeOutcome {
        let opened: OpenedPort
        switch openGuarded(path, lockDirectory: lockDirectory) {
        case .success(let port): opened = port
        case .failure(let refusal): return refusal.outcome
        }
        defer { opened.close() }
        for _ in 0..<tries {
            guard send("AT", to: opened, deadline: .now + .milliseconds(Int(timeoutMS))) else { return .silent }
            if awaitReply(opened.fd, timeoutMS: timeoutMS) != nil { return .answered }
        }
        return .silent
    }

    /// One command on one port, blocking: send it once and wait up to `timeoutMS` for its final result, under the
    /// port's lock; `nil` when busy, not openable, or silent.
    static func exchange(_ path: String, command: String, timeoutMS: Int32, lockDirectory: String?) -> Reply? {
        guard case .success(let opened) = openGuarded(path, lockDirectory: lockDirectory) else { return nil }
        defer { opened.close() }
        guard send(command, to: opened, deadline: .now + .milliseconds(Int(timeoutMS))) else { return nil }
        return awaitReply(opened.fd, timeoutMS: timeoutMS)
    }

    /// A port opened for a probe: its descriptor, in exclusive mode and `flock`ed, and our UUCP lock on it if taken.
    struct OpenedPort {
        var path: String
        var fd: Int32
        var lock: UUCPLockFile?

        /// Leaves exclusive mode, closes the port (dropping the `flock`) and removes our lock file.
        func close() {
            SerialPort.closeExclusive(fd: fd)
            lock?.release()
        }
    }

    /// Takes the port's UUCP lock (when a directory is given), then opens it raw, exclusive and `flock`ed the way the
    /// station's serial port does (`SerialPort.openExclusive`, `configureRaw`); the outcome to report instead when
    /// another program holds it or it cannot be opened. Nothing is written here.
    static func openGuarded(_ path: String, lockDirectory: String?) -> Result<OpenedPort, OutcomeError> {
        var lock: UUCPLockFile?
        if let lockDirectory {
            switch UUCPLockFile.take(devicePath: path, directory: lockDirectory) {
            case .locked(let taken): lock = taken
            case .held(let pid, let program):
                return .failure(OutcomeError(outcome: .busy(holder: program.map { "\($0) (pid \(pid))" } ?? "pid \(pid)")))
            case .skipped, .notHonoured, .failed:
                // No lock to take (no usable directory, a file that is no lock, a stale lock that would not go): probe
                // without one, as TIOCEXCL and flock below still keep two openers apart.
                lock = nil
            }
        }
        let fd: Int32
        do {
            // EBUSY on open, a tty another program opened exclusively (TIOCGEXCL: root's open succeeds anyway) or a
            // held flock are `.busy`; TIOCEXCL refused by the driver or umockdev is tolerated.
            fd = try SerialPort.openExclusive(path: path)
        } catch {
            lock?.release()
            return .failure(OutcomeError(outcome: error.code == .busy ? .busy(holder: nil) : .cannotOpen(errno: error.errno)))
        }
        do {
            try SerialPort.configureRaw(fd: fd, path: path)
        } catch {
            // Best effort: a pty or mocked tty may refuse termios; stale input is still dropped.
            _ = tcflush(fd, TCIOFLUSH)
        }
        return .success(OpenedPort(path: path, fd: fd, lock: lock))
    }

    /// A probe outcome carried as an error through `openGuarded`'s result.
    struct OutcomeError: Error {
        var outcome: PortProbeOutcome
    }

    /// Writes `command` and a carriage return, all of it (short writes continued, EINTR retried, a full output queue
    /// waited out until `deadline`); whether it all went out.
    private static func send(_ command: String, to port: OpenedPort, deadline: ContinuousClock.Instant) -> Bool {
        do {
            try SerialPort.writeAll(fd: port.fd, path: port.path, bytes: Array(command.utf8) + [0x0d], deadline: deadline)
            return true
        } catch {
            return false
        }
    }

    /// Reads until a final result line arrives (`ReplyReader`) or the time is up.
    private static func awaitReply(_ fd: Int32, timeoutMS: Int32) -> Reply? {
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(Int(timeoutMS))
        var reader = ReplyReader()
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
            if let reply = reader.append(buffer[0..<count]) { return reply }
        }
    }

    /// Whether the bytes hold a whole final result line (see `replyLines`).
    static func containsFinalLine(_ bytes: [UInt8]) -> Bool {
        replyLines(bytes) != nil
    }

    /// The complete non-empty lines up to the first final result line (any `ATFinalResult`) and that line; `nil`
    /// while no whole final line has arrived.
    static func replyLines(_ bytes: [UInt8]) -> Reply? {
        var reader = ReplyReader()
        return reader.append(bytes)
    }

    /// Reads one reply from successive reads: the AT layer's `ATLineFramer` cuts the bytes into lines (across read
    /// boundaries) and the first line `ATFinalResult.parse` accepts ends the reply.
    struct ReplyReader {
        /// At most this many lines before the final result are kept: a port spewing garbage keeps only its tail.
        static let maxLines = 256
        private var framer = ATLineFramer()
        private var lines: [String] = []

        /// Feeds one read in; the reply once its final result line is complete, else `nil`.
        mutating func append(_ bytes: some Sequence<UInt8>) -> Reply? {
            for case .line(let text) in framer.append(bytes) {
                if let result = ATFinalResult.parse(text) { return Reply(lines: lines, final: text, result: result) }
                lines.append(text)
                if lines.count > Self.maxLines { lines.removeFirst(lines.count - Self.maxLines) }
            }
            return nil
        }
    }
}
