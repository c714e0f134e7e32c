import ATProtocol
import DeviceCatalog
import FailureCodes

/// Settings the workflow needs from configuration.
public struct ProvisioningPolicy: Sendable {
    /// Operator profiles, matched by the IMSI's MCC+MNC.
    public var operators: [OperatorProfile]
    /// How Wi-Fi names and keys are made.
    public var wifi: WiFiPolicy
    /// SIM PINs by ICCID, for SIMs that arrive locked.
    public var simPINs: [String: String]
    /// A PIN tried on any locked SIM without its own entry (many charity SIMs share the issuer's default).
    public var defaultPIN: String?

    /// Creates a policy.
    public init(operators: [OperatorProfile], wifi: WiFiPolicy, simPINs: [String: String] = [:], defaultPIN: String? = nil) {
        self.operators = operators
        self.wifi = wifi
        self.simPINs = simPINs
        self.defaultPIN = defaultPIN
    }

    /// The operator serving an IMSI.
    public func operatorProfile(for imsi: String) -> OperatorProfile? {
        operators.first { $0.serves(imsi: imsi) }
    }
}

/// The provisioning workflow: identify a device, then credit its SIM and set its Wi-Fi, recording every step.
///
/// Pure logic over three seams (`DeviceDriver`, `ProvisioningRecorder`, `ProgressSink`); it owns no port, file or
/// clock, and speaks no device protocol: the driver reads and writes the device (AT, a web API, a card reader).
/// Every device exchange has a deadline from the driver or the operator profile. The money rule: the voucher's
/// `sending` row is committed before the USSD command is written, and any reply that is not a clear acceptance or a
/// clear refusal leaves the voucher `unknown`, never sent again by this code.
public struct ProvisioningWorkflow: Sendable {
    private let driver: any DeviceDriver
    private let recorder: any ProvisioningRecorder
    private let policy: ProvisioningPolicy
    private let progress: ProgressSink
    private let keys: WiFiKeyGenerator

    /// Creates a workflow for one device.
    public init(driver: any DeviceDriver, recorder: any ProvisioningRecorder, policy: ProvisioningPolicy,
                keys: WiFiKeyGenerator = WiFiKeyGenerator(), progress: @escaping ProgressSink = { _ in }) {
        self.driver = driver
        self.recorder = recorder
        self.policy = policy
        self.progress = progress
        self.keys = keys
    }

    // MARK: - Identify

    /// Reads the device's identity through its driver; unlocks the SIM when its PIN is known (one attempt) and then
    /// reads the IMSI.
    ///
    /// Throws when nothing identifies the device (no IMEI, no ICCID, no hardware name): the station cannot file it.
    public func identify() async throws(ProvisioningFailure) -> DeviceIdentity {
        await progress(.step(.identify, .started, message: nil))
        var identity: DeviceIdentity
        do {
            identity = try await driver.identify()
        } catch {
            throw fail(.identify, error.code, error.message)
        }
        guard identity.deviceKey != nil else {
            let why = identity.unreadable["imei"] ?? "the device gave no IMEI"
            throw fail(.identify, .imeiUnreadable, "The device could not be identified: \(why), and no SIM ICCID was read.")
        }
        // A configured PIN is tried automatically only on a SIM that has not lost a try: a wrong configured PIN must
        // not spend one try per plug-in until the SIM is blocked (a person's `unlock` is the way on from there).
        if identity.pinState == .simPIN, let iccid = identity.iccid, (identity.pinTriesLeft ?? 3) >= 3,
           let pin = policy.simPINs[iccid.digits] ?? policy.defaultPIN {
            do {
                if let state = try await driver.enterPIN(pin) {
                    identity.pinState = state
                    // A refused PIN costs the SIM one try; the device says the new count when it is read again.
                    identity.pinTriesLeft = state == .ready ? nil : identity.pinTriesLeft.map { max(0, $0 - 1) }
                }
                if identity.pinState == .ready {
                    identity.imsi = try await driver.readIMSI()
                    if identity.imsi != nil { identity.unreadable["imsi"] = nil }
                }
            } catch {
                throw fail(.identify, error.code, error.message)
            }
        }
        do {
            try await recorder.recordIdentity(identity)
        } catch {
            throw fail(.identify, error.code, error.message)
        }
        await progress(.identified(identity))
        await progress(.step(.identify, .succeeded, message: nil))
        return identity
    }

