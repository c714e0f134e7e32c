import ATProtocol
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Ledger
import Logging
import Provisioning
import StationAPI

/// One physical device at the station: it owns the device's channel and runs its identification and provisioning.
///
/// An actor, so at most one run touches the device at a time; its state is re-checked after every `await`.
/// The status it keeps holds full identifiers and the Wi-Fi key; the API layer redacts them.
actor DeviceSession {
    nonisolated let id: String
    nonisolated let port: String
    /// Everything the session works with, given once by the station that created it.
    private let dependencies: DeviceSessionDependencies
    private var events: EventHub { dependencies.events }
    private var logger: Logger { dependencies.logger }
    private var replugChecked = false
    /// The state the device was in when it went away (what a re-plug shows).
    private var stateBeforeGone: DeviceState?
    /// The state it had when its loss was first noticed (by `markGone` or by the run): what the unplug event says.
    private var stateWhenLost: DeviceState?

    private var status: DeviceStatus
    private var identity: DeviceIdentity?
    private var run: Task<Void, Never>?
    /// Listed, not probed, until a person asks for a run (`quarantine`).
    private var quarantined = false
    /// How many identifications succeeded (a person's `unlock` waits for the next).
    private var identifications = 0

    init(id: String, port: String, dependencies: DeviceSessionDependencies) {
        self.id = id
        self.port = port
        self.dependencies = dependencies
        self.status = DeviceStatus(id: id, port: port, state: .connecting, updatedAt: Date())
    }

    /// The status with full values; callers redact.
    func snapshot() -> DeviceStatus { status }

    /// The identity read from the device, once known.
    func currentIdentity() -> DeviceIdentity? { identity }

    /// Whether a run is under way.
    var isBusy: Bool { run != nil }

    /// The session's first run, started once it is listed: says the device is attached, records in the ledger that
    /// the daemon handles it, then identifies it and does what the ledger says its SIM is owed under the station's
    /// policy (an open order resumed, the default plan for a SIM never served, nothing for a served one).
    ///
    /// A device two daemons in a row died on is listed, not probed (`quarantine`): no crash loop on one bad device.
    func begin(intent: OrderIntent, actor: Int?) {
        guard run == nil else { return }
        run = Task {
            await self.events.publish(StationEvent(kind: "attached", deviceID: self.id, state: .connecting,
                                                   message: self.port, at: Date()))
            if let unfinished = await self.beginHandling() {
                self.logger.error("device quarantined: the daemon stopped while handling it several times in a row",
                                  metadata: ["port.path": "\(self.port)", "handling.unfinished": "\(unfinished)"])
                await self.quarantine(unfinished: unfinished)
                self.run = nil
                // Start-up does not wait for a device it will not probe.
                await self.dependencies.host?.identificationEnded(sessionID: self.id, identity: nil)
                return
            }
            await self.identifyThenProvision(intent: intent, actor: actor)
            // The daemon lived through its handling of this device: a later crash elsewhere does not count against it.
            await self.handlingEnded()
        }
    }

    /// Records that the daemon starts handling the device; returns how many daemons in a row stopped while handling
    /// it when that makes it quarantined, nil otherwise (or when the ledger could not say).
    private func beginHandling() async -> Int? {
        let ledger = dependencies.ledger
        let handlingKey = Station.handlingKey(port)
        do {
            return try await ledger.writing { ledger in try ledger.beginHandling(port: handlingKey) }
        } catch {
            logger.error("could not record the start of a device's handling", metadata: ["port.path": "\(port)", "error": "\(error)"])
            return nil
        }
    }

    /// Records that the daemon lived through handling the device (its first run ended, or a person released its
    /// quarantine).
    private func handlingEnded() async {
        let ledger = dependencies.ledger
        let handlingKey = Station.handlingKey(port)
        do {
            try await ledger.writing { ledger in try ledger.endHandling(port: handlingKey) }
        } catch {
            logger.error("could not record the end of a device's handling", metadata: ["port.path": "\(port)", "error": "\(error)"])
        }
    }

    /// Lists the device without probing it: daemons died `unfinished` times in a row while handling it. A person's
    /// `provision` releases it.
    private func quarantine(unfinished: Int) async {
        quarantined = true
        let message = "The daemon stopped \(unfinished) times in a row while handling this device: it is listed, not probed. "
            + "Check the device (or unplug it), then run 'hotspotctl provision \(id)' to try it again."
        status.failure = FailureInfo(code: .quarantined, message: message)
        await update(state: .failed, step: nil, message: message, kind: "state")
    }

    /// Starts a person's request (`provision`, `provision --again`, `topup`); the ledger decides what it gets.
    func requestProvisioning(intent: OrderIntent, actor: Int?) throws(StationError) {
        guard run == nil else {
            throw StationError(.conflict, code: .deviceBusy, message: "Device \(id) is busy (\(status.state.rawValue)).")
        }
        guard status.state != .gone else {
            throw StationError(.conflict, code: .deviceGone, message: "Device \(id) is no longer connected.")
        }
        // What the SIM is owed is decided by the run, after it has identified the SIM now in the device (the one the
        // request saw may have been swapped since).
        let release = quarantined
        quarantined = false
        run = Task {
            if release { await self.handlingEnded() }
            await self.identifyThenProvision(intent: intent, actor: actor)
        }
    }

    /// One PIN attempt on the SIM of a device waiting for its PIN, given by a technician; then the device is read
    /// again (its tries left, its IMSI once unlocked) and, unlocked, goes on as the ledger says its SIM is owed.
    /// Returns the tries left before, whether the SIM took it, and the tries left after as the device now reports them.
    func unlock(pin: String, actor: Int?) async throws(StationError) -> (accepted: Bool, triesBefore: Int?, triesAfter: Int?, state: String?) {
        guard run == nil else {
            throw StationError(.conflict, code: .deviceBusy, message: "Device \(id) is busy (\(status.state.rawValue)).")
        }
        guard status.state != .gone else {
            throw StationError(.conflict, code: .deviceGone, message: "Device \(id) is no longer connected.")
        }
        guard let identity, identity.pinState == .simPIN else {
            throw StationError(.conflict, code: .pinNotRequired,
                               message: "Device \(id)'s SIM does not wait for its PIN (\(status.simState ?? "state unknown")): nothing was sent.")
        }
        let before = identity.pinTriesLeft
        let after: SIMPinState?
        do {
            after = try await dependencies.driver.enterPIN(pin)
        } catch {
            throw StationError(error.isDeviceGone ? .gone : .deviceFailed, code: error.code, message: error.message)
        }
        let accepted = after == .ready
        logger.notice("SIM PIN attempt by a person", metadata: ["device.id": "\(id)", "accepted": "\(accepted)"])
        // Read the device again: a refused PIN shows its tries left; an accepted one lets the run go on.
        let identifiedBefore = identifications
        run = Task { await self.identifyThenProvision(intent: OrderIntent(origin: .policy, plan: nil, defaultPlan: dependencies.config.current.defaultPlan),
                                                      actor: actor) }
        if accepted {
            await waitUntilIdentified(after: identifiedBefore)
        } else {
            await waitUntilIdle()
        }
        return (accepted, before, self.identity?.pinTriesLeft, self.identity?.pinState?.code ?? after?.code)
    }

    /// Waits until the current run has identified the device again (or ended).
    private func waitUntilIdentified(after count: Int) async {
        while run != nil, identifications == count {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the current run to end (tests, shutdown).
    func waitUntilIdle() async {
        while let task = run {
            await task.value
            if run == task { run = nil }
        }
    }

    /// Marks the device gone and stops its run; the channel is closed.
    func markGone(reason: String) async {
        guard status.state != .gone || run != nil else { return }
        if status.state != .gone, stateWhenLost == nil { stateWhenLost = status.state }
        run?.cancel()
        await dependencies.closeDevice()
        // Let the run record how it ended (an in-flight voucher becomes unknown) before the state says gone.
        await waitUntilIdle()
        stateBeforeGone = status.state
        await update(state: .gone, step: status.step, message: reason, kind: "gone")
    }

    private func identifyThenProvision(intent: OrderIntent, actor: Int?) async {
        defer { run = nil }
        let workflow = makeWorkflow(actor: actor)
        let stateBefore = status.state
        await update(state: .identifying, step: "identify", message: "reading the device", kind: "state")
        do {
            identity = try await workflow.identify()
            identifications += 1
        } catch {
            logger.warning("identification failed", metadata: ["device.id": "\(id)", "failure.code": "\(error.code)"])
            status.failure = FailureInfo(code: error.code, message: error.message)
            let gone = error.code == .deviceGone
            await update(state: gone ? .gone : .failed, step: "identify", message: error.message,
                         kind: gone ? "gone" : "state")
            await identificationEnded(nil)
            return
        }
        // Settle what the SIM's unknown vouchers left open (a balance check) before the ledger decides what it is owed.
        await identificationEnded(identity)
        guard let identity else { return }
        if dependencies.followsReplug, !replugChecked {
            replugChecked = true
            if let previous = await dependencies.host?.takeOverGoneSession(newID: id, identity: identity) { adopt(previous) }
        }
        guard let iccid = identity.iccid?.digits else {
            // No SIM to order for: the workflow reports why (no SIM, unreadable) without touching money.
            guard let plan = intent.planForNewOrder.flatMap(plan(named:)) else {
                await update(state: .awaitingPlan, step: nil, message: "waiting for a technician to choose a plan", kind: "state")
                return
            }
            await provision(identity, order: ProvisioningOrder(plan: plan, setsWiFi: intent.setsWiFi), workflow: workflow)
            return
        }
        switch await LedgerRecorder(ledger: dependencies.ledger, actor: actor, port: port).placeOrder(iccid: iccid, intent: intent) {
        case .failure(let error):
            logger.error("the ledger could not decide the SIM's order", metadata: ["device.id": "\(id)", "error.code": "\(error.code)"])
            status.failure = FailureInfo(code: error.code, message: error.message)
            await update(state: .failed, step: "plan", message: error.message, kind: "state")
        case .success(.nothingToDo):
            await update(state: .awaitingPlan, step: nil, message: "waiting for a technician to choose a plan", kind: "state")
        case .success(.refused(let code, let message)):
            // A person's request the ledger refused (the SIM is served, or an order is open): the device keeps the
            // state it had before the request, and says why nothing ran.
            status.failure = FailureInfo(code: code, message: message)
            let kept = [.done, .failed, .awaitingPlan].contains(stateBefore) ? stateBefore : DeviceState.failed
            await update(state: kept, step: nil, message: message, kind: "state")
        case .success(.alreadyServed(let service)):
            showServed(service)
            logger.info("SIM already served: no voucher used", metadata: ["device.id": "\(id)",
                                                                         "order.id": "\(service.lastFulfilled.map { String($0.id) } ?? "none")"])
            await update(state: .done, step: nil,
                         message: "already provisioned\(service.lastFulfilled.map { " (order \($0.id))" } ?? ""): no voucher used, Wi-Fi unchanged",
                         kind: "state")
        case .success(.run(let record)):
            guard let plan = plan(named: record.plan) else {
                let message = "Order \(record.id) is for plan \(record.plan), which is no longer configured: add it back or cancel the order."
                status.failure = FailureInfo(code: .unknownPlan, message: message)
                await update(state: .failed, step: "plan", message: message, kind: "state")
                return
            }
            status.orderID = record.id
            status.plan = record.plan
            var order = ProvisioningOrder(id: record.id, plan: plan, ssid: record.wifiSSID, key: record.wifiKey,
                                          setsWiFi: record.setsWiFi)
            switch record.credit {
            case .notApplied:
                break
            case .applied:
                order.creditAlreadyApplied = true
            case .pending(let voucherID, let state):
                // Its voucher may have reached the operator: nothing more is bought, nor any Wi-Fi set, until it is settled.
                let message = "Voucher \(voucherID) of order \(record.id) is \(state.rawValue): no other voucher is used until "
                    + "it is settled (plug the device back in to check the balance, or settle it by hand)."
                status.failure = FailureInfo(code: .voucherUnsettled, message: message)
                await update(state: .failed, step: "reserve", message: message, kind: "state")
                return
            }
            await provision(identity, order: order, workflow: workflow)
        }
    }

    /// The workflow for one run, recording as `actor`, under the configuration in force now (a reload reaches the
    /// next run) with the PINs a technician asked the station to remember.
    private func makeWorkflow(actor: Int?) -> ProvisioningWorkflow {
        var policy = dependencies.config.current.policy
        policy.simPINs.merge(dependencies.rememberedPINs.all) { configured, _ in configured }
        return ProvisioningWorkflow(driver: dependencies.driver,
                                    recorder: LedgerRecorder(ledger: dependencies.ledger, actor: actor, port: port),
                                    policy: policy, keys: dependencies.keys,
                                    progress: { [weak self] progress in await self?.observe(progress) })
    }

    /// The configured plan of this name, as the configuration is now.
    private func plan(named name: String) -> Plan? { dependencies.config.current.plan(named: name) }

    /// After every identification attempt (nil identity: it failed), before the ledger decides anything: settles the
    /// SIM's unknown vouchers by balance, then tells the station (its stable id, start-up's wait).
    private func identificationEnded(_ identity: DeviceIdentity?) async {
        await VoucherSettler(ledger: dependencies.ledger, config: dependencies.config.current, logger: logger)
            .settle(identity: identity, driver: dependencies.driver)
        await dependencies.host?.identificationEnded(sessionID: id, identity: identity)
    }

    private func provision(_ identity: DeviceIdentity, order: ProvisioningOrder, workflow: ProvisioningWorkflow) async {
        status.plan = order.plan.name
        status.failure = nil
        if order.setsWiFi { status.wifi = nil }
        await update(state: .provisioning, step: nil, message: "provisioning with plan \(order.plan.name)", kind: "state")
        let report = await workflow.provision(identity, order: order)
        status.provisioningID = report.provisioningID
        status.operatorName = report.operatorName ?? status.operatorName
        if let after = report.balanceAfterMB { status.balanceMB = after }
        if let wifi = report.wifi {
            status.wifi = WiFiInfo(ssid: wifi.ssid, key: wifi.key, qrPayload: WiFiQRPayload.make(ssid: wifi.ssid, key: wifi.key))
        }
        switch report.outcome {
        case .succeeded:
            logger.info("provisioning succeeded", metadata: ["device.id": "\(id)", "provisioning.id": "\(report.provisioningID)"])
            await update(state: .done, step: nil, message: "ready to hand over", kind: "state")
        case .failed(let failure):
            logger.warning("provisioning failed", metadata: ["device.id": "\(id)", "provisioning.id": "\(report.provisioningID)",
                                                           "failure.code": "\(failure.code)", "failure.step": "\(failure.step.rawValue)"])
            status.failure = FailureInfo(code: failure.code, message: failure.message)
            let gone = failure.code == .deviceGone
            await update(state: gone ? .gone : .failed, step: failure.step.rawValue, message: failure.message,
                         kind: gone ? "gone" : "state")
        }
    }

    /// Shows what the ledger says the SIM received: its last order and the Wi-Fi that run set (the card handed over).
    private func showServed(_ service: SIMService) {
        status.failure = nil
        status.orderID = service.lastFulfilled?.id
        if let run = service.lastServedBy {
            status.provisioningID = run.id
            status.plan = service.lastFulfilled?.plan ?? run.plan
            // The Wi-Fi belongs to the device that run configured; another hotspot holding this SIM keeps its own.
            if run.deviceIMEI == identity?.deviceKey, let ssid = run.wifiSSID, let key = run.wifiKey {
                status.wifi = WiFiInfo(ssid: ssid, key: key, qrPayload: WiFiQRPayload.make(ssid: ssid, key: key))
            }
        }
    }

    /// What a gone session hands to the session of the same device plugged back in.
    struct Replug: Sendable {
        var previousID: String
        var status: DeviceStatus
        var state: DeviceState
    }

    /// The state the device was in when it was lost (the run's step or the idle state), whoever noticed the loss
    /// first: the run, the port's end or the unplug; nil while it is connected.
    func stateWhenGone() -> DeviceState? { status.state == .gone ? stateWhenLost : nil }

    /// This session's record for a re-plug, once it is gone.
    func replugRecord() -> Replug? {
        guard status.state == .gone, let before = stateBeforeGone else { return nil }
        let state: DeviceState = [.done, .failed, .awaitingPlan].contains(before) ? before : .failed
        return Replug(previousID: id, status: status, state: state)
    }

    /// Carries the earlier session's last figures over to this port; the ledger then decides what the SIM is owed.
    private func adopt(_ previous: Replug) {
        status.plan = previous.status.plan
        status.provisioningID = previous.status.provisioningID
        status.balanceMB = previous.status.balanceMB
        status.wifi = previous.status.wifi
        status.operatorName = previous.status.operatorName ?? status.operatorName
        status.orderID = previous.status.orderID
        logger.info("device plugged back in", metadata: ["device.id": "\(id)", "device.previousID": "\(previous.previousID)"])
    }

    private func observe(_ progress: ProvisioningProgress) async {
        switch progress {
        case .identified(let identity):
            status.manufacturer = identity.manufacturer
            status.model = identity.model
            status.firmware = identity.firmware
            status.imei = identity.imei?.digits
            status.iccid = identity.iccid?.digits
            status.iccidLuhnValid = identity.iccid?.luhnValid
            status.imsi = identity.imsi?.digits
            status.simState = identity.pinState?.code
            status.imeiLuhnValid = identity.imei?.luhnValid
            status.pinTriesLeft = identity.pinTriesLeft
            status.identifiedBy = identity.imei != nil ? nil : (identity.iccid != nil ? "iccid" : "hardware")
            status.unreadable = identity.unreadable.isEmpty ? nil : identity.unreadable
            status.role = identity.hasWiFi ? .hotspot : .modem
            status.updatedAt = Date()
        case .step(let step, let stepStatus, let message):
            status.step = step.rawValue
            status.updatedAt = Date()
            await events.publish(StationEvent(kind: "step", deviceID: id, state: status.state, step: step.rawValue,
                                              status: stepStatus.rawValue, message: message, at: status.updatedAt))
        }
    }

    private func update(state: DeviceState, step: String?, message: String?, kind: String) async {
        if state == .gone, status.state != .gone, stateWhenLost == nil { stateWhenLost = status.state }
        status.state = state
        status.step = step
        status.updatedAt = Date()
        await events.publish(StationEvent(kind: kind, deviceID: id, state: state, step: step, message: message,
                                          at: status.updatedAt))
    }
}

/// Everything a device session works with, given as one value by the station that creates it (`Station.addSession`):
/// its device, the ledger it records in, the configuration in force, where it publishes, and the one way back to
/// the station (`host`).
struct DeviceSessionDependencies: Sendable {
    /// The device's driver: identity, PIN entry, USSD, the Wi-Fi store.
    var driver: any DeviceDriver
    /// Closes the device's connection (unplug, shutdown).
    var closeDevice: @Sendable () async -> Void
    /// The ledger each run records in (through a `LedgerRecorder` carrying the run's caller and the port), and where
    /// the daemon's handling of the device is counted (the quarantine).
    var ledger: Ledger
    /// The configuration in force, read at each use: a reload reaches sessions already attached.
    var config: LiveConfig
    /// Makes Wi-Fi keys for new orders.
    var keys: WiFiKeyGenerator
    /// SIM PINs a technician asked the station to remember (`unlock --remember`), merged under the configured ones.
    var rememberedPINs: RememberedPINs
    /// Where state changes and steps are published (watchers, the counter's status line and hooks).
    var events: EventHub
    /// The device's logger (its metadata names the device).
    var logger: Logger
    /// Whether this session may take the place of a gone session of the same device (a re-plug): asked of `host`
    /// after the first identification.
    var followsReplug: Bool
    /// The station the session belongs to; weak, so a session never keeps a stopped station alive.
    weak var host: (any DeviceSessionHost)?
}

/// What a device session tells the station it belongs to, and the one thing it asks of it.
protocol DeviceSessionHost: AnyObject, Sendable {
    /// An identification attempt of session `sessionID` ended (nil: it failed, or the device is not probed) and its
    /// SIM's unknown vouchers were checked by balance.
    func identificationEnded(sessionID: String, identity: DeviceIdentity?) async
    /// Finds the gone session of the same device (IMEI and ICCID) whose place session `newID` takes, and hands over
    /// its last figures.
    func takeOverGoneSession(newID: String, identity: DeviceIdentity) async -> DeviceSession.Replug?
}
