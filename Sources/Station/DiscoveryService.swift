import ATProtocol
import DeviceDiscovery
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import Provisioning
import ServiceLifecycle
import StationAPI

/// Finds devices by themselves: follows udev (enumeration at start, then the monitor), and for each physical USB
/// device classifies it with the catalog, switches it out of its CD-ROM personality, chooses its AT port and attaches
/// it to the station; an unplug ends its session. Devices that cannot be driven are listed with the reason.
///
/// Runs next to `StationService` in the daemon's service group, and acts only once the station reports ready (so
/// start-up recovery runs before any new provisioning). If udev is unavailable it logs why and stays idle: ports
/// given with `--device` or `hotspotctl attach` keep working.
public struct DiscoveryService: Service {
    private let station: Station
    private let discovery: USBDiscovery
    private let coordinator: DiscoveryCoordinator
    private let logger: Logger

    /// Creates the service; nothing happens until `run`.
    ///
    /// `busyRecheck`: how often a device listed `port-busy` (another program holds its ports) is looked at again, so
    /// it is taken as soon as that program lets go. `isReady` says when the station may take devices; by default its
    /// own start-up flag (ledger recovery first).
    ///
    /// `networkDevices` opens a device that has a USB network interface and no AT port (a HiLink unit) through its
    /// driver; without it such devices are listed with the reason, as before.
    public init(station: Station, catalog: USBDeviceCatalog, modeSwitch: Bool, logger: Logger,
                discovery: USBDiscovery? = nil, prober: ATPortProber = ATPortProber(), memory: ATPortMemory = ATPortMemory(),
                busyRecheck: Duration = .seconds(5), isReady: (@Sendable () async -> Bool)? = nil,
                networkDevices: NetworkDeviceOpener? = nil) {
        let discovery = discovery ?? USBDiscovery(logger: logger)
        self.station = station
        self.discovery = discovery
        self.logger = logger
        self.coordinator = DiscoveryCoordinator(
            station: station, discovery: discovery, classifier: DeviceClassifier(catalog: catalog), modeSwitch: modeSwitch,
            prober: prober, memory: memory, busyRecheck: busyRecheck, logger: logger, isReady: isReady ?? { await station.isReady },
            networkDevices: networkDevices)
    }

    /// Runs until graceful shutdown (or cancellation).
    public func run() async throws {
        do {
            try await discovery.start()
        } catch {
            logger.warning("USB discovery unavailable; only ports given by hand are used", metadata: ["error": "\(error)"])
            return
        }
        let events = discovery.events()
        let discovery = self.discovery
        await withGracefulShutdownHandler {
            await coordinator.run(events: events)
        } onGracefulShutdown: {
            discovery.stop()
        }
        discovery.stop()
    }

    /// Stops following udev (tests; the daemon uses graceful shutdown).
    public func stop() {
        discovery.stop()
    }
}