    // MARK: - Provision

    /// Runs one provisioning: SIM check, plan and operator, balance, voucher, recharge, confirmation, Wi-Fi, read-back.
    ///
    /// Never throws: every failure is recorded and returned in the report. A ledger failure before the money steps
    /// stops the run; once `sending` is committed the run only moves the voucher forward.
    public func provision(_ identity: DeviceIdentity, order: ProvisioningOrder) async -> ProvisioningReport {
        let provisioningID: Int64
        do {
            provisioningID = try await recorder.startProvisioning(identity: identity, order: order)
        } catch {
            let failure = ProvisioningFailure(step: .plan, code: error.code, message: error.message)
            await progress(.step(.plan, .failed, message: failure.message))
            return ProvisioningReport(provisioningID: 0, outcome: .failed(failure), creditApplied: false,
                                      balanceBeforeMB: nil, balanceAfterMB: nil, wifi: nil, operatorName: nil)
        }
        var run = Run(id: provisioningID)
        let outcome: ProvisioningOutcome
        do {
            try await runSteps(identity, order: order, run: &run)
            outcome = .succeeded
        } catch {
            outcome = .failed(error)
        }
        do {
            try await recorder.finish(provisioningID, outcome: outcome, wifi: run.wifi)
        } catch {
            // The run's steps are recorded; only its closing row is missing. Report it, do not hide it.
            let failure = ProvisioningFailure(step: .verify, code: error.code, message: error.message)
            return run.report(outcome: .failed(failure))
        }
        return run.report(outcome: outcome)
    }

    private struct Run {
        var id: Int64
        var creditApplied = false
        var balanceBefore: Int?
        var balanceAfter: Int?
        var wifi: WiFiSettings?
        var operatorName: String?

        func report(outcome: ProvisioningOutcome) -> ProvisioningReport {
            ProvisioningReport(provisioningID: id, outcome: outcome, creditApplied: creditApplied,
                               balanceBeforeMB: balanceBefore, balanceAfterMB: balanceAfter, wifi: wifi,
                               operatorName: operatorName)
        }
    }

