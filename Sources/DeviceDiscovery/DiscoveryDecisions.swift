import StationAPI

/// Discovery's decisions for every USB path: one `USBPathState` per path, and the transitions between them.
///
/// Pure: each transition takes what happened (a udev event, a timer over, a probe's result, an attach's outcome) and
/// returns the `DiscoveryAction`s to carry out; nothing here touches a device, a thread or the station.
/// `DiscoveryCoordinator` feeds it and performs the actions.
public struct DiscoveryDecisions: Sendable {
    /// One USB path: its device's latest snapshot and where it is on its way to a session.
    public struct PathRecord: Sendable, Equatable {
        /// The latest snapshot; `nil` once the storage personality of a device being switched left.
        public var snapshot: USBDeviceSnapshot?
        /// Where it is.
        public var state: USBPathState
        /// The `port-busy` message last listed for it, so a re-check that finds the same is quiet.
        public var listedBusyMessage: String?
    }

    /// Drivers whose interfaces get a tty: the device is complete once each has one.
    public static let serialDrivers: Set<String> = ["option", "qcserial", "usb_wwan", "cdc_acm", "ftdi_sio", "pl2303", "cp210x",
                                                    "ch341", "sierra"]
    /// How long a device whose port is not settled waits at least for its other ttys (the kernel adds an interface's
    /// tty before the next interface, so "every interface seen has its tty" alone can be true too early), and how long
    /// at most before the choice is made with what there is (a loaded machine creates ttys slowly).
    public static let portGrace: Duration = .milliseconds(100)
    /// See `portGrace`.
    public static let portPatience: Duration = .seconds(3)
    /// How many times a mode switch is sent to a device that does not come back (the first, and one retry).
    public static let modeSwitchAttempts = 2

    /// Every path discovery has seen and not seen leave.
    public private(set) var paths: [String: PathRecord] = [:]
    /// Set when discovery stopped: nothing is probed or attached after that.
    public private(set) var stopped = false
    /// Classifies snapshots with the catalog.
    public let classifier: DeviceClassifier
    /// Tells whether memory or the catalog settle a device's port without I/O.
    public let chooser: ATPortChooser
    /// Whether devices in their CD-ROM personality are switched.
    public let modeSwitch: Bool
    /// Whether devices behind a USB network interface are opened (else only listed).
    public let opensNetworkDevices: Bool

    /// Creates the decisions, with no path known.
    public init(classifier: DeviceClassifier, chooser: ATPortChooser, modeSwitch: Bool, opensNetworkDevices: Bool) {
        self.classifier = classifier
        self.chooser = chooser
        self.modeSwitch = modeSwitch
        self.opensNetworkDevices = opensNetworkDevices
    }

    /// The state of a path, `nil` when discovery does not know it (never seen, or gone).
    public func state(of usbPath: String) -> USBPathState? {
        paths[usbPath]?.state
    }

    /// Every interface bound to a serial driver has its tty (or the kernel told nothing about interfaces).
    public static func portsComplete(_ snapshot: USBDeviceSnapshot) -> Bool {
        let expected = snapshot.interfaces.filter { $0.driver.map(serialDrivers.contains) ?? false }.count
        return expected > 0 && snapshot.ttys.count >= expected
    }

    // MARK: - udev events

    /// A device arrived, changed or left.
    public mutating func observe(_ event: DiscoveryEvent) -> [DiscoveryAction] {
        switch event {
        case .added(let snapshot), .changed(let snapshot):
            var record = paths[snapshot.usbPath] ?? PathRecord(snapshot: nil, state: .seen)
            record.snapshot = snapshot
            paths[snapshot.usbPath] = record
            return consider(snapshot.usbPath)
        case .removed(let usbPath):
            let reason = "unplugged from USB \(usbPath)"
            guard var record = paths[usbPath] else {
                return [.detach(usbPath: usbPath, reason: reason, logged: false)]
            }
            if case .switching = record.state {
                // Expected: the storage personality leaves; the device comes back on the same path.
                record.snapshot = nil
                record.listedBusyMessage = nil
                paths[usbPath] = record
                return [.cancelWork(usbPath: usbPath)]
            }
            paths[usbPath] = nil
            return [.cancelWork(usbPath: usbPath), .detach(usbPath: usbPath, reason: reason, logged: record.state != .seen)]
        }
    }