/// The per-USB-socket decisions of discovery, one actor so events of one socket are taken in order.
actor DiscoveryCoordinator {
    /// Where one USB socket's device is in its way to a session.
    enum PathState: Equatable {
        /// Waiting a moment for its other ttys before choosing among them.
        case waitingForPorts
        /// Probing or attaching.
        case choosing
        /// A session was attached on this port.
        case attached(port: String)
        /// A mode switch was sent; waiting for the device to come back.
        case switching
        /// Listed without a session for this reason code.
        case reported(code: String)
    }

    /// Drivers whose interfaces get a tty: the device is complete once each has one.
    static let serialDrivers: Set<String> = ["option", "qcserial", "usb_wwan", "cdc_acm", "ftdi_sio", "pl2303", "cp210x", "ch341", "sierra"]
    /// How often a device whose ports are not all there yet is looked at again, and how long it is waited for at
    /// most before the choice is made with what there is (a loaded machine creates ttys slowly).
    static let portGrace: Duration = .milliseconds(100)
    static let portPatience: Duration = .seconds(3)
    /// How many times a mode switch is sent to a device that does not come back (the first, and one retry).
    static let modeSwitchAttempts = 2

    private let station: Station
    private let discovery: USBDiscovery
    private let classifier: DeviceClassifier
    private let modeSwitch: Bool
    private let memory: ATPortMemory
    private let chooser: ATPortChooser
    private let switcher: USBModeSwitcher
    private let logger: Logger
    private let isReady: @Sendable () async -> Bool
    private var paths: [String: PathState] = [:]
    private var latest: [String: USBDeviceSnapshot] = [:]
    /// The port text last listed for a device without an AT port.
    private var reportedPorts: [String: String] = [:]
    /// When each device waiting for its ports started waiting.
    private var waitingSince: [String: ContinuousClock.Instant] = [:]
    /// The message last listed for a device whose ports another program holds (a re-check that finds the same is quiet).
    private var busyMessages: [String: String] = [:]
    private let busyRecheckInterval: Duration
    /// The pending re-check of each `port-busy` device; cancelled when it leaves and when discovery stops.
    private var busyRechecks: [String: Task<Void, Never>] = [:]
    /// Set when the event stream ended: nothing is probed or attached after that.
    private var stopped = false
    /// Opens devices reached over their USB network interface (HiLink units); nil: they are only listed.
    private let networkDevices: NetworkDeviceOpener?
    /// The opening under way of each device reached over its network interface, by USB path; cancelled when it leaves.
    private var networkOpenings: [String: Task<Void, Never>] = [:]

    init(station: Station, discovery: USBDiscovery, classifier: DeviceClassifier, modeSwitch: Bool,
         prober: ATPortProber, memory: ATPortMemory, busyRecheck: Duration, logger: Logger,
         isReady: @escaping @Sendable () async -> Bool, networkDevices: NetworkDeviceOpener? = nil) {
        self.networkDevices = networkDevices
        self.busyRecheckInterval = busyRecheck
        self.station = station
        self.discovery = discovery
        self.classifier = classifier
        self.modeSwitch = modeSwitch
        self.memory = memory
        self.chooser = ATPortChooser(classifier: classifier, prober: prober, memory: memory)
        self.switcher = USBModeSwitcher(logger: logger)
        self.logger = logger
        self.isReady = isReady
    }

    /// Takes events until the stream ends; waits for the station to be ready first.
    func run(events: AsyncStream<DiscoveryEvent>) async {
        while await !isReady() {
            do {
                try await Task.sleep(for: .milliseconds(20))
            } catch {
                return
            }
        }
        for await event in events {
            await handle(event)
        }
        stopped = true
        for recheck in busyRechecks.values { recheck.cancel() }
        busyRechecks.removeAll()
        for opening in networkOpenings.values { opening.cancel() }
        networkOpenings.removeAll()
    }

    private func handle(_ event: DiscoveryEvent) async {
        switch event {
        case .added(let snapshot), .changed(let snapshot):
            latest[snapshot.usbPath] = snapshot
            await consider(snapshot)
        case .removed(let usbPath):
            latest[usbPath] = nil
            reportedPorts[usbPath] = nil
            waitingSince[usbPath] = nil
            busyMessages[usbPath] = nil
            busyRechecks.removeValue(forKey: usbPath)?.cancel()
            networkOpenings.removeValue(forKey: usbPath)?.cancel()
            if paths[usbPath] == .switching { return }   // expected: the storage personality leaves
            let before = paths.removeValue(forKey: usbPath)
            let ended = await station.detachDiscovered(usbPath: usbPath, reason: "unplugged from USB \(usbPath)")
            if before != nil || !ended.isEmpty {
                logger.info("USB device removed", metadata: ["usb.path": "\(usbPath)", "device.ids": "\(ended.joined(separator: ","))"])
            }
        }
    }

    private func consider(_ snapshot: USBDeviceSnapshot) async {
        let path = snapshot.usbPath
        let classification = classifier.classify(snapshot)
        switch paths[path] {
        case .reported(let code)?:
            // A listed device is looked at again only after it left (its remove event clears the state); a HiLink
            // unit's network interface shows up after it was listed, so its listed port follows.
            if code == "no-at-port", let net = snapshot.netInterfaces.first, reportedPorts[path] != net {
                reportedPorts[path] = net
                await reportNoATPort(snapshot, classification, port: net, message: "network interface \(net)")
                openNetworkDevice(snapshot, interface: net)
            }
            return
        case .attached?, .choosing?:
            return
        case .switching?:
            if case .needsModeSwitch = classification { return }
            paths[path] = nil
        case .waitingForPorts?, nil:
            break
        }
        let where_ = "usb:\(path)"
        switch classification {
        case .unknown:
            return
        case .noATPort(let reason):
            paths[path] = .reported(code: "no-at-port")
            reportedPorts[path] = snapshot.netInterfaces.first ?? where_
            logger.notice("USB device has no AT port", metadata: ["usb.path": "\(path)", "usb.id": "\(snapshot.usbID)"])
            await reportNoATPort(snapshot, classification, port: snapshot.netInterfaces.first ?? where_, message: reason)
            if let net = snapshot.netInterfaces.first { openNetworkDevice(snapshot, interface: net) }
        case .needsModeSwitch(let plan):
            guard modeSwitch else {
                paths[path] = .reported(code: "mode-switch-disabled")
                await station.reportDiscovered(
                    usbPath: path, port: where_, state: .failed, role: .unknown, step: "mode-switch",
                    failure: FailureInfo(code: .modeSwitchDisabled,
                                         message: "\(snapshot.usbID) is in its CD-ROM personality and mode switching is off (discovery.modeSwitch); switch it with usb_modeswitch or turn it on."),
                    message: "CD-ROM personality, mode switching off")
                return
            }
            paths[path] = .switching
            await station.reportDiscovered(usbPath: path, port: where_, state: .connecting, role: .unknown, step: "mode-switch",
                                           failure: nil, message: "switching \(snapshot.usbID) out of its CD-ROM personality")
            // Subscribe before sending, so the device's return cannot slip between the send and the wait.
            let returns = discovery.events()
            Task { await self.switchMode(plan, returns: returns) }
        case .atDevice(_, let candidates, _):
            // A remembered or catalog-settled port cannot be beaten by a tty still to come; otherwise wait a moment
            // and for the rest of the ports (bounded) so the probe and ^GETPORTMODE see them all: the kernel adds an
            // interface's tty before the next interface, so "every interface seen has its tty" alone can be true too early.
            if chooser.isSettled(snapshot) {
                paths[path] = .choosing
                Task { await self.choosePortAndAttach(path) }
            } else if !candidates.isEmpty && paths[path] != .waitingForPorts {
                paths[path] = .waitingForPorts
                waitingSince[path] = ContinuousClock.now
                Task {
                    try? await Task.sleep(for: Self.portGrace)
                    await self.graceOver(path)
                }
            }
        }
    }

    /// Every interface bound to a serial driver has its tty (or the kernel told nothing about interfaces).
    static func portsComplete(_ snapshot: USBDeviceSnapshot) -> Bool {
        let expected = snapshot.interfaces.filter { $0.driver.map(serialDrivers.contains) ?? false }.count
        return expected > 0 && snapshot.ttys.count >= expected
    }

    private func graceOver(_ path: String) async {
        guard paths[path] == .waitingForPorts else { return }
        if let snapshot = latest[path], !chooser.isSettled(snapshot), !Self.portsComplete(snapshot),
           let since = waitingSince[path], ContinuousClock.now - since < Self.portPatience {
            Task {
                try? await Task.sleep(for: Self.portGrace)
                await self.graceOver(path)
            }
            return
        }
        waitingSince[path] = nil
        paths[path] = .choosing
        await choosePortAndAttach(path)
    }

    private func choosePortAndAttach(_ path: String) async {
        guard !stopped, paths[path] == .choosing, let snapshot = latest[path],
              case .atDevice(_, let candidates, let role) = classifier.classify(snapshot) else {
            if paths[path] == .choosing { paths[path] = nil }
            return
        }
        // Attached by hand or from the configuration before discovery saw it: the station already drives it, and
        // probing would only find our own lock on the port.
        if let port = await station.livePort(among: snapshot.ttys.map(\.devnode)) {
            guard paths[path] == .choosing else { return }
            paths[path] = .attached(port: port)
            logger.info("USB device already attached by hand or by the configuration",
                        metadata: ["usb.path": "\(path)", "usb.id": "\(snapshot.usbID)", "port.path": "\(port)"])
            return
        }
        let decision = await chooser.decide(snapshot)
        guard paths[path] == .choosing else { return }   // unplugged while probing or asking ^GETPORTMODE
        guard case .chosen(let chosen) = decision else {
            if case .noneAnswered(let results) = decision, let busy = results.first(where: { $0.busyMessage != nil }) {
                // Another program holds a candidate: that is most likely the AT port, and the technician can act on it.
                let held = results.compactMap(\.busyMessage)
                let others = results.filter { $0.busyMessage == nil }.map(\.summary)
                let message = held.joined(separator: "; ") + (others.isEmpty ? "" : "; " + others.joined(separator: ", "))
                    + ". Close that program (or unplug and replug the device once it is free)."
                paths[path] = .reported(code: "port-busy")
                scheduleBusyRecheck(path)
                // Listed (and logged) when it changes, not at every re-check while the other program keeps the port.
                guard busyMessages[path] != message else { return }
                busyMessages[path] = message
                logger.notice("USB device's ports are held by another program",
                              metadata: ["usb.path": "\(path)", "usb.id": "\(snapshot.usbID)", "ports": "\(held.joined(separator: "; "))"])
                await station.reportDiscovered(usbPath: path, port: busy.port, state: .failed, role: Self.role(role), step: "identify",
                                               failure: FailureInfo(code: .portBusy, message: message), message: held.joined(separator: "; "))
                return
            }
            paths[path] = .reported(code: "no-at-port-answered")
            await station.reportDiscovered(
                usbPath: path, port: candidates.first ?? "usb:\(path)", state: .failed, role: Self.role(role), step: "identify",
                failure: FailureInfo(code: .noATPortAnswered,
                                     message: "None of \(candidates.joined(separator: ", ")) answered AT within 500 ms (2 tries)."),
                message: "no port answered AT")
            return
        }
        let port = chosen.port
        memory.remember(port, of: snapshot)   // a write failure is logged by the memory and changes nothing here
        logger.info("AT port chosen", metadata: ["usb.path": "\(path)", "usb.id": "\(snapshot.usbID)", "port.path": "\(port)",
                                                 "port.choice": "\(chosen.evidence.rawValue)"])
        do {
            let status = try await station.attachDiscovered(path: port, usbPath: path)
            guard paths[path] == .choosing else {
                // Unplugged while attaching: the remove event found no session yet, so end it here.
                await station.detachDiscovered(usbPath: path, reason: "unplugged from USB \(path)")
                return
            }
            paths[path] = .attached(port: port)
            logger.info("discovered device attached", metadata: ["usb.path": "\(path)", "device.id": "\(status.id)"])
        } catch {
            paths[path] = .reported(code: error.code.rawValue)
            await station.reportDiscovered(usbPath: path, port: port, state: .failed, role: Self.role(role), step: "attach",
                                           failure: FailureInfo(code: error.code, message: error.message), message: error.message)
        }
    }

    /// Sends the plan's switch and waits for the device to come back; a device that does not come back within the plan's
    /// timeout gets the message once more (some sticks ignore the first one right after enumeration), and after a second
    /// timeout it is listed as `mode-switch-failed`, naming both attempts and the ids waited for.
    private func switchMode(_ plan: ModeSwitchPlan, returns firstReturns: AsyncStream<DiscoveryEvent>) async {
        var returns = firstReturns
        // usb_modeswitch's files that name only a target class give no ids: the device comes back as its modem.
        let ids = plan.targetUSBIDs.isEmpty ? "its modem personality (no storage interface)"
            : plan.targetUSBIDs.map(\.description).joined(separator: ", ")
        var attempt = 1
        while true {
            let outcome: USBModeSwitcher.Outcome
            do {
                outcome = try await switcher.switchMode(plan, enabled: modeSwitch)
            } catch {
                guard attempt > 1, error.code == .usbDeviceNotFound else {
                    await modeSwitchFailed(plan, error: error,
                                           message: attempt > 1 ? "The mode switch was sent once and USB \(plan.usbPath) did not come back as \(ids) within \(plan.timeout); sending it again failed: \(error.description)"
                                                                : error.description)
                    return
                }
                // The storage personality left the bus after the first message: nothing to send it again to, but the
                // device may still be on its way back, so the second wait runs all the same.
                logger.notice("mode switch not sent again: the device already left the bus", metadata: ["usb.path": "\(plan.usbPath)"])
                outcome = .sent
            }
            guard outcome == .sent else { break }   // already switched (or switching off): its own event is taken
            let waiting = attempt == 1
                ? "mode switch sent; waiting for the device to come back on USB \(plan.usbPath)"
                : "mode switch sent again (attempt \(attempt) of \(Self.modeSwitchAttempts)); waiting for the device to come back on USB \(plan.usbPath)"
            await station.reportDiscovered(usbPath: plan.usbPath, port: "usb:\(plan.usbPath)", state: .connecting, role: .unknown,
                                           step: "mode-switch", failure: nil, message: waiting)
            do {
                _ = try await ModeSwitchWaiter.awaitReturn(of: plan, events: returns)
                break
            } catch {
                guard error.code == .modeSwitchTimedOut else {
                    await modeSwitchFailed(plan, error: error, message: error.description)
                    return
                }
                guard attempt < Self.modeSwitchAttempts else {
                    await modeSwitchFailed(plan, error: error, message:
                        "The mode switch was sent \(attempt) times and USB \(plan.usbPath) came back as none of \(ids) within \(plan.timeout) after either attempt (\(error.context)). Check the catalog's target ids for \(plan.from), or switch it with usb_modeswitch.")
                    return
                }
                logger.notice("device did not come back after the mode switch; sending it again",
                              metadata: ["usb.path": "\(plan.usbPath)", "attempt": "\(attempt)", "error": "\(error)"])
                // Came back meanwhile (taken as a new device) or unplugged and listed again: nothing left to retry.
                guard paths[plan.usbPath] == .switching else { return }
                attempt += 1
                returns = discovery.events()   // subscribe before sending again, as for the first message
            }
        }
        // The device came back (or was already switched): its own discovery event is taken as a new device.
        if paths[plan.usbPath] == .switching { paths[plan.usbPath] = nil }
        if let snapshot = latest[plan.usbPath] { await consider(snapshot) }
    }

    /// Looks at a `port-busy` device again after `busyRecheckInterval`, while it stays plugged in and busy: once the
    /// other program lets go of the port, the device is probed and attached like a new one.
    private func scheduleBusyRecheck(_ path: String) {
        guard !stopped else { return }
        let interval = busyRecheckInterval
        busyRechecks[path]?.cancel()
        busyRechecks[path] = Task {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return   // cancelled: the device left or discovery stopped
            }
            await self.recheckBusy(path)
        }
    }

    private func recheckBusy(_ path: String) async {
        busyRechecks[path] = nil
        guard !stopped, paths[path] == .reported(code: "port-busy"), let snapshot = latest[path] else { return }
        paths[path] = nil
        await consider(snapshot)
    }

    /// Lists a device that has no AT port as failed (`no-at-port`) on `port` (its network interface, or `usb:<path>`),
    /// with the role its catalog entry gives it (a modem when it has none).
    private func reportNoATPort(_ snapshot: USBDeviceSnapshot, _ classification: DeviceClassification, port: String,
                                message: String) async {
        let role = classifier.catalog.entry(for: snapshot.usbID)?.role(forProduct: snapshot.product) ?? .modem
        await station.reportDiscovered(usbPath: snapshot.usbPath, port: port, state: .failed, role: Self.role(role), step: nil,
                                       failure: FailureInfo(code: .noATPort, message: Self.noATPortMessage(snapshot, classification)),
                                       message: message)
    }

    /// Opens the device behind `interface` through its driver once the interface has an address (the lease may come a
    /// few seconds after the interface), then attaches it; a device that does not answer stays listed with why.
    private func openNetworkDevice(_ snapshot: USBDeviceSnapshot, interface: String) {
        guard let opener = networkDevices, !stopped else { return }
        let path = snapshot.usbPath
        networkOpenings.removeValue(forKey: path)?.cancel()
        networkOpenings[path] = Task {
            let outcome = await opener.open(interface: interface)
            await self.networkDeviceOpened(snapshot, interface: interface, outcome: outcome)
        }
    }

    private func networkDeviceOpened(_ snapshot: USBDeviceSnapshot, interface: String,
                                     outcome: Result<NetworkDeviceConnection, StationError>) async {
        let path = snapshot.usbPath
        networkOpenings[path] = nil
        guard !stopped, paths[path] == .reported(code: "no-at-port"), reportedPorts[path] == interface else {
            if case .success(let connection) = outcome { await connection.close() }
            return
        }
        switch outcome {
        case .success(let connection):
            do {
                let status = try await station.attachDiscovered(driver: connection.driver, port: connection.port,
                                                                usbPath: path, close: connection.close)
                paths[path] = .attached(port: connection.port)
                logger.info("network device attached", metadata: ["usb.path": "\(path)", "net.interface": "\(interface)",
                                                                   "device.id": "\(status.id)"])
            } catch {
                await connection.close()
                logger.warning("network device not attached", metadata: ["usb.path": "\(path)", "error.code": "\(error.code)"])
            }
        case .failure(let error):
            logger.warning("network device did not answer", metadata: ["usb.path": "\(path)", "net.interface": "\(interface)",
                                                                        "error.code": "\(error.code)"])
            let role = classifier.catalog.entry(for: snapshot.usbID)?.role(forProduct: snapshot.product) ?? .modem
            await station.reportDiscovered(usbPath: path, port: interface, state: .failed, role: Self.role(role), step: "identify",
                                           failure: FailureInfo(code: error.code, message: error.message),
                                           message: "network interface \(interface)")
        }
    }

    /// Lists a device whose mode switch failed (unless it left or came back meanwhile).
    private func modeSwitchFailed(_ plan: ModeSwitchPlan, error: DiscoveryError, message: String) async {
        logger.warning("mode switch failed", metadata: ["usb.path": "\(plan.usbPath)", "error": "\(error)"])
        guard paths[plan.usbPath] == .switching else { return }
        paths[plan.usbPath] = .reported(code: "mode-switch-failed")
        await station.reportDiscovered(usbPath: plan.usbPath, port: "usb:\(plan.usbPath)", state: .failed, role: .unknown,
                                       step: "mode-switch", failure: FailureInfo(code: .modeSwitchFailed, message: message),
                                       message: "mode switch failed")
    }

    static func noATPortMessage(_ snapshot: USBDeviceSnapshot, _ classification: DeviceClassification) -> String {
        guard case .noATPort(let reason) = classification else { return "\(snapshot.usbID) has no AT port." }
        return "\(snapshot.usbID) has no AT port: \(reason)."
    }

    static func role(_ role: DeviceDiscovery.DeviceRole) -> StationAPI.DeviceRole {
        switch role {
        case .hotspot: return .hotspot
        case .modem: return .modem
        case .simReader: return .simReader
        }
    }
}