    private func runSteps(_ identity: DeviceIdentity, order: ProvisioningOrder, run: inout Run) async throws(ProvisioningFailure) {
        // SIM: present, unlocked, identified.
        try await begin(.sim, run)
        guard let iccid = identity.iccid else {
            throw try await failStep(.sim, run, .simUnreadable, "The SIM's ICCID could not be read: is a SIM inserted?")
        }
        switch identity.pinState {
        case .ready?:
            break
        case .simPIN?:
            throw try await failStep(.sim, run, .simPINRequired, "The SIM is PIN-locked and no PIN is configured for it.")
        case .simPUK?:
            throw try await failStep(.sim, run, .simPUKRequired, "The SIM is PUK-blocked: it needs its PUK from the operator.")
        case .other(let text)?:
            throw try await failStep(.sim, run, .simNotReady, "The SIM is not ready (\(text)).")
        case nil, .simPIN2?, .simPUK2?, .phoneSIMPIN?:
            throw try await failStep(.sim, run, .simNotReady, "The SIM did not report a ready state.")
        }
        guard let imsi = identity.imsi else {
            throw try await failStep(.sim, run, .imsiUnreadable, "The SIM did not give its IMSI.")
        }
        try await succeed(.sim, run, ["iccid.luhn": iccid.luhnValid ? "valid" : "invalid"])

        // Plan and operator.
        try await begin(.plan, run)
        guard let profile = policy.operatorProfile(for: imsi.digits) else {
            throw try await failStep(.plan, run, .noOperatorProfile,
                                     "No operator profile serves MCC \(imsi.mcc) MNC \(imsi.mnc).")
        }
        run.operatorName = profile.name
        // Everything that can be checked is checked before any money moves: a Wi-Fi name or key the hotspot cannot
        // store must not be found out after a voucher is spent.
        var wifiPlan: WiFiSettings?
        let store = identity.hasWiFi ? driver.wifiStore : nil
        if store == nil && order.setsWiFi && (order.ssid != nil || order.key != nil) {
            throw try await failStep(.plan, run, .wifiUnsupported,
                                     "This device has no Wi-Fi to set a name or key on. No voucher was used.")
        }
        if let store, order.setsWiFi {
            let ssid = order.ssid ?? SSIDTemplate.render(policy.wifi.ssidTemplate, iccid: iccid.digits,
                                                         imei: identity.imei?.digits ?? "", model: identity.model)
            let key = order.key ?? keys.makeKey(length: policy.wifi.keyLength)
            let settings = WiFiSettings(ssid: ssid, key: key)
            if let problem = store.problem(with: settings) {
                throw try await failStep(.plan, run, .wifiInvalid,
                                         "The Wi-Fi name or key is not allowed: \(problem). No voucher was used.")
            }
            wifiPlan = settings
        }
        var planDetail = ["plan": order.plan.name, "operator": profile.name]
        planDetail["order"] = order.id.map { String($0) }
        try await succeed(.plan, run, planDetail)

        if order.creditAlreadyApplied {
            for step in [ProvisioningStep.balanceBefore, .reserve, .recharge, .confirm] {
                try await record(step, .skipped, run, ["reason": "the order's credit is already applied"])
            }
        } else if let pending = order.pendingVoucherID {
            throw try await failStep(.reserve, run, .voucherUnsettled,
                                     "Voucher \(pending) of this order is not settled: no other voucher is used until it is "
                                     + "(plug the device back in to check the balance, or settle it by hand).")
        } else {
            try await applyCredit(identity: identity, iccid: iccid, profile: profile, order: order, run: &run)
        }

        guard let wifiPlan, let store else { return }
        try await configureWiFi(wifiPlan, store: store, run: &run)
    }

    // MARK: Money

