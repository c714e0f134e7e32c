import ATProtocol
import DeviceCatalog

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
    /// Device dialects.
    public var dialects: DialectCatalog

    /// Creates a policy.
    public init(operators: [OperatorProfile], wifi: WiFiPolicy, simPINs: [String: String] = [:],
                defaultPIN: String? = nil, dialects: DialectCatalog = DialectCatalog()) {
        self.operators = operators
        self.wifi = wifi
        self.simPINs = simPINs
        self.defaultPIN = defaultPIN
        self.dialects = dialects
    }

    /// The operator serving an IMSI.
    public func operatorProfile(for imsi: String) -> OperatorProfile? {
        operators.first { $0.serves(imsi: imsi) }
    }
}

/// The provisioning workflow: identify a device, then credit its SIM and set its Wi-Fi, recording every step.
///
/// Pure logic over three seams (`DeviceChannel`, `ProvisioningRecorder`, `ProgressSink`); it owns no port, file or
/// clock. Every device exchange has a deadline from the dialect or the operator profile. The money rule: the voucher's
/// `sending` row is committed before the USSD command is written, and any reply that is not a clear acceptance or a
/// clear refusal leaves the voucher `unknown`, never sent again by this code.
public struct ProvisioningWorkflow: Sendable {
    private let channel: any DeviceChannel
    private let recorder: any ProvisioningRecorder
    private let policy: ProvisioningPolicy
    private let progress: ProgressSink
    private let keys: WiFiKeyGenerator

    /// Creates a workflow for one device.
    public init(channel: any DeviceChannel, recorder: any ProvisioningRecorder, policy: ProvisioningPolicy,
                keys: WiFiKeyGenerator = WiFiKeyGenerator(), progress: @escaping ProgressSink = { _ in }) {
        self.channel = channel
        self.recorder = recorder
        self.policy = policy
        self.progress = progress
        self.keys = keys
    }

    // MARK: - Identify

