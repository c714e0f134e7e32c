import StationAPI

/// Decides, from a snapshot and the catalog, whether a USB device needs a mode switch, which tty
/// speaks AT and what role it plays. Pure: no I/O, same answer for the same inputs.
///
/// Order of evidence for the AT port (best first):
/// 1. a vendor-specific interface whose protocol byte is a PC UI byte (`02 12 32 62`),
/// 2. an interface string containing a control-port text (`PC UI`),
/// 3. the entry's per-product interface table (`ff/ff/ff` sticks: E1550 → 2, E17xx → 3, E1750 → 4),
/// 4. modem (PPP) ports, by protocol byte, interface string `Modem`, or table,
/// 5. any other tty, to be probed.
/// Ports of interfaces whose protocol byte is known not to speak AT (diag, GPS) are never listed.
/// A Huawei device's own `^GETPORTMODE` reply weighs between 2 and 3 (before the table); asking it needs I/O, so
/// `ATPortChooser` does that and reads the reply with `portModeATPort`.
public struct DeviceClassifier: Sendable {
    /// The catalog the classifier reads.
    public var catalog: USBDeviceCatalog

    /// Creates a classifier over a loaded catalog.
    public init(catalog: USBDeviceCatalog) {
        self.catalog = catalog
    }

    /// Classifies one snapshot.
    public func classify(_ snapshot: USBDeviceSnapshot) -> DeviceClassification {
        switch match(snapshot) {
        case .entry(let entry)?:
            if let reason = entry.noATPort {
                return .noATPort(reason: reason)
            }
            if let spec = entry.modeSwitch {
                let plan = plan(for: snapshot, entry: entry, spec: spec)
                if !plan.isSwitched(snapshot) { return .needsModeSwitch(plan) }
                if entry.atPort == nil, let rule = matchingRule(snapshot) {
                    // A storage entry whose device kept its ids: its ports are a family's.
                    return atDevice(snapshot, hints: rule.hints, role: rule.role)
                }
            }
            return atDevice(snapshot, hints: entry.atPort ?? ATPortHints(), role: entry.role(forProduct: snapshot.product))
        case .rule(let rule)?:
            return atDevice(snapshot, hints: rule.hints, role: rule.role)
        case nil:
            return snapshot.isUdevCandidate ? atDevice(snapshot, hints: ATPortHints(), role: .modem) : .unknown
        }
    }

    /// The ttys of a snapshot in probe order with the evidence rank of each (lower is better);
    /// ports that must not be probed are left out. Exposed for logs and tests.
    public func rankedPorts(_ snapshot: USBDeviceSnapshot, hints: ATPortHints) -> [(port: String, rank: Int)] {
        var ranked: [(port: String, rank: Int, tableOrder: Int, order: Int)] = []
        for (order, tty) in snapshot.ttys.enumerated() {
            let interface = tty.interfaceNumber.flatMap { snapshot.interface(number: $0) }
            guard let rank = Self.rank(interface: interface, number: tty.interfaceNumber, hints: hints) else { continue }
            // Within the per-product table, the table's own order is the preference.
            let tableOrder = rank == 2 ? tty.interfaceNumber.flatMap { hints.interfaceNumbers.firstIndex(of: $0) } ?? 0 : 0
            ranked.append((tty.devnode, rank, tableOrder, order))
        }
        ranked.sort { ($0.rank, $0.tableOrder, $0.order) < ($1.rank, $1.tableOrder, $1.order) }
        return ranked.map { ($0.port, $0.rank) }
    }

    /// The tty of the PC UI interface a `^GETPORTMODE` reply names, when that interface has a tty that may be probed
    /// (not a diag or GPS port); `nil` when the reply names no PC UI interface or it has no such tty.
    ///
    /// The device may count its interfaces from 0 or from 1 (DOMAIN.md). USB interface 0 always exists and the reply
    /// lists every function, so a reply without a 0 is taken to count from 1.
    public func portModeATPort(_ snapshot: USBDeviceSnapshot, entries: [PortModeEntry]) -> String? {
        portModeATPort(snapshot, entries: entries, ranked: rankedPorts(snapshot))
    }

    /// `portModeATPort(_:entries:)` with the snapshot's ranked ports (`rankedPorts(snapshot)`) already computed.
    func portModeATPort(_ snapshot: USBDeviceSnapshot, entries: [PortModeEntry], ranked: [(port: String, rank: Int)]) -> String? {
        guard let pcui = entries.first(where: { $0.name.uppercased() == "PCUI" }) else { return nil }
        let number = entries.contains { $0.index == 0 } ? pcui.index : pcui.index - 1
        let usable = Set(ranked.map(\.port))
        return snapshot.ttys.first { $0.interfaceNumber == number && usable.contains($0.devnode) }?.devnode
    }