    private func applyCredit(identity: DeviceIdentity, iccid: ICCID, profile: OperatorProfile, order: ProvisioningOrder,
                             run: inout Run) async throws(ProvisioningFailure) {
        let replyTimeout = Duration.seconds(profile.replyTimeoutSeconds)

        // Balance before: nothing is spent yet, so any failure here is simply a failure.
        try await begin(.balanceBefore, run)
        let before: Int
        switch await readBalance(profile) {
        case .success(let figure):
            before = figure
        case .failure(let failure):
            throw try await failStep(.balanceBefore, run, failure.code, failure.message, failure.detail)
        }
        run.balanceBefore = before
        try await succeed(.balanceBefore, run, ["balance.mb": String(before)])

        // Reserve a voucher of the plan.
        try await begin(.reserve, run)
        let voucher: ReservedVoucher
        do {
            guard let reserved = try await recorder.reserveVoucher(plan: order.plan.name, provisioningID: run.id,
                                                                    iccid: iccid.digits) else {
                throw try await failStep(.reserve, run, .noVoucherAvailable,
                                         "No voucher of plan \(order.plan.name) is available: import more.")
            }
            voucher = reserved
        } catch let error as RecorderError {
            throw try await failStep(.reserve, run, error.code, error.message)
        } catch let failure as ProvisioningFailure {
            throw failure
        } catch {
            throw try await failStep(.reserve, run, .internalFailure, "Unexpected error.")
        }
        try await succeed(.reserve, run, ["voucher.id": String(voucher.id)])

        // Check the request before committing `sending`: a code the wire cannot carry is never marked as sent.
        try await begin(.recharge, run)
        let request = profile.rechargeRequest(code: voucher.code)
        guard driver.canSendUSSD(request) else {
            try? await recorder.releaseVoucher(voucher.id)
            throw try await failStep(.recharge, run, .voucherUnusable,
                                     "Voucher \(voucher.id) cannot be sent as USSD; it was put back.")
        }
        do {
            try await recorder.markSending(voucher.id)
        } catch {
            try? await recorder.releaseVoucher(voucher.id)
            throw try await failStep(.recharge, run, error.code, error.message)
        }

        let reply: USSDReply
        do {
            // A balance reply owed to an earlier request is not this recharge's verdict.
            reply = try await driver.ussd(request, replyTimeout: replyTimeout, redacted: "recharge voucher \(voucher.id)",
                                          accepting: { !profile.looksLikeBalanceReply($0.text ?? "") })
        } catch {
            try await settleUnknown(voucher, run, reason: error.code.rawValue, raw: nil)
            throw try await failStep(.recharge, run, .voucherUnknown,
                                     "The recharge's outcome is unknown (\(error.message)); voucher \(voucher.id) is held for settlement.")
        }
        let raw = reply.rawText ?? ""
        let text = reply.text ?? ""
        switch (reply.status, profile.classifyRecharge(text)) {
        case (0...2, .succeeded) where !text.isEmpty:
            break
        case (0...2, .refused) where !text.isEmpty:
            // A refusal is believed only when the balance agrees: a reply read as refused while the balance rose is a
            // spent voucher (a pattern too wide), and a balance that cannot be read proves nothing either way.
            let check = await readBalance(profile)
            if case .success(let now) = check, now < Self.adding(before, order.plan.megabytes / 2) {
                do {
                    try await recorder.markRejected(voucher.id, rawReply: raw)
                } catch {
                    throw try await failStep(.recharge, run, error.code, error.message)
                }
                throw try await failStep(.recharge, run, .voucherRejected,
                                         "The operator refused voucher \(voucher.id); the balance did not change (\(before) → \(now) MB).",
                                         ["reply": text, "balance.before.mb": String(before), "balance.after.mb": String(now)])
            }
            let why: String
            switch check {
            case .success(let now): why = "refusal read while the balance rose from \(before) to \(now) MB"
            case .failure(let failure): why = "refusal read but the balance could not be checked (\(failure.message))"
            }
            try await settleUnknown(voucher, run, reason: why, raw: raw)
            throw try await failStep(.recharge, run, .voucherUnknown,
                                     "The operator's reply reads as a refusal but the balance does not confirm it (\(why)); "
                                     + "voucher \(voucher.id) is held for settlement.", ["reply": text])
        default:
            try await settleUnknown(voucher, run, reason: "unclear reply (status \(reply.status))", raw: raw)
            throw try await failStep(.recharge, run, .voucherUnknown,
                                     "The operator's reply was unclear; voucher \(voucher.id) is held for settlement.",
                                     ["reply": text])
        }
        try await succeed(.recharge, run, ["reply": text])

        // Confirm by a second balance query. The operator already accepted: the voucher is spent either way.
        try await begin(.confirm, run)
        var after: Int?
        var goneDuringConfirm = false
        switch await readBalance(profile) {
        case .success(let figure): after = figure
        case .failure(let failure): goneDuringConfirm = failure.code == .deviceGone
        }
        do {
            try await recorder.markApplied(voucher.id, balanceBeforeMB: before, balanceAfterMB: after, rawReply: raw)
        } catch {
            throw try await failStep(.confirm, run, error.code, error.message)
        }
        run.creditApplied = true
        run.balanceAfter = after
        if goneDuringConfirm {
            throw try await failStep(.confirm, run, .deviceGone,
                                     "The recharge was accepted; the device went away before the new balance was read.")
        }
        guard let after else {
            throw try await failStep(.confirm, run, .balanceUnconfirmed,
                                     "The recharge was accepted but the new balance could not be read.")
        }
        guard after >= Self.adding(before, order.plan.megabytes) else {
            throw try await failStep(.confirm, run, .balanceNotIncreased,
                                     "The recharge was accepted but the balance went from \(before) to \(after) MB.",
                                     ["balance.before.mb": String(before), "balance.after.mb": String(after)])
        }
        try await succeed(.confirm, run, ["balance.before.mb": String(before), "balance.after.mb": String(after)])
    }

    /// Why a balance could not be read: a stable code, a sentence and what to record.
    private struct BalanceFailure: Error {
        var code: FailureCode
        var message: String
        var detail: [String: String] = [:]
    }

