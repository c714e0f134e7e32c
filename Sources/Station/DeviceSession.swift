import ATProtocol
import Foundation
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
    private let channel: any DeviceChannel
    private let makeWorkflow: @Sendable (_ actor: Int?, _ progress: @escaping ProgressSink) -> ProvisioningWorkflow
    private let events: EventHub
    private let logger: Logger
    private let closeChannel: @Sendable () async -> Void
    /// Runs after every identification attempt (nil identity: it failed), before any provisioning; true when it
    /// settled one of the SIM's unknown vouchers as applied, so this run must not buy the credit again.
    private let afterIdentify: @Sendable (_ identity: DeviceIdentity?) async -> Bool
    /// Discovery only: after the first identification, finds the gone session of the same device (IMEI and ICCID)
    /// whose place this one takes; its last state is shown instead of provisioning by policy.
    private let replugCheck: (@Sendable (_ identity: DeviceIdentity) async -> Replug?)?
    private var replugChecked = false
    /// The state the device was in when it went away (what a re-plug shows).
    private var stateBeforeGone: DeviceState?
    /// The state it had when its loss was first noticed (by `markGone` or by the run): what the unplug event says.
    private var stateWhenLost: DeviceState?

    private var status: DeviceStatus
    private var identity: DeviceIdentity?
    private var run: Task<Void, Never>?
    /// ICCIDs whose credit an earlier run applied before failing later (Wi-Fi, verify): a retry skips the money.
    private var creditApplied: Set<String> = []

    init(id: String, port: String, channel: any DeviceChannel, events: EventHub, logger: Logger,
         closeChannel: @escaping @Sendable () async -> Void,
         afterIdentify: @escaping @Sendable (_ identity: DeviceIdentity?) async -> Bool = { _ in false },
         replugCheck: (@Sendable (_ identity: DeviceIdentity) async -> Replug?)? = nil,
         makeWorkflow: @escaping @Sendable (_ actor: Int?, _ progress: @escaping ProgressSink) -> ProvisioningWorkflow) {
        self.id = id
        self.port = port
        self.channel = channel
        self.events = events
        self.logger = logger
        self.closeChannel = closeChannel
        self.afterIdentify = afterIdentify
        self.replugCheck = replugCheck
        self.makeWorkflow = makeWorkflow
        self.status = DeviceStatus(id: id, port: port, state: .connecting, updatedAt: Date())
    }

    /// The status with full values; callers redact.
    func snapshot() -> DeviceStatus { status }

    /// The identity read from the device, once known.
    func currentIdentity() -> DeviceIdentity? { identity }

    /// Whether a run is under way.
    var isBusy: Bool { run != nil }

    /// Identifies the device, then provisions it with `order` if one is given (policy), else waits for a technician.
    func start(order: ProvisioningOrder?) {
        guard run == nil else { return }
        run = Task { await self.identifyThenProvision(order: order, actor: nil) }
    }

    /// Starts (or retries) provisioning on a technician's request.
    func requestProvisioning(order: ProvisioningOrder, actor: Int?) throws(StationError) {
        guard run == nil else {
            throw StationError(status: 409, code: "device-busy", message: "Device \(id) is busy (\(status.state.rawValue)).")
        }
        guard status.state != .gone else {
            throw StationError(status: 409, code: "device-gone", message: "Device \(id) is no longer connected.")
        }
        // Whether the SIM's credit is already applied is decided by the run, after it has identified the SIM now in
        // the device (the one the request saw may have been swapped since).
        run = Task { await self.identifyThenProvision(order: order, actor: actor) }
    }

    /// Waits for the current run to end (tests, shutdown).
    func waitUntilIdle() async {
        while let task = run {
            await task.value
            if run == task { run = nil }
        }
    }

    /// Someone settled this SIM's unknown voucher as applied: its next run skips the money steps (no second top-up).
    func noteCreditApplied(iccid: String) {
        if identity?.iccid?.digits == iccid { creditApplied.insert(iccid) }
    }

    /// Marks the device gone and stops its run; the channel is closed.
    func markGone(reason: String) async {
        guard status.state != .gone || run != nil else { return }
        if status.state != .gone, stateWhenLost == nil { stateWhenLost = status.state }
        run?.cancel()
        await closeChannel()
        // Let the run record how it ended (an in-flight voucher becomes unknown) before the state says gone.
        await waitUntilIdle()
        stateBeforeGone = status.state
        await update(state: .gone, step: status.step, message: reason, kind: "gone")
    }

    private func identifyThenProvision(order: ProvisioningOrder?, actor: Int?) async {
        defer { run = nil }
        let workflow = makeWorkflow(actor) { [weak self] progress in
            await self?.observe(progress)
        }
        if identity == nil || order != nil {
            await update(state: .identifying, step: "identify", message: "reading the device", kind: "state")
            do {
                identity = try await workflow.identify()
            } catch {
                logger.warning("identification failed", metadata: ["device.id": "\(id)", "failure.code": "\(error.code)"])
                status.failure = FailureInfo(code: error.code, message: error.message)
                let gone = error.code == "device-gone"
                await update(state: gone ? .gone : .failed, step: "identify", message: error.message,
                             kind: gone ? "gone" : "state")
                _ = await afterIdentify(nil)
                return
            }
            if await afterIdentify(identity), let iccid = identity?.iccid?.digits {
                creditApplied.insert(iccid)
            }
        }
        guard let identity else { return }
        if let replugCheck, !replugChecked {
            replugChecked = true
            if let previous = await replugCheck(identity) {
                await adopt(previous)
                return
            }
        }
        guard var order else {
            await update(state: .awaitingPlan, step: nil, message: "waiting for a technician to choose a plan", kind: "state")
            return
        }
        if let iccid = identity.iccid?.digits, creditApplied.contains(iccid) {
            order.creditAlreadyApplied = true
        }
        status.plan = order.plan.name
        status.failure = nil
        status.wifi = nil
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
            if let iccid = identity.iccid?.digits { creditApplied.remove(iccid) }
            logger.info("provisioning succeeded", metadata: ["device.id": "\(id)", "provisioning.id": "\(report.provisioningID)"])
            await update(state: .done, step: nil, message: "ready to hand over", kind: "state")
        case .failed(let failure):
            if report.creditApplied, let iccid = identity.iccid?.digits { creditApplied.insert(iccid) }
            logger.warning("provisioning failed", metadata: ["device.id": "\(id)", "provisioning.id": "\(report.provisioningID)",
                                                           "failure.code": "\(failure.code)", "failure.step": "\(failure.step.rawValue)"])
            status.failure = FailureInfo(code: failure.code, message: failure.message)
            let gone = failure.code == "device-gone"
            await update(state: gone ? .gone : .failed, step: failure.step.rawValue, message: failure.message,
                         kind: gone ? "gone" : "state")
        }
    }

    /// What a gone session hands to the session of the same device plugged back in.
    struct Replug: Sendable {
        var previousID: String
        var status: DeviceStatus
        var state: DeviceState
        var creditApplied: Set<String>
    }

    /// The state the device was in when it was lost (the run's step or the idle state), whoever noticed the loss
    /// first: the run, the port's end or the unplug; nil while it is connected.
    func stateWhenGone() -> DeviceState? { status.state == .gone ? stateWhenLost : nil }

    /// This session's record for a re-plug, once it is gone.
    func replugRecord() -> Replug? {
        guard status.state == .gone, let before = stateBeforeGone else { return nil }
        let state: DeviceState = [.done, .failed, .awaitingPlan].contains(before) ? before : .failed
        return Replug(previousID: id, status: status, state: state, creditApplied: creditApplied)
    }

    /// Shows the earlier session's last state on this port; a technician resumes with a provision request.
    private func adopt(_ previous: Replug) async {
        creditApplied.formUnion(previous.creditApplied)
        status.plan = previous.status.plan
        status.provisioningID = previous.status.provisioningID
        status.balanceMB = previous.status.balanceMB
        status.wifi = previous.status.wifi
        status.failure = previous.status.failure
        status.operatorName = previous.status.operatorName ?? status.operatorName
        logger.info("device plugged back in", metadata: ["device.id": "\(id)", "device.previousID": "\(previous.previousID)"])
        await update(state: previous.state, step: previous.status.step,
                     message: "plugged back in (was \(previous.previousID) on \(previous.status.port)); last state \(previous.state.rawValue)",
                     kind: "state")
    }

    private func observe(_ progress: ProvisioningProgress) async {
        switch progress {
        case .identified(let identity):
            status.manufacturer = identity.manufacturer
            status.model = identity.model
            status.firmware = identity.firmware
            status.imei = identity.imei.digits
            status.iccid = identity.iccid?.digits
            status.iccidLuhnValid = identity.iccid?.luhnValid
            status.imsi = identity.imsi?.digits
            status.simState = identity.pinState?.code
            status.role = identity.dialect.hasWiFi ? .hotspot : .modem
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

/// An error the API returns: an HTTP status, a stable code and a sentence.
public struct StationError: Error, Sendable, Equatable {
    /// The HTTP status.
    public var status: Int
    /// Stable code.
    public var code: String
    /// A sentence for people.
    public var message: String
    /// Creates an error.
    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }
}