    /// Decides what to do with the path's device from its latest snapshot and its state.
    private mutating func consider(_ path: String) -> [DiscoveryAction] {
        guard var record = paths[path], let snapshot = record.snapshot else { return [] }
        let classification = classifier.classify(snapshot)
        switch record.state {
        case .failed(.noATPort(let listed)):
            // A listed device is looked at again only after it left; a HiLink unit's network interface shows up after
            // it was listed, so its listed port follows.
            guard let net = snapshot.netInterfaces.first, listed != net else { return [] }
            record.state = .failed(.noATPort(listedPort: net))
            paths[path] = record
            var actions: [DiscoveryAction] = [.list(noATPortListing(snapshot, classification, port: net, message: "network interface \(net)"))]
            if opensNetworkDevices { actions.append(.openNetworkDevice(usbPath: path, interface: net)) }
            return actions
        case .failed, .ready, .probing:
            return []
        case .switching:
            if case .needsModeSwitch = classification { return [] }
            record.state = .seen
        case .waitingForPorts, .seen:
            break
        }
        let where_ = "usb:\(path)"
        switch classification {
        case .unknown:
            paths[path] = record
            return []
        case .noATPort(let reason):
            let port = snapshot.netInterfaces.first ?? where_
            record.state = .failed(.noATPort(listedPort: port))
            paths[path] = record
            var actions: [DiscoveryAction] = [
                .log(DiscoveryLogLine(.notice, "USB device has no AT port", ["usb.path": path, "usb.id": "\(snapshot.usbID)"])),
                .list(noATPortListing(snapshot, classification, port: port, message: reason)),
            ]
            if let net = snapshot.netInterfaces.first, opensNetworkDevices {
                actions.append(.openNetworkDevice(usbPath: path, interface: net))
            }
            return actions
        case .needsModeSwitch(let plan):
            guard modeSwitch else {
                record.state = .failed(.modeSwitchDisabled)
                paths[path] = record
                return [.list(DiscoveryListing(
                    usbPath: path, port: where_, state: .failed, role: .unknown, step: "mode-switch",
                    failure: FailureInfo(code: USBPathFailure.modeSwitchDisabled.code,
                                         message: "\(snapshot.usbID) is in its CD-ROM personality and mode switching is off (discovery.modeSwitch); switch it with usb_modeswitch or turn it on."),
                    message: "CD-ROM personality, mode switching off"))]
            }
            record.state = .switching(attempt: 1)
            paths[path] = record
            return [.list(DiscoveryListing(usbPath: path, port: where_, state: .connecting, role: .unknown, step: "mode-switch",
                                           failure: nil, message: "switching \(snapshot.usbID) out of its CD-ROM personality")),
                    .switchMode(plan)]
        case .atDevice(_, let candidates, _):
            // A remembered or catalog-settled port cannot be beaten by a tty still to come; otherwise wait for the
            // rest of the ports (bounded) so the probe and ^GETPORTMODE see them all.
            if chooser.isSettled(snapshot) {
                record.state = .probing
                paths[path] = record
                return [.choosePort(usbPath: path)]
            }
            switch record.state {
            case .waitingForPorts(graceOver: true) where Self.portsComplete(snapshot):
                // The event that brought the last tty ends the wait.
                record.state = .probing
                paths[path] = record
                return [.choosePort(usbPath: path)]
            case .waitingForPorts:
                paths[path] = record
                return []
            default:
                paths[path] = record
                guard !candidates.isEmpty else { return [] }
                paths[path]?.state = .waitingForPorts(graceOver: false)
                return [.awaitPorts(usbPath: path)]
            }
        }
    }

    // MARK: - Waiting for ports

