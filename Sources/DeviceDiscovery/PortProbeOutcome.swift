#if canImport(Glibc)
import Glibc
#endif

/// What probing one tty with `AT` found, so discovery can tell a port that is silent from one another program holds.
public enum PortProbeOutcome: Sendable, Equatable {
    /// The port answered with a final result (`OK`, `ERROR`, …).
    case answered
    /// The port opened but gave no final result within the bound (every try).
    case silent
    /// Another program holds the port: a live UUCP lock (`holder` is `"minicom (pid 1234)"`, or `"pid 1234"` when its
    /// name cannot be read), or an exclusive open (`EBUSY` from TIOCEXCL, or its `flock`; `holder` is `nil`).
    /// Nothing was written to it.
    case busy(holder: String?)
    /// `open(2)` failed for another reason (the errno: `ENOENT`, `EACCES`, …).
    case cannotOpen(errno: Int32)
}

/// One port and what its probe found.
public struct PortProbeResult: Sendable, Equatable {
    /// The tty node (`/dev/ttyUSB2`).
    public var port: String
    /// What the probe found.
    public var outcome: PortProbeOutcome

    /// Creates a result.
    public init(port: String, outcome: PortProbeOutcome) {
        self.port = port
        self.outcome = outcome
    }

    /// A sentence for a technician when the port is busy (`/dev/ttyUSB2 is held by minicom (pid 1234)`), else `nil`.
    public var busyMessage: String? {
        guard case .busy(let holder) = outcome else { return nil }
        if let holder { return "\(port) is held by \(holder)" }
        return "\(port) is in exclusive use by another program"
    }

    /// A short description for logs and messages: `answered`, `silent`, the busy sentence, or `cannot open (errno N …)`.
    public var summary: String {
        switch outcome {
        case .answered: return "\(port) answered"
        case .silent: return "\(port) was silent"
        case .busy: return busyMessage ?? "\(port) is busy"
        case .cannotOpen(let code): return "\(port) cannot be opened (\(String(cString: strerror(code))))"
        }
    }
}