    /// The hints `classify` uses for this snapshot: its catalog entry's, else the first matching generic rule's.
    public func hints(for snapshot: USBDeviceSnapshot) -> ATPortHints {
        switch match(snapshot) {
        case .entry(let entry)?:
            if let atPort = entry.atPort { return atPort }
            // A storage entry whose device kept its ids after the switch: its family's rule, as `classify` uses.
            if entry.modeSwitch != nil, let rule = matchingRule(snapshot) { return rule.hints }
            return ATPortHints()
        case .rule(let rule)?: return rule.hints
        case nil: return ATPortHints()
        }
    }

    /// `rankedPorts(_:hints:)` with the hints `classify` uses for this snapshot (`hints(for:)`).
    func rankedPorts(_ snapshot: USBDeviceSnapshot) -> [(port: String, rank: Int)] {
        rankedPorts(snapshot, hints: hints(for: snapshot))
    }

    // MARK: - Private

    /// What the catalog knows of a snapshot: its own entry, else the first generic rule that applies to it.
    private enum CatalogMatch {
        case entry(USBCatalogEntry)
        case rule(USBGenericRule)
    }

    /// The catalog entry for the snapshot's USB id, else the first generic rule (in catalog order) one of whose
    /// interfaces matches, a rule that requires the udev candidate mark only when the snapshot has it; `nil` otherwise.
    private func match(_ snapshot: USBDeviceSnapshot) -> CatalogMatch? {
        if let entry = catalog.entry(for: snapshot.usbID, manufacturer: snapshot.manufacturer, product: snapshot.product) {
            return .entry(entry)
        }
        return matchingRule(snapshot).map { .rule($0) }
    }

    /// The first generic rule (in catalog order) one of whose interfaces matches the snapshot.
    private func matchingRule(_ snapshot: USBDeviceSnapshot) -> USBGenericRule? {
        for rule in catalog.genericRules where !rule.requiresUdevCandidate || snapshot.isUdevCandidate {
            if snapshot.interfaces.contains(where: { rule.matches(vendorID: snapshot.vendorID, interface: $0) }) {
                return rule
            }
        }
        return nil
    }

    private func atDevice(_ snapshot: USBDeviceSnapshot, hints: ATPortHints, role: DeviceRole) -> DeviceClassification {
        let ports = rankedPorts(snapshot, hints: hints).map(\.port)
        guard let first = ports.first else { return .unknown }
        return .atDevice(atPort: first, candidatePorts: ports, role: role)
    }

    private func plan(for snapshot: USBDeviceSnapshot, entry: USBCatalogEntry, spec: ModeSwitchSpec) -> ModeSwitchPlan {
        let storage = snapshot.interfaces.first { $0.interfaceClass == 0x08 }
        return ModeSwitchPlan(
            usbPath: snapshot.usbPath, from: snapshot.usbID, busNumber: snapshot.busNumber,
            deviceNumber: snapshot.deviceNumber, storageInterfaceNumber: spec.interfaceNumber ?? storage?.number,
            method: spec.method, targetUSBIDs: spec.targetUSBIDs, timeout: spec.timeout, catalogEntryID: entry.id,
            targetClass: spec.targetClass, configuration: spec.configuration, messageEndpoint: spec.messageEndpoint,
            responseEndpoint: spec.responseEndpoint, resetUSB: spec.resetUSB)
    }

    /// 0 PC UI protocol, 1 PC UI string, 2 table, 3 modem, 4 unknown; nil = never probe.
    private static func rank(interface: USBInterfaceInfo?, number: Int?, hints: ATPortHints) -> Int? {
        let vendorSpecific = interface?.interfaceClass == 0xff
        let proto = interface?.interfaceProtocol
        if vendorSpecific, let proto, hints.nonATProtocols.contains(proto) { return nil }
        if let number, hints.nonATInterfaceNumbers.contains(number) { return nil }
        if vendorSpecific, let proto, hints.pcuiProtocols.contains(proto) { return 0 }
        let text = interface?.interfaceString?.lowercased() ?? ""
        if !text.isEmpty, hints.interfaceStrings.contains(where: { text.contains($0.lowercased()) }) { return 1 }
        if let number, hints.interfaceNumbers.contains(number) { return 2 }
        if vendorSpecific, let proto, hints.modemProtocols.contains(proto) { return 3 }
        if let number, hints.modemInterfaceNumbers.contains(number) { return 3 }
        if text.contains("modem") { return 3 }
        if interface?.interfaceClass == 0x02, interface?.interfaceSubclass == 0x02, let proto,
           hints.modemProtocols.contains(proto) {
            return 3
        }
        return 4
    }
}