    /// One balance query through the operator profile, read with bounds: a figure out of range or not a number is a
    /// typed failure, never a trap. A recharge verdict owed to an earlier request is not taken as the balance.
    private func readBalance(_ profile: OperatorProfile) async -> Result<Int, BalanceFailure> {
        let reply: USSDReply
        do {
            reply = try await driver.ussd(profile.balanceCode, replyTimeout: .seconds(profile.replyTimeoutSeconds),
                                          redacted: nil, accepting: { profile.couldAnswerBalance($0.text ?? "") })
        } catch {
            return .failure(BalanceFailure(code: error.code, message: error.message))
        }
        do {
            return .success(try profile.readBalance(in: reply.text ?? ""))
        } catch {
            let message = "The balance reply could not be read: \(error)."
            return .failure(BalanceFailure(code: .balanceUnreadable, message: message,
                                           detail: ["reply": String((reply.text ?? "").prefix(160))]))
        }
    }

    /// `a + b`, saturating instead of trapping (figures come from devices and configuration).
    static func adding(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? Int.max : Int.min) : sum
    }

    private func settleUnknown(_ voucher: ReservedVoucher, _ run: Run, reason: String, raw: String?) async throws(ProvisioningFailure) {
        do {
            try await recorder.markUnknown(voucher.id, reason: reason, rawReply: raw)
        } catch {
            throw try await failStep(.recharge, run, error.code, error.message)
        }
    }

    // MARK: Wi-Fi

    private func configureWiFi(_ wifi: WiFiSettings, store: any WiFiStore, run: inout Run) async throws(ProvisioningFailure) {
        try await begin(.wifi, run)
        do {
            try await store.write(wifi)
        } catch {
            throw try await failStep(.wifi, run, error.code, error.message)
        }
        run.wifi = wifi
        try await succeed(.wifi, run, ["ssid": wifi.ssid])

        try await begin(.verify, run)
        let stored: WiFiReadBack
        do {
            stored = try await store.readBack()
        } catch {
            throw try await failStep(.verify, run, error.code, error.message)
        }
        guard stored.ssid == wifi.ssid else {
            throw try await failStep(.verify, run, .wifiReadbackMismatch, "The hotspot does not report the Wi-Fi name just set.")
        }
        guard !stored.keyReadable || stored.key == wifi.key else {
            throw try await failStep(.verify, run, .wifiReadbackMismatch, "The hotspot does not report the Wi-Fi key just set.")
        }
        var detail = ["ssid": wifi.ssid]
        if !stored.keyReadable { detail["key.readback"] = "this device does not report its key" }
        try await succeed(.verify, run, detail)
    }

    // MARK: - Recording helpers

    private func fail(_ step: ProvisioningStep, _ code: FailureCode, _ message: String) -> ProvisioningFailure {
        ProvisioningFailure(step: step, code: code, message: message)
    }

    private func record(_ step: ProvisioningStep, _ status: StepStatus, _ run: Run,
                        _ detail: [String: String] = [:]) async throws(ProvisioningFailure) {
        do {
            try await recorder.recordStep(run.id, step: step, status: status, detail: detail)
        } catch {
            throw fail(step, error.code, error.message)
        }
        await progress(.step(step, status, message: detail["message"]))
    }

    private func begin(_ step: ProvisioningStep, _ run: Run) async throws(ProvisioningFailure) {
        try await record(step, .started, run)
    }

    private func succeed(_ step: ProvisioningStep, _ run: Run, _ detail: [String: String] = [:]) async throws(ProvisioningFailure) {
        try await record(step, .succeeded, run, detail)
    }

    /// Records a failed step and returns the failure to throw.
    private func failStep(_ step: ProvisioningStep, _ run: Run, _ code: FailureCode, _ message: String,
                          _ detail: [String: String] = [:]) async throws(ProvisioningFailure) -> ProvisioningFailure {
        var detail = detail
        detail["code"] = code.rawValue
        detail["message"] = message
        try await record(step, .failed, run, detail)
        return fail(step, code, message)
    }}