    /// The grace period of a device waiting for its ports is over: its port is chosen now if its ports are complete,
    /// else when the event that completes them comes (or the patience runs out).
    public mutating func portGraceElapsed(_ path: String) -> [DiscoveryAction] {
        guard paths[path]?.state == .waitingForPorts(graceOver: false), let snapshot = paths[path]?.snapshot else { return [] }
        if chooser.isSettled(snapshot) || Self.portsComplete(snapshot) {
            paths[path]?.state = .probing
            return [.choosePort(usbPath: path)]
        }
        paths[path]?.state = .waitingForPorts(graceOver: true)
        return []
    }

    /// The patience for a device's ports ran out: its port is chosen with the ttys there are.
    public mutating func portPatienceElapsed(_ path: String) -> [DiscoveryAction] {
        guard case .waitingForPorts? = paths[path]?.state else { return [] }
        paths[path]?.state = .probing
        return [.choosePort(usbPath: path)]
    }

    // MARK: - Choosing the AT port

    /// What the port choice of a path starts from.
    public struct Choosing: Sendable, Equatable {
        /// The device's snapshot.
        public var snapshot: USBDeviceSnapshot
        /// Its candidate ports, best first.
        public var candidates: [String]
        /// Its role.
        public var role: DeviceRole
    }

    /// The choice of the path's AT port begins: what it starts from, or `nil` (and the path back to `seen`) when the
    /// path is no longer probing, discovery stopped, or the device is no longer an AT device.
    public mutating func choosingStarts(_ path: String) -> Choosing? {
        guard paths[path]?.state == .probing else { return nil }
        guard !stopped, let snapshot = paths[path]?.snapshot,
              case .atDevice(_, let candidates, let role) = classifier.classify(snapshot) else {
            paths[path]?.state = .seen
            return nil
        }
        return Choosing(snapshot: snapshot, candidates: candidates, role: role)
    }

    /// The station already drives one of the device's ports (attached by hand or from the configuration before
    /// discovery saw it): nothing is probed.
    public mutating func alreadyDriven(_ path: String, port: String, choosing: Choosing) -> [DiscoveryAction] {
        guard paths[path]?.state == .probing else { return [] }
        paths[path]?.state = .ready(port: port, role: choosing.role)
        return [.log(DiscoveryLogLine(.info, "USB device already attached by hand or by the configuration",
                                      ["usb.path": path, "usb.id": "\(choosing.snapshot.usbID)", "port.path": port]))]
    }

    /// The chooser decided: attach the chosen port, or list the device as busy (and look again later) or silent.
    public mutating func portDecided(_ path: String, _ decision: ATPortDecision, choosing: Choosing) -> [DiscoveryAction] {
        guard paths[path]?.state == .probing else { return [] }   // unplugged while probing or asking ^GETPORTMODE
        let snapshot = choosing.snapshot
        switch decision {
        case .chosen(let choice):
            return [.attachATPort(usbPath: path, choice: choice, snapshot: snapshot, role: choosing.role)]
        case .noneAnswered(let results):
            if let busy = results.first(where: { $0.busyMessage != nil }) {
                // Another program holds a candidate: that is most likely the AT port, and the technician can act on it.
                let held = results.compactMap(\.busyMessage)
                let others = results.filter { $0.busyMessage == nil }.map(\.summary)
                let message = held.joined(separator: "; ") + (others.isEmpty ? "" : "; " + others.joined(separator: ", "))
                    + ". Close that program (or unplug and replug the device once it is free)."
                paths[path]?.state = .failed(.portBusy)
                var actions: [DiscoveryAction] = [.recheckWhenFree(usbPath: path)]
                // Listed (and logged) when it changes, not at every re-check while the other program keeps the port.
                guard paths[path]?.listedBusyMessage != message else { return actions }
                paths[path]?.listedBusyMessage = message
                actions.append(.log(DiscoveryLogLine(.notice, "USB device's ports are held by another program",
                                                     ["usb.path": path, "usb.id": "\(snapshot.usbID)",
                                                      "ports": held.joined(separator: "; ")])))
                actions.append(.list(DiscoveryListing(
                    usbPath: path, port: busy.port, state: .failed, role: choosing.role, step: "identify",
                    failure: FailureInfo(code: USBPathFailure.portBusy.code, message: message), message: held.joined(separator: "; "))))
                return actions
            }
            paths[path]?.state = .failed(.noPortAnswered)
            let candidates = choosing.candidates
            return [.list(DiscoveryListing(
                usbPath: path, port: candidates.first ?? "usb:\(path)", state: .failed, role: choosing.role, step: "identify",
                failure: FailureInfo(code: USBPathFailure.noPortAnswered.code,
                                     message: "None of \(candidates.joined(separator: ", ")) answered AT within 500 ms (2 tries)."),
                message: "no port answered AT"))]
        }
    }

