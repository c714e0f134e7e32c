import ATProtocol
import Logging
import SerialPort

/// Finds which of a device's ttys answers `AT`: every candidate is probed at the same time, each through an
/// `ATSession` opened exactly as the station opens the port it will drive (`SerialPort`: the same judging of the node,
/// UUCP lock file, TIOCEXCL, `flock`, raw termios, DTR/RTS), then `AT` and its final result, `tries` times.
///
/// Also asks a Huawei device `AT^GETPORTMODE` (`portModeReply(on:)`), with the same bound per exchange.
///
/// Used when the catalog's hints did not decide the AT port. The answer is the best-ranked port
/// that answered (the order of `ports`), not merely the fastest, so a modem (PPP) port that also
/// answers never wins over a control port. Opening runs on a thread of its own and the exchange on the session's
/// reader thread: nothing blocks the cooperative pool.
///
/// Living with other programs: with a `lockDirectory`, a port whose UUCP lock (`LCK..ttyUSB0`) names a live process
/// is not opened and gets no byte; it is reported `busy` with the holder's name and pid (`probe(_:)`). Otherwise the
/// probe takes that lock itself (`O_CREAT|O_EXCL`, our pid) for the duration of the exchange, so a program starting
/// meanwhile sees the port in use, and removes it after; a stale lock (dead pid) is removed. When the directory is
/// missing or read-only the probe goes on without a lock. Every opened port is also put in exclusive mode
/// (`TIOCEXCL`, cleared before closing) and `flock`ed; `EBUSY` on open, a tty another program opened exclusively or a
/// held `flock` is reported `busy` too. These are the station's own serial port's rules, because it is its open.
public struct ATPortProber: Sendable {
    /// How long one try waits for `OK` (the bound: 500 ms).
    public var timeout: Duration
    /// How many tries per port (2).
    public var tries: Int
    /// Where UUCP lock files live (the station's `lockDirectory`, usually `/var/lock`); `nil` skips lock files.
    public var lockDirectory: String?
    /// Whether a pseudo-terminal of this process's own user may be probed (`SerialPortOptions.allowPseudoTerminals`).
    ///
    /// The probe only opens ttys udev lists under a USB device; a pseudo-terminal is found there only under umockdev,
    /// whose mocked ttys are the station user's own ptys. Another user's pty, or any other node that is no serial
    /// device the station drives, is refused before it is opened, whatever this says.
    public var allowsPseudoTerminals: Bool

    /// Creates a prober; without `lockDirectory` no lock file is read or written (TIOCEXCL and `flock` still apply).
    public init(timeout: Duration = .milliseconds(500), tries: Int = 2, lockDirectory: String? = nil,
                allowsPseudoTerminals: Bool = true) {
        self.timeout = timeout
        self.tries = tries
        self.lockDirectory = lockDirectory
        self.allowsPseudoTerminals = allowsPseudoTerminals
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
        let options = portOptions
        let timeout = self.timeout
        let tries = max(1, self.tries)
        let outcomes: [PortProbeOutcome] = await withTaskGroup(of: (Int, PortProbeOutcome).self) { group in
            for (index, port) in ports.enumerated() {
                group.addTask { (index, await Self.probe(port, options: options, timeout: timeout, tries: tries)) }
            }
            var result = [PortProbeOutcome](repeating: .silent, count: ports.count)
            for await (index, outcome) in group { result[index] = outcome }
            return result
        }
        return zip(ports, outcomes).map { PortProbeResult(port: $0.0, outcome: $0.1) }
    }

    /// Asks `port` `AT^GETPORTMODE` once (Huawei: which interface carries which function) and returns the reply's
    /// information lines when it ended in `OK`; `nil` on `ERROR`, another final result, silence within `timeout`, or a
    /// port that cannot be opened or is busy (the same lock rules as `probe(_:)`).
    ///
    /// The lines are not interpreted here: the station parses them with the AT layer's parser.
    public func portModeReply(on port: String) async -> [String]? {
        guard case .success(let session) = await Self.open(port, options: portOptions) else { return nil }
        let reply = try? await session.send("AT^GETPORTMODE", timeout: timeout)
        await session.close()
        guard let reply, reply.isOK else { return nil }
        return reply.lines
    }

    /// The options the station's serial port is opened with (`Station`'s session), with this prober's lock directory.
    var portOptions: SerialPortOptions {
        SerialPortOptions(lockDirectory: lockDirectory, allowPseudoTerminals: allowsPseudoTerminals)
    }

    /// The probe's sessions log under this label (at debug level: commands, timeouts, the port closing).
    static let logger = Logger(label: "hotspotd.discovery.probe")

    /// One port: `tries` × (`AT`, its final result within `timeout`), under the port's locks; any final result
    /// (`OK`, `ERROR`, …) is an answer.
    static func probe(_ path: String, options: SerialPortOptions, timeout: Duration, tries: Int) async -> PortProbeOutcome {
        let session: ATSession
        switch await open(path, options: options) {
        case .success(let opened): session = opened
        case .failure(let refusal): return refusal.outcome
        }
        var outcome = PortProbeOutcome.silent
        for _ in 0..<tries {
            do {
                _ = try await session.send("AT", timeout: timeout)
                outcome = .answered
                break
            } catch {
                // A timeout earns another try (the session discards the late input first); anything else (the device
                // gone, a failed write, a reply too large for a port that speaks AT) ends the probe silent.
                guard case .timeout = error else { break }
            }
        }
        await session.close()
        return outcome
    }

    /// Opens `path` as the station does (`ATSession.open`: `SerialPort`'s judged, locked, exclusive, raw open on a
    /// thread of its own), without the resynchronisation a session runs before its first command: the probe's `AT`
    /// is that exchange. The outcome to report instead when another program holds the port or it cannot be opened.
    static func open(_ path: String, options: SerialPortOptions) async -> Result<ATSession, ProbeRefusal> {
        do {
            return .success(try await ATSession.open(path: path, options: options, resynchronisation: nil, logger: logger))
        } catch {
            switch error.code {
            case .busy:
                // A live lock file names its holder; EBUSY, TIOCGEXCL and a held flock do not.
                let holder = error.holderPID.map { pid in error.holderProgram.map { "\($0) (pid \(pid))" } ?? "pid \(pid)" }
                return .failure(ProbeRefusal(outcome: .busy(holder: holder)))
            default:
                // Missing, not a serial device, refused by the driver: the errno says which (0 for a refused node).
                return .failure(ProbeRefusal(outcome: .cannotOpen(errno: error.errno)))
            }
        }
    }

    /// A probe outcome carried as an error through `open`'s result.
    struct ProbeRefusal: Error {
        var outcome: PortProbeOutcome
    }
}
