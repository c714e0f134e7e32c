import ATProtocol

/// Chooses the AT port of a device by weighing the evidence in the order: the port remembered for its serial,
/// the catalog's PC UI protocol byte or interface string, the device's own `^GETPORTMODE` reply (Huawei), the
/// per-product table, and last a parallel `AT` probe.
///
/// `^GETPORTMODE` is asked on a port that speaks AT: the table's port when the catalog has one, else the probe's
/// answer. When the reply names a PC UI interface whose tty speaks AT (the probe heard it, or, after a table choice,
/// it answers a probe of its own), that tty wins; an `ERROR`, silence (≤ `prober.timeout`), or a reply naming no
/// PC UI port, one without a tty, or a silent one leaves the table's or the probe's choice as it was.
/// The reply is read with the AT layer's parser (`ATParse.portMode`).
/// The caller remembers the choice (`ATPortMemory.remember`).
public struct ATPortChooser: Sendable {
    /// Huawei's USB vendor id: only its devices are asked `^GETPORTMODE`.
    public static let huaweiVendorID: UInt16 = 0x12d1

    /// Ranks the ports and gives the catalog's hints.
    public var classifier: DeviceClassifier
    /// Probes ports and asks `^GETPORTMODE`.
    public var prober: ATPortProber
    /// Ports remembered per device serial.
    public var memory: ATPortMemory

    /// Creates a chooser.
    public init(classifier: DeviceClassifier, prober: ATPortProber, memory: ATPortMemory) {
        self.classifier = classifier
        self.prober = prober
        self.memory = memory
    }

    /// Whether memory or the catalog alone settle the port of `snapshot`, so a tty still to come cannot change the
    /// choice; otherwise the caller waits (bounded) for all of its ports before `choose`. A Huawei device whose
    /// catalog evidence is only the per-product table is not settled: its `^GETPORTMODE` reply may name a later port.
    public func isSettled(_ snapshot: USBDeviceSnapshot) -> Bool {
        settledChoice(snapshot, ranked: classifier.rankedPorts(snapshot)) != nil
    }

    /// The AT port of `snapshot` and what chose it, or `nil` when no evidence settled it and no port answered `AT`.
    public func choose(_ snapshot: USBDeviceSnapshot) async -> ATPortChoice? {
        guard case .chosen(let choice) = await decide(snapshot) else { return nil }
        return choice
    }

    /// Like `choose`, but when no port answered it says what each probed port did (silent, busy with its holder,
    /// cannot be opened), so a device whose ports another program holds can be listed as such.
    public func decide(_ snapshot: USBDeviceSnapshot) async -> ATPortDecision {
        let ranked = classifier.rankedPorts(snapshot)
        if let settled = settledChoice(snapshot, ranked: ranked) { return .chosen(settled) }
        guard let best = ranked.first else { return .noneAnswered([]) }
        let fallback: ATPortChoice
        var answering: Set<String>?   // known only when the probe ran
        if best.rank == 2 {
            fallback = ATPortChoice(port: best.port, evidence: .table)
        } else {
            let results = await prober.probe(ranked.map(\.port))
            let answered = results.filter { $0.outcome == .answered }.map(\.port)
            guard let first = answered.first else { return .noneAnswered(results) }
            fallback = ATPortChoice(port: first, evidence: .probe)
            answering = Set(answered)
        }
        guard snapshot.vendorID == Self.huaweiVendorID, let lines = await prober.portModeReply(on: fallback.port),
              let entries = try? ATParse.portMode(lines), let named = classifier.portModeATPort(snapshot, entries: entries, ranked: ranked) else {
            return .chosen(fallback)
        }
        // The device's word counts only for a port that speaks AT: one the probe heard, or (table case) one that
        // answers a probe of its own now. A silent PC UI port would leave the session with nothing to talk to.
        if named == fallback.port { return .chosen(ATPortChoice(port: named, evidence: .portMode)) }
        let speaks: Bool
        if let answering {
            speaks = answering.contains(named)
        } else {
            speaks = await prober.firstAnswering([named]) != nil
        }
        return .chosen(speaks ? ATPortChoice(port: named, evidence: .portMode) : fallback)
    }

    /// The choice memory or the catalog make without any I/O: the remembered port, a PC UI port (protocol byte or
    /// interface string), or the per-product table's port of a device that is not Huawei (no `^GETPORTMODE` to ask).
    /// `ranked` is `classifier.rankedPorts(snapshot)`, computed once by the caller.
    private func settledChoice(_ snapshot: USBDeviceSnapshot, ranked: [(port: String, rank: Int)]) -> ATPortChoice? {
        if let port = memory.port(for: snapshot) { return ATPortChoice(port: port, evidence: .remembered) }
        guard let best = ranked.first else { return nil }
        if best.rank <= 1 { return ATPortChoice(port: best.port, evidence: .catalog) }
        if best.rank == 2 && snapshot.vendorID != Self.huaweiVendorID { return ATPortChoice(port: best.port, evidence: .table) }
        return nil
    }
}