    /// The station attached the chosen port (with the session's id) or refused it.
    public mutating func attachFinished(_ path: String, port: String, role: DeviceRole,
                                        outcome: Result<String, DiscoveryRefusal>) -> [DiscoveryAction] {
        guard paths[path]?.state == .probing else {
            // Unplugged while attaching: the remove event found no session yet, so end it here.
            if case .success = outcome { return [.detach(usbPath: path, reason: "unplugged from USB \(path)", logged: false)] }
            return []
        }
        switch outcome {
        case .success(let id):
            paths[path]?.state = .ready(port: port, role: role)
            return [.log(DiscoveryLogLine(.info, "discovered device attached", ["usb.path": path, "device.id": id]))]
        case .failure(let refusal):
            paths[path]?.state = .failed(.attachRefused(code: refusal.code))
            return [.list(DiscoveryListing(usbPath: path, port: port, state: .failed, role: role, step: "attach",
                                           failure: FailureInfo(code: refusal.code, message: refusal.message),
                                           message: refusal.message))]
        }
    }

    /// The re-check of a `port-busy` device is due: it is considered again like a new device.
    public mutating func busyRecheckDue(_ path: String) -> [DiscoveryAction] {
        guard !stopped, paths[path]?.state == .failed(.portBusy) else { return [] }
        paths[path]?.state = .seen
        return consider(path)
    }

    // MARK: - Mode switch

    /// The switch message went out (`attempt` of `modeSwitchAttempts`): the device is listed as waiting for it.
    public mutating func modeSwitchSent(_ path: String, attempt: Int) -> [DiscoveryAction] {
        if case .switching? = paths[path]?.state { paths[path]?.state = .switching(attempt: attempt) }
        let waiting = attempt == 1
            ? "mode switch sent; waiting for the device to come back on USB \(path)"
            : "mode switch sent again (attempt \(attempt) of \(Self.modeSwitchAttempts)); waiting for the device to come back on USB \(path)"
        return [.list(DiscoveryListing(usbPath: path, port: "usb:\(path)", state: .connecting, role: .unknown, step: "mode-switch",
                                       failure: nil, message: waiting))]
    }

    /// Whether a switch that timed out is still worth sending again: the device neither came back as a new device
    /// nor was unplugged and listed again meanwhile.
    public func mayRetryModeSwitch(_ path: String) -> Bool {
        if case .switching? = paths[path]?.state { return true }
        return false
    }

    /// The mode switch failed (`message` for the technician, `error` for the log): listed unless the device left or
    /// came back meanwhile.
    public mutating func modeSwitchFailed(_ path: String, error: DiscoveryError, message: String) -> [DiscoveryAction] {
        var actions: [DiscoveryAction] = [.log(DiscoveryLogLine(.warning, "mode switch failed", ["usb.path": path, "error": "\(error)"]))]
        guard case .switching? = paths[path]?.state else { return actions }
        paths[path]?.state = .failed(.modeSwitchFailed)
        actions.append(.list(DiscoveryListing(usbPath: path, port: "usb:\(path)", state: .failed, role: .unknown, step: "mode-switch",
                                              failure: FailureInfo(code: USBPathFailure.modeSwitchFailed.code, message: message),
                                              message: "mode switch failed")))
        return actions
    }

