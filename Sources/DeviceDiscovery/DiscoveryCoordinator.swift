import Logging
import StationAPI

/// Runs discovery's decisions: takes udev events in order, feeds them to `DiscoveryDecisions` and carries out the
/// actions it returns (timers, the port probe, the mode switch, network openings, and the receiver's attach, list and
/// detach). One actor, so the events of one USB path are taken in order.
///
/// Waiting is event-driven: the station's readiness is awaited (`untilReady`), and a device waiting for its ttys is
/// chosen on the udev event that brings the last one (after a short grace, at most `portPatience`), not polled.
public actor DiscoveryCoordinator<Receiver: DiscoveredDeviceReceiver> {
    private var decisions: DiscoveryDecisions
    private let receiver: Receiver
    private let discovery: USBDiscovery
    private let chooser: ATPortChooser
    private let memory: ATPortMemory
    private let switcher: USBModeSwitcher
    private let modeSwitch: Bool
    private let busyRecheckInterval: Duration
    private let logger: Logger
    /// The timer or opening under way for each path (port wait, busy re-check, network opening), with its ticket;
    /// cancelled when the device leaves, when discovery stops, and when the next one for the path replaces it.
    private var work: [String: (ticket: UInt64, task: Task<Void, Never>)] = [:]
    /// The ticket of the next work item.
    private var nextTicket: UInt64 = 0

    /// Creates a coordinator; nothing happens until `run`.
    ///
    /// `busyRecheck`: how often a device listed `port-busy` is looked at again.
    public init(receiver: Receiver, discovery: USBDiscovery, catalog: USBDeviceCatalog, modeSwitch: Bool,
                prober: ATPortProber, memory: ATPortMemory, busyRecheck: Duration, logger: Logger) {
        let classifier = DeviceClassifier(catalog: catalog)
        let chooser = ATPortChooser(classifier: classifier, prober: prober, memory: memory)
        self.decisions = DiscoveryDecisions(classifier: classifier, chooser: chooser, modeSwitch: modeSwitch,
                                            opensNetworkDevices: receiver.opensNetworkDevices)
        self.receiver = receiver
        self.discovery = discovery
        self.chooser = chooser
        self.memory = memory
        self.switcher = USBModeSwitcher(logger: logger)
        self.modeSwitch = modeSwitch
        self.busyRecheckInterval = busyRecheck
        self.logger = logger
    }

    /// The state of a path, `nil` when unknown (tests, status).
    public func state(of usbPath: String) -> USBPathState? {
        decisions.state(of: usbPath)
    }

    /// Takes events until the stream ends; waits for the receiver to be ready first.
    public func run(events: AsyncStream<DiscoveryEvent>) async {
        await receiver.untilReady()
        guard !Task.isCancelled else { return }
        for await event in events {
            await perform(decisions.observe(event))
        }
        await perform(decisions.stop())
    }

    // MARK: - Carrying out actions

    private func perform(_ actions: [DiscoveryAction]) async {
        for action in actions {
            switch action {
            case .list(let listing):
                await receiver.list(listing)
            case .log(let line):
                logger.log(level: line.level, "\(line.message)", metadata: line.metadata.mapValues { .string($0) })
            case .awaitPorts(let path):
                replaceWork(path) { ticket in
                    Task {
                        do {
                            try await Task.sleep(for: DiscoveryDecisions.portGrace)
                            guard await self.portGraceElapsed(path) else { return }
                            try await Task.sleep(for: DiscoveryDecisions.portPatience - DiscoveryDecisions.portGrace)
                        } catch {
                            return   // cancelled: the device left, or its wait was replaced
                        }
                        await self.portPatienceElapsed(path, ticket: ticket)
                    }
                }
            case .choosePort(let path):
                Task { await self.choosePort(path) }
            case .attachATPort(let path, let choice, let snapshot, let role):
                await attach(path, choice: choice, snapshot: snapshot, role: role)
            case .switchMode(let plan):
                // Subscribe before sending, so the device's return cannot slip between the send and the wait.
                let returns = discovery.events()
                Task { await self.switchMode(plan, returns: returns) }
            case .openNetworkDevice(let path, let interface):
                guard !decisions.stopped else { continue }
                let receiver = self.receiver
                replaceWork(path) { ticket in
                    Task {
                        let outcome = await receiver.openNetworkDevice(interface: interface)
                        await self.networkDeviceOpened(path, interface: interface, outcome: outcome, ticket: ticket)
                    }
                }
            case .recheckWhenFree(let path):
                guard !decisions.stopped else { continue }
                let interval = busyRecheckInterval
                replaceWork(path) { ticket in
                    Task {
                        do {
                            try await Task.sleep(for: interval)
                        } catch {
                            return   // cancelled: the device left or discovery stopped
                        }
                        await self.busyRecheckDue(path, ticket: ticket)
                    }
                }
            case .cancelWork(let path):
                work.removeValue(forKey: path)?.task.cancel()
            case .detach(let path, let reason, let logged):
                let ended = await receiver.detach(usbPath: path, reason: reason)
                if logged || !ended.isEmpty {
                    logger.info("USB device removed", metadata: ["usb.path": "\(path)", "device.ids": "\(ended.joined(separator: ","))"])
                }
            }
        }
    }

    /// Cancels the path's work under way and starts `start(ticket)` in its place.
    private func replaceWork(_ path: String, _ start: (UInt64) -> Task<Void, Never>) {
        work.removeValue(forKey: path)?.task.cancel()
        let ticket = nextTicket
        nextTicket += 1
        work[path] = (ticket, start(ticket))
    }

    /// Forgets the path's work item `ticket` once it ended (not a newer one that replaced it).
    private func workEnded(_ path: String, ticket: UInt64) {
        if work[path]?.ticket == ticket { work[path] = nil }
    }

    /// Whether the patience timer should go on (the path still waits for its ports).
    private func portGraceElapsed(_ path: String) async -> Bool {
        await perform(decisions.portGraceElapsed(path))
        return decisions.state(of: path) == .waitingForPorts(graceOver: true)
    }

    private func portPatienceElapsed(_ path: String, ticket: UInt64) async {
        workEnded(path, ticket: ticket)
        await perform(decisions.portPatienceElapsed(path))
    }

    private func busyRecheckDue(_ path: String, ticket: UInt64) async {
        workEnded(path, ticket: ticket)
        await perform(decisions.busyRecheckDue(path))
    }

    // MARK: - Choosing and attaching the AT port

    private func choosePort(_ path: String) async {
        guard let choosing = decisions.choosingStarts(path) else { return }
        // Attached by hand or from the configuration before discovery saw it: the station already drives it, and
        // probing would only find our own lock on the port.
        if let port = await receiver.livePort(among: choosing.snapshot.ttys.map(\.devnode)) {
            await perform(decisions.alreadyDriven(path, port: port, choosing: choosing))
            return
        }
        let decision = await chooser.decide(choosing.snapshot)
        await perform(decisions.portDecided(path, decision, choosing: choosing))
    }

    private func attach(_ path: String, choice: ATPortChoice, snapshot: USBDeviceSnapshot, role: DeviceRole) async {
        let port = choice.port
        memory.remember(port, of: snapshot)   // a write failure is logged by the memory and changes nothing here
        logger.info("AT port chosen", metadata: ["usb.path": "\(path)", "usb.id": "\(snapshot.usbID)", "port.path": "\(port)",
                                                 "port.choice": "\(choice.evidence.rawValue)"])
        let outcome = await receiver.attach(atPort: port, usbPath: path)
        await perform(decisions.attachFinished(path, port: port, role: role, outcome: outcome))
    }

    // MARK: - Mode switch

    /// Sends the plan's switch and waits for the device to come back; a device that does not come back within the plan's
    /// timeout gets the message once more (some sticks ignore the first one right after enumeration), and after a second
    /// timeout it is listed as `mode-switch-failed`, naming both attempts and the ids waited for.
    private func switchMode(_ plan: ModeSwitchPlan, returns firstReturns: AsyncStream<DiscoveryEvent>) async {
        let path = plan.usbPath
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
                    await perform(decisions.modeSwitchFailed(path, error: error, message: attempt > 1
                        ? "The mode switch was sent once and USB \(path) did not come back as \(ids) within \(plan.timeout); sending it again failed: \(error.description)"
                        : error.description))
                    return
                }
                // The storage personality left the bus after the first message: nothing to send it again to, but the
                // device may still be on its way back, so the second wait runs all the same.
                logger.notice("mode switch not sent again: the device already left the bus", metadata: ["usb.path": "\(path)"])
                outcome = .sent
            }
            guard outcome == .sent else { break }   // already switched (or switching off): its own event is taken
            await perform(decisions.modeSwitchSent(path, attempt: attempt))
            do {
                _ = try await ModeSwitchWaiter.awaitReturn(of: plan, events: returns)
                break
            } catch {
                guard error.code == .modeSwitchTimedOut else {
                    await perform(decisions.modeSwitchFailed(path, error: error, message: error.description))
                    return
                }
                guard attempt < DiscoveryDecisions.modeSwitchAttempts else {
                    await perform(decisions.modeSwitchFailed(path, error: error, message:
                        "The mode switch was sent \(attempt) times and USB \(path) came back as none of \(ids) within \(plan.timeout) after either attempt (\(error.context)). Check the catalog's target ids for \(plan.from), or switch it with usb_modeswitch."))
                    return
                }
                logger.notice("device did not come back after the mode switch; sending it again",
                              metadata: ["usb.path": "\(path)", "attempt": "\(attempt)", "error": "\(error)"])
                // Came back meanwhile (taken as a new device) or unplugged and listed again: nothing left to retry.
                guard decisions.mayRetryModeSwitch(path) else { return }
                attempt += 1
                returns = discovery.events()   // subscribe before sending again, as for the first message
            }
        }
        // The device came back (or was already switched): its own discovery event is taken as a new device.
        await perform(decisions.modeSwitchReturned(path))
    }

    // MARK: - Network devices

    private func networkDeviceOpened(_ path: String, interface: String,
                                     outcome: Result<Receiver.NetworkConnection, DiscoveryRefusal>, ticket: UInt64) async {
        workEnded(path, ticket: ticket)
        guard decisions.networkOpeningIsCurrent(path, interface: interface) else {
            if case .success(let connection) = outcome { await receiver.close(connection) }
            return
        }
        switch outcome {
        case .success(let connection):
            let attached = await receiver.attach(network: connection, usbPath: path)
            if case .failure = attached { await receiver.close(connection) }
            await perform(decisions.networkDeviceAttached(path, interface: interface, outcome: attached))
        case .failure(let refusal):
            await perform(decisions.networkDeviceNotOpened(path, interface: interface, refusal: refusal))
        }
    }
}