/// A device reached over its USB network interface, opened by its driver.
public struct NetworkDeviceConnection: Sendable {
    /// The driver the device's session provisions it through.
    public var driver: any DeviceDriver
    /// How the device is listed (`http://192.168.8.1 (usb0)`).
    public var port: String
    /// Ends the driver's connection.
    public var close: @Sendable () async -> Void

    /// Creates a connection.
    public init(driver: any DeviceDriver, port: String, close: @escaping @Sendable () async -> Void) {
        self.driver = driver
        self.port = port
        self.close = close
    }
}

/// Opens the device behind a USB network interface: waits (bounded) for the interface's address, finds the device's
/// address behind it (`HiLinkAddressing`) and hands both to the driver's opener, which logs in and checks it answers.
public struct NetworkDeviceOpener: Sendable {
    /// The driver's opener: interface name and device address in, a connection or a typed failure out.
    public var connect: @Sendable (_ interface: String, _ host: String) async -> Result<NetworkDeviceConnection, StationError>
    /// Where the device is behind an interface, nil while the interface has no address.
    public var unitAddress: @Sendable (_ interface: String) -> String?
    /// How long an interface without an address is waited for.
    public var addressPatience: Duration

    /// Creates an opener; by default the unit is found with `HiLinkAddressing` and waited for up to 60 s.
    public init(addressPatience: Duration = .seconds(60),
                unitAddress: (@Sendable (_ interface: String) -> String?)? = nil,
                connect: @escaping @Sendable (_ interface: String, _ host: String) async -> Result<NetworkDeviceConnection, StationError>) {
        self.connect = connect
        self.unitAddress = unitAddress ?? { HiLinkAddressing.unitAddress(interface: $0) }
        self.addressPatience = addressPatience
    }

    /// Waits for the interface's address (every 250 ms, up to `addressPatience`), then connects.
    func open(interface: String) async -> Result<NetworkDeviceConnection, StationError> {
        let deadline = ContinuousClock.now + addressPatience
        while true {
            if let host = unitAddress(interface) { return await connect(interface, host) }
            guard ContinuousClock.now < deadline else {
                return .failure(StationError(.timedOut, code: .noAddress,
                                             message: "The network interface \(interface) got no address: is a DHCP client (systemd-networkd, docs/hilink.md) running?"))
            }
            do {
                try await Task.sleep(for: .milliseconds(250))
            } catch {
                return .failure(StationError(.unavailable, code: .shuttingDown, message: "Discovery stopped."))
            }
        }
    }
}