    /// The device came back switched (or was already switched): it is taken as a new device.
    public mutating func modeSwitchReturned(_ path: String) -> [DiscoveryAction] {
        if case .switching? = paths[path]?.state { paths[path]?.state = .seen }
        return consider(path)
    }

    // MARK: - Network devices

    /// Whether an opening of the device behind `interface` that just ended still matters: the path still lists that
    /// interface and discovery runs. When not, a connection it made is closed unused.
    public func networkOpeningIsCurrent(_ path: String, interface: String) -> Bool {
        !stopped && paths[path]?.state == .failed(.noATPort(listedPort: interface))
    }

    /// The network device did not answer (no address, login refused, …): it stays listed, with why.
    public func networkDeviceNotOpened(_ path: String, interface: String, refusal: DiscoveryRefusal) -> [DiscoveryAction] {
        guard networkOpeningIsCurrent(path, interface: interface), let snapshot = paths[path]?.snapshot else { return [] }
        return [.log(DiscoveryLogLine(.warning, "network device did not answer",
                                      ["usb.path": path, "net.interface": interface, "error.code": refusal.code.rawValue])),
                .list(DiscoveryListing(usbPath: path, port: interface, state: .failed, role: catalogRole(snapshot), step: "identify",
                                       failure: FailureInfo(code: refusal.code, message: refusal.message),
                                       message: "network interface \(interface)"))]
    }

    /// The station attached the opened network device, or refused it (the connection is then closed; the device
    /// stays listed as it was).
    public mutating func networkDeviceAttached(_ path: String, interface: String,
                                               outcome: Result<(id: String, port: String), DiscoveryRefusal>) -> [DiscoveryAction] {
        switch outcome {
        case .success(let attached):
            guard networkOpeningIsCurrent(path, interface: interface), let snapshot = paths[path]?.snapshot else {
                // Unplugged while attaching: the remove event found no session yet, so end it here.
                guard paths[path] == nil else { return [] }
                return [.detach(usbPath: path, reason: "unplugged from USB \(path)", logged: false)]
            }
            let role = catalogRole(snapshot)
            paths[path]?.state = .ready(port: attached.port, role: role)
            return [.log(DiscoveryLogLine(.info, "network device attached",
                                          ["usb.path": path, "net.interface": interface, "device.id": attached.id]))]
        case .failure(let refusal):
            return [.log(DiscoveryLogLine(.warning, "network device not attached", ["usb.path": path, "error.code": refusal.code.rawValue]))]
        }
    }

    // MARK: - Stop

    /// Discovery stopped: nothing is probed or attached any more; every timer and opening is cancelled.
    public mutating func stop() -> [DiscoveryAction] {
        stopped = true
        return paths.keys.sorted().map { .cancelWork(usbPath: $0) }
    }

    // MARK: - Listings

    /// The role the catalog gives the device (a modem when it has no entry).
    func catalogRole(_ snapshot: USBDeviceSnapshot) -> DeviceRole {
        classifier.catalog.entry(for: snapshot.usbID)?.role(forProduct: snapshot.product) ?? .modem
    }

    /// A device with no AT port, listed as failed (`no-at-port`) on `port` (its network interface, or `usb:<path>`).
    func noATPortListing(_ snapshot: USBDeviceSnapshot, _ classification: DeviceClassification, port: String,
                         message: String) -> DiscoveryListing {
        DiscoveryListing(usbPath: snapshot.usbPath, port: port, state: .failed, role: catalogRole(snapshot), step: nil,
                         failure: FailureInfo(code: USBPathFailure.noATPort(listedPort: port).code,
                                              message: Self.noATPortMessage(snapshot, classification)),
                         message: message)
    }

    /// `<ids> has no AT port: <reason>.`
    static func noATPortMessage(_ snapshot: USBDeviceSnapshot, _ classification: DeviceClassification) -> String {
        guard case .noATPort(let reason) = classification else { return "\(snapshot.usbID) has no AT port." }
        return "\(snapshot.usbID) has no AT port: \(reason)."
    }
}
