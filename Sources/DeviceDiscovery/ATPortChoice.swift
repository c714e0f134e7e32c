/// The AT port chosen for a device and the evidence that chose it, for the log and for tests.
public struct ATPortChoice: Sendable, Equatable {
    /// The tty node to attach (`/dev/ttyUSB2`).
    public var port: String
    /// What decided it.
    public var evidence: ATPortEvidence

    /// Creates a choice.
    public init(port: String, evidence: ATPortEvidence) {
        self.port = port
        self.evidence = evidence
    }
}

/// What decided the AT port, in the order the evidence is weighed.
public enum ATPortEvidence: String, Sendable, Equatable {
    /// The port remembered for this device serial (by interface number).
    case remembered
    /// A PC UI protocol byte or a control-port interface string in the catalog's hints.
    case catalog
    /// The device's own `^GETPORTMODE` reply named the PC UI interface.
    case portMode = "getportmode"
    /// The catalog's per-product interface table.
    case table
    /// The first port (best-ranked) that answered `AT`.
    case probe
}

/// What `ATPortChooser.decide` found: a port, or none and what each probed port did.
public enum ATPortDecision: Sendable, Equatable {
    /// The AT port and its evidence.
    case chosen(ATPortChoice)
    /// No evidence settled the port and none answered `AT`: each probed port's outcome, best-ranked first (empty when
    /// the device had no candidate port).
    case noneAnswered([PortProbeResult])
}