    /// Reads maker, model, firmware, IMEI, ICCID and SIM state; unlocks the SIM when its PIN is known; reads the IMSI.
    ///
    /// Throws when the device cannot be identified at all (no IMEI): without an IMEI the station cannot file it.
    public func identify() async throws(ProvisioningFailure) -> DeviceIdentity {
        await progress(.step(.identify, .started, message: nil))
        // Before the model is known, the dialect for "any device" applies: a configured catch-all (its deadlines,
        // its set-up) before the built-in generic one. Its set-up (echo off, numeric errors) comes before anything
        // else; a device that refuses it is still usable.
        let generic = policy.dialects.dialect(manufacturer: nil, model: nil)
        for command in generic.setupCommands {
            _ = try await optional(command, timeout: generic.timeout("default"))
        }
        let manufacturer = try await optionalText("AT+CGMI", prefix: "+CGMI", timeout: generic.timeout("identity"))
        let model = try await optionalText("AT+CGMM", prefix: "+CGMM", timeout: generic.timeout("identity"))
        let firmware = try await optionalText("AT+CGMR", prefix: "+CGMR", timeout: generic.timeout("identity"))
        let dialect = policy.dialects.dialect(manufacturer: manufacturer, model: model)
        for command in dialect.setupCommands where !generic.setupCommands.contains(command) {
            _ = try await optional(command, timeout: dialect.timeout("default"))
        }

        let imeiReply = try await exchange("AT+CGSN", step: .identify, timeout: dialect.timeout("identity"))
        let imei: IMEI
        do {
            imei = try ATParse.imei(imeiReply.lines)
        } catch {
            throw fail(.identify, "imei-unreadable", "The device did not give a valid IMEI (\(describe(error))).")
        }

        var identity = DeviceIdentity(manufacturer: manufacturer, model: model, firmware: firmware, imei: imei,
                                      iccid: nil, imsi: nil, pinState: nil, dialect: dialect)
        identity.iccid = try await readICCID(dialect: dialect)
        identity.pinState = try await readPINState(dialect: dialect)
        if let state = identity.pinState, state == .simPIN, let iccid = identity.iccid,
           let pin = policy.simPINs[iccid.digits] ?? policy.defaultPIN {
            identity.pinState = try await unlock(pin: pin, dialect: dialect) ?? state
        }
        if identity.pinState == .ready, let reply = try await optional("AT+CIMI", timeout: dialect.timeout("identity")), reply.isOK {
            identity.imsi = try? ATParse.imsi(reply.lines)
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

    /// A command whose failure identification survives (a missing answer is a missing field), except that the device
    /// going away ends identification as `device-gone`: an unplug must not read as an unreadable field.
    private func optional(_ command: String, timeout: Duration, redacted: String? = nil) async throws(ProvisioningFailure) -> ATResponse? {
        do {
            return try await channel.execute(command, timeout: timeout, redacted: redacted)
        } catch .deviceGone {
            throw fail(.identify, "device-gone", "The device went away while it was being read.")
        } catch .closed {
            throw fail(.identify, "device-gone", "The device's port was closed while it was being read.")
        } catch {
            return nil
        }
    }

    private func optionalText(_ command: String, prefix: String, timeout: Duration) async throws(ProvisioningFailure) -> String? {
        guard let reply = try await optional(command, timeout: timeout), reply.isOK else { return nil }
        return try? ATParse.identityText(reply.lines, prefix: prefix)
    }

    private func readICCID(dialect: DeviceDialect) async throws(ProvisioningFailure) -> ICCID? {
        for form in dialect.iccidCommands {
            // Some SIMs answer the first READ BINARY with an error and the second with data.
            let attempts = form == .crsm ? 2 : 1
            for _ in 0..<attempts {
                guard let reply = try await optional(form.command, timeout: dialect.timeout("iccid")), reply.isOK else { continue }
                let parsed = form == .crsm ? try? ATParse.iccidFromCRSM(reply.lines) : try? ATParse.iccid(reply.lines)
                if let parsed { return parsed }
            }
        }
        return nil
    }

    private func readPINState(dialect: DeviceDialect) async throws(ProvisioningFailure) -> SIMPinState? {
        guard let reply = try await optional("AT+CPIN?", timeout: dialect.timeout("default")) else { return nil }
        if reply.isOK { return try? ATParse.pinState(reply.lines) }
        if case .cme(let error) = reply.final, error.code == 10 { return .other("SIM NOT INSERTED") }
        return nil
    }

    private func unlock(pin: String, dialect: DeviceDialect) async throws(ProvisioningFailure) -> SIMPinState? {
        guard let command = try? ATCommand.enterPIN(pin) else { return nil }
        guard let reply = try await optional(command, timeout: dialect.timeout("default"), redacted: "AT+CPIN=<pin>"),
              reply.isOK else { return nil }
        return try await readPINState(dialect: dialect)
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
        let dialect = identity.dialect

        // SIM: present, unlocked, identified.
        try await begin(.sim, run)
        guard let iccid = identity.iccid else {
            throw try await failStep(.sim, run, "sim-unreadable", "The SIM's ICCID could not be read: is a SIM inserted?")
        }
        switch identity.pinState {
        case .ready?:
            break
        case .simPIN?:
            throw try await failStep(.sim, run, "sim-pin-required", "The SIM is PIN-locked and no PIN is configured for it.")
        case .simPUK?:
            throw try await failStep(.sim, run, "sim-puk-required", "The SIM is PUK-blocked: it needs its PUK from the operator.")
        case .other(let text)?:
            throw try await failStep(.sim, run, "sim-not-ready", "The SIM is not ready (\(text)).")
        case nil, .simPIN2?, .simPUK2?, .phoneSIMPIN?:
            throw try await failStep(.sim, run, "sim-not-ready", "The SIM did not report a ready state.")
        }
        guard let imsi = identity.imsi else {
            throw try await failStep(.sim, run, "imsi-unreadable", "The SIM did not give its IMSI.")
        }
        try await succeed(.sim, run, ["iccid.luhn": iccid.luhnValid ? "valid" : "invalid"])

        // Plan and operator.
        try await begin(.plan, run)
        guard let profile = policy.operatorProfile(for: imsi.digits) else {
            throw try await failStep(.plan, run, "no-operator-profile",
                                     "No operator profile serves MCC \(imsi.mcc) MNC \(imsi.mnc).")
        }
        run.operatorName = profile.name
        // Everything that can be checked is checked before any money moves: a Wi-Fi name or key the hotspot cannot
        // store must not be found out after a voucher is spent.
        var wifiPlan: WiFiPlan?
        if !dialect.hasWiFi && order.setsWiFi && (order.ssid != nil || order.key != nil) {
            throw try await failStep(.plan, run, "wifi-unsupported",
                                     "This device has no Wi-Fi to set a name or key on. No voucher was used.")
        }
        if dialect.hasWiFi && order.setsWiFi {
            let ssid = order.ssid ?? SSIDTemplate.render(policy.wifi.ssidTemplate, iccid: iccid.digits,
                                                         imei: identity.imei.digits, model: identity.model)
            let key = order.key ?? keys.makeKey(length: policy.wifi.keyLength)
            do {
                wifiPlan = WiFiPlan(ssid: ssid, key: key, ssidCommand: try ATCommand.setSSID(index: 0, ssid: ssid),
                                    keyCommand: try ATCommand.setWPAKey(index: 0, key: key))
            } catch {
                throw try await failStep(.plan, run, "wifi-invalid",
                                         "The Wi-Fi name or key is not allowed: \(describe(error)). No voucher was used.")
            }
        }
        var planDetail = ["plan": order.plan.name, "operator": profile.name]
        planDetail["order"] = order.id.map { String($0) }
        try await succeed(.plan, run, planDetail)

        if order.creditAlreadyApplied {
            for step in [ProvisioningStep.balanceBefore, .reserve, .recharge, .confirm] {
                try await record(step, .skipped, run, ["reason": "the order's credit is already applied"])
            }
        } else if let pending = order.pendingVoucherID {
            throw try await failStep(.reserve, run, "voucher-unsettled",
                                     "Voucher \(pending) of this order is not settled: no other voucher is used until it is "
                                     + "(plug the device back in to check the balance, or settle it by hand).")
        } else {
            try await applyCredit(identity: identity, iccid: iccid, profile: profile, order: order, run: &run)
        }

        guard let wifiPlan else { return }
        try await configureWiFi(wifiPlan, dialect: dialect, run: &run)
    }

    /// The Wi-Fi a run will set, checked and built before the money steps.
    private struct WiFiPlan {
        var ssid: String
        var key: String
        var ssidCommand: String
        var keyCommand: String
    }

    // MARK: Money

    private func applyCredit(identity: DeviceIdentity, iccid: ICCID, profile: OperatorProfile, order: ProvisioningOrder,
                             run: inout Run) async throws(ProvisioningFailure) {
        let dialect = identity.dialect
        let replyTimeout = Duration.seconds(profile.replyTimeoutSeconds)

        // Balance before: nothing is spent yet, so any failure here is simply a failure.
        try await begin(.balanceBefore, run)
        let before: Int
        switch await readBalance(profile, dialect: dialect) {
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
                throw try await failStep(.reserve, run, "no-voucher-available",
                                         "No voucher of plan \(order.plan.name) is available: import more.")
            }
            voucher = reserved
        } catch let error as RecorderError {
            throw try await failStep(.reserve, run, error.code, error.message)
        } catch let failure as ProvisioningFailure {
            throw failure
        } catch {
            throw try await failStep(.reserve, run, "internal", "Unexpected error.")
        }
        try await succeed(.reserve, run, ["voucher.id": String(voucher.id)])

        // Build the command before committing `sending`: a code the wire cannot carry is never marked as sent.
        try await begin(.recharge, run)
        let request = profile.rechargeRequest(code: voucher.code)
        let command: String
        do {
            command = try ATCommand.ussd(request, encoding: dialect.ussdEncoding)
        } catch {
            try? await recorder.releaseVoucher(voucher.id)
            throw try await failStep(.recharge, run, "voucher-unusable",
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
            reply = try await channel.ussd(command: command, dialect: dialect, replyTimeout: replyTimeout,
                                           redacted: "AT+CUSD=1,<recharge voucher \(voucher.id)>,15",
                                           accepting: { !profile.looksLikeBalanceReply($0.text ?? "") })
        } catch {
            try await settleUnknown(voucher, run, reason: error.code, raw: nil)
            throw try await failStep(.recharge, run, "voucher-unknown",
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
            let check = await readBalance(profile, dialect: dialect)
            if case .success(let now) = check, now < Self.adding(before, order.plan.megabytes / 2) {
                do {
                    try await recorder.markRejected(voucher.id, rawReply: raw)
                } catch {
                    throw try await failStep(.recharge, run, error.code, error.message)
                }
                throw try await failStep(.recharge, run, "voucher-rejected",
                                         "The operator refused voucher \(voucher.id); the balance did not change (\(before) → \(now) MB).",
                                         ["reply": text, "balance.before.mb": String(before), "balance.after.mb": String(now)])
            }
            let why: String
            switch check {
            case .success(let now): why = "refusal read while the balance rose from \(before) to \(now) MB"
            case .failure(let failure): why = "refusal read but the balance could not be checked (\(failure.message))"
            }
            try await settleUnknown(voucher, run, reason: why, raw: raw)
            throw try await failStep(.recharge, run, "voucher-unknown",
                                     "The operator's reply reads as a refusal but the balance does not confirm it (\(why)); "
                                     + "voucher \(voucher.id) is held for settlement.", ["reply": text])
        default:
            try await settleUnknown(voucher, run, reason: "unclear reply (status \(reply.status))", raw: raw)
            throw try await failStep(.recharge, run, "voucher-unknown",
                                     "The operator's reply was unclear; voucher \(voucher.id) is held for settlement.",
                                     ["reply": text])
        }
        try await succeed(.recharge, run, ["reply": text])

        // Confirm by a second balance query. The operator already accepted: the voucher is spent either way.
        try await begin(.confirm, run)
        var after: Int?
        var goneDuringConfirm = false
        switch await readBalance(profile, dialect: dialect) {
        case .success(let figure): after = figure
        case .failure(let failure): goneDuringConfirm = failure.code == "device-gone"
        }
        do {
            try await recorder.markApplied(voucher.id, balanceBeforeMB: before, balanceAfterMB: after, rawReply: raw)
        } catch {
            throw try await failStep(.confirm, run, error.code, error.message)
        }
        run.creditApplied = true
        run.balanceAfter = after
        if goneDuringConfirm {
            throw try await failStep(.confirm, run, "device-gone",
                                     "The recharge was accepted; the device went away before the new balance was read.")
        }
        guard let after else {
            throw try await failStep(.confirm, run, "balance-unconfirmed",
                                     "The recharge was accepted but the new balance could not be read.")
        }
        guard after >= Self.adding(before, order.plan.megabytes) else {
            throw try await failStep(.confirm, run, "balance-not-increased",
                                     "The recharge was accepted but the balance went from \(before) to \(after) MB.",
                                     ["balance.before.mb": String(before), "balance.after.mb": String(after)])
        }
        try await succeed(.confirm, run, ["balance.before.mb": String(before), "balance.after.mb": String(after)])
    }

    /// Why a balance could not be read: a stable code, a sentence and what to record.
    private struct BalanceFailure: Error {
        var code: String
        var message: String
        var detail: [String: String] = [:]
    }

    /// One balance query through the operator profile, read with bounds: a figure out of range or not a number is a
    /// typed failure, never a trap. A recharge verdict owed to an earlier request is not taken as the balance.
    private func readBalance(_ profile: OperatorProfile, dialect: DeviceDialect) async -> Result<Int, BalanceFailure> {
        let reply: USSDReply
        do {
            reply = try await channel.ussd(profile.balanceCode, dialect: dialect,
                                           replyTimeout: .seconds(profile.replyTimeoutSeconds), redacted: nil,
                                           accepting: { profile.couldAnswerBalance($0.text ?? "") })
        } catch {
            return .failure(BalanceFailure(code: error.code, message: error.message))
        }
        do {
            return .success(try profile.readBalance(in: reply.text ?? ""))
        } catch {
            let message = "The balance reply could not be read: \(error)."
            return .failure(BalanceFailure(code: "balance-unreadable", message: message,
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

    // MARK: USSD

    // MARK: Wi-Fi

    private func configureWiFi(_ wifi: WiFiPlan, dialect: DeviceDialect, run: inout Run) async throws(ProvisioningFailure) {
        try await begin(.wifi, run)
        try await writeWiFi(wifi.ssidCommand, redacted: nil, dialect: dialect, run: run)
        try await writeWiFi(wifi.keyCommand, redacted: "AT^WIKEY=0,<key>", dialect: dialect, run: run)
        run.wifi = WiFiSettings(ssid: wifi.ssid, key: wifi.key)
        try await succeed(.wifi, run, ["ssid": wifi.ssid])

        try await begin(.verify, run)
        let storedSSID = try await readBack("AT^SSID?", dialect: dialect, run: run) { lines throws(ATParseError) in try ATParse.ssids(lines) }
        guard storedSSID?[0] == wifi.ssid else {
            throw try await failStep(.verify, run, "wifi-readback-mismatch", "The hotspot does not report the Wi-Fi name just set.")
        }
        let storedKey = try await readBack("AT^WIKEY?", dialect: dialect, run: run) { lines throws(ATParseError) in try ATParse.wifiKeys(lines) }
        guard storedKey?[0] == wifi.key else {
            throw try await failStep(.verify, run, "wifi-readback-mismatch", "The hotspot does not report the Wi-Fi key just set.")
        }
        try await succeed(.verify, run, ["ssid": wifi.ssid])
    }

    private func writeWiFi(_ command: String, redacted: String?, dialect: DeviceDialect, run: Run) async throws(ProvisioningFailure) {
        var unlocked = false
        while true {
            let reply: ATResponse
            do {
                reply = try await channel.execute(command, timeout: dialect.timeout("wifi"), redacted: redacted)
            } catch {
                throw try await failStep(.wifi, run, error.failureCode, error.sentence)
            }
            if reply.isOK { return }
            // E5 firmwares answer ERROR while the data lock is on; open it once with the configured code.
            guard !unlocked, let code = policy.wifi.dataLockCode, let open = try? ATCommand.dataLock(code) else {
                throw try await failStep(.wifi, run, "wifi-refused", "The hotspot refused the Wi-Fi setting (\(reply.final.shownText)).")
            }
            unlocked = true
            _ = try? await channel.execute(open, timeout: dialect.timeout("default"), redacted: "AT^DATALOCK=<code>")
        }
    }

    private func readBack(_ command: String, dialect: DeviceDialect, run: Run,
                          parse: ([String]) throws(ATParseError) -> [Int: String]) async throws(ProvisioningFailure) -> [Int: String]? {
        let reply: ATResponse
        do {
            reply = try await channel.execute(command, timeout: dialect.timeout("wifi"), redacted: nil)
        } catch .deviceGone {
            throw try await failStep(.verify, run, "device-gone", "The hotspot went away while its Wi-Fi was read back.")
        } catch {
            return nil
        }
        guard reply.isOK else { return nil }
        return try? parse(reply.lines)
    }

    // MARK: - Recording helpers

    private func exchange(_ command: String, step: ProvisioningStep, timeout: Duration) async throws(ProvisioningFailure) -> ATResponse {
        let reply: ATResponse
        do {
            reply = try await channel.execute(command, timeout: timeout, redacted: nil)
        } catch {
            throw fail(step, error.failureCode, error.sentence)
        }
        guard reply.isOK else {
            throw fail(step, "command-failed", "\(command) answered \(reply.final.shownText).")
        }
        return reply
    }

    private func fail(_ step: ProvisioningStep, _ code: String, _ message: String) -> ProvisioningFailure {
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
    private func failStep(_ step: ProvisioningStep, _ run: Run, _ code: String, _ message: String,
                          _ detail: [String: String] = [:]) async throws(ProvisioningFailure) -> ProvisioningFailure {
        var detail = detail
        detail["code"] = code
        detail["message"] = message
        try await record(step, .failed, run, detail)
        return fail(step, code, message)
    }

    /// An error as a failure message may show it: never the device's line (it can hold a full IMEI, ICCID or key).
    private func describe(_ error: any Error) -> String {
        if let parse = error as? ATParseError { return parse.logDescription }
        return String(describing: error)
    }
}
