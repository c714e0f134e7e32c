import ATDevice
import ATProtocol
import DeviceCatalog
@testable import Provisioning

/// A device that answers from a script: command → reply lines and final result, plus reports it emits after a command.
actor ScriptedChannel: DeviceChannel {
    struct Reply {
        var lines: [String]
        var final: ATFinalResult
        /// Unsolicited lines the device sends after this command's final result.
        var thenReports: [String] = []
        /// Whether the command hangs (times out) instead of answering.
        var hangs = false
        /// Whether the device disappears when it receives this command.
        var unplugs = false
    }

    private var script: [String: [Reply]] = [:]
    private var reports: [ATUnsolicited] = []
    private(set) var sent: [String] = []
    private(set) var redactedLog: [String] = []
    /// The deadline each command was last sent with.
    private(set) var deadlines: [String: Duration] = [:]
    private var gone = false
    var fallback: Reply = Reply(lines: [], final: .error)

    /// Scripts the replies to a command, replacing any earlier script; the last reply repeats.
    func on(_ command: String, _ replies: Reply...) {
        script[command] = replies
    }

    func execute(_ command: String, timeout: Duration, redacted: String?) async throws(ChannelError) -> ATResponse {
        if gone { throw .deviceGone }
        sent.append(command)
        deadlines[command] = timeout
        redactedLog.append(redacted ?? command)
        var queue = script[command] ?? []
        let reply = queue.isEmpty ? fallback : queue.removeFirst()
        if queue.isEmpty, let last = script[command]?.last { queue = [last] }  // the last reply repeats
        script[command] = queue
        if reply.unplugs { gone = true; throw .deviceGone }
        if reply.hangs { throw .timeout(command: redacted ?? command) }
        for line in reply.thenReports {
            let name = String(line.prefix { $0 != ":" })
            reports.append(ATUnsolicited(name: name, line: line))
        }
        return ATResponse(command: command, lines: reply.lines, final: reply.final)
    }

    func waitForUnsolicited(named name: String, timeout: Duration) async throws(ChannelError) -> ATUnsolicited {
        if let index = reports.firstIndex(where: { $0.name == name }) {
            return reports.remove(at: index)
        }
        if gone { throw .deviceGone }
        throw .timeout(command: "waiting for \(name)")
    }

    func discardUnsolicited(named name: String) async {
        reports.removeAll { $0.name == name }
    }

    func count(of command: String) -> Int { sent.filter { $0 == command }.count }
    func count(prefix: String) -> Int { sent.filter { $0.hasPrefix(prefix) }.count }
}

/// An in-memory ledger that enforces the voucher state machine the way the real one does.
actor MemoryRecorder: ProvisioningRecorder {
    struct VoucherRow { var id: Int64; var code: String; var plan: String; var state: String; var iccid: String? }
    private(set) var vouchers: [VoucherRow] = []
    private(set) var steps: [(Int64, ProvisioningStep, StepStatus, [String: String])] = []
    private(set) var outcomes: [Int64: ProvisioningOutcome] = [:]
    private(set) var identities: [DeviceIdentity] = []
    private(set) var wifi: [Int64: WiFiSettings] = [:]
    private var nextRun: Int64 = 1
    var failNextSending = false

    func addVoucher(_ code: String, plan: String) {
        vouchers.append(VoucherRow(id: Int64(vouchers.count + 1), code: code, plan: plan, state: "available", iccid: nil))
    }

    func state(of id: Int64) -> String? { vouchers.first { $0.id == id }?.state }
    func states() -> [String] { vouchers.map(\.state) }

    func recordIdentity(_ identity: DeviceIdentity) async throws(RecorderError) { identities.append(identity) }

    func startProvisioning(identity: DeviceIdentity, order: ProvisioningOrder) async throws(RecorderError) -> Int64 {
        defer { nextRun += 1 }
        return nextRun
    }

    func recordStep(_ provisioningID: Int64, step: ProvisioningStep, status: StepStatus,
                    detail: [String: String]) async throws(RecorderError) {
        steps.append((provisioningID, step, status, detail))
    }

    func reserveVoucher(plan: String, provisioningID: Int64, iccid: String) async throws(RecorderError) -> ReservedVoucher? {
        if vouchers.contains(where: { $0.iccid == iccid && ($0.state == "sending" || $0.state == "unknown") }) {
            throw RecorderError(code: "sim-has-unsettled-voucher", message: "settle first")
        }
        guard let index = vouchers.firstIndex(where: { $0.plan == plan && $0.state == "available" }) else { return nil }
        vouchers[index].state = "reserved"
        vouchers[index].iccid = iccid
        return ReservedVoucher(id: vouchers[index].id, code: vouchers[index].code, plan: plan)
    }

    private func move(_ id: Int64, from: [String], to: String) throws(RecorderError) {
        guard let index = vouchers.firstIndex(where: { $0.id == id }), from.contains(vouchers[index].state) else {
            throw RecorderError(code: "illegal-transition", message: "voucher \(id) cannot become \(to)")
        }
        vouchers[index].state = to
    }

    func releaseVoucher(_ id: Int64) async throws(RecorderError) { try move(id, from: ["reserved"], to: "available") }
    func markSending(_ id: Int64) async throws(RecorderError) {
        if failNextSending { failNextSending = false; throw RecorderError(code: "disk-full", message: "disk full") }
        try move(id, from: ["reserved"], to: "sending")
    }
    func markApplied(_ id: Int64, balanceBeforeMB: Int?, balanceAfterMB: Int?, rawReply: String) async throws(RecorderError) {
        try move(id, from: ["sending"], to: "applied")
    }
    func markRejected(_ id: Int64, rawReply: String) async throws(RecorderError) { try move(id, from: ["sending"], to: "rejected") }
    func markUnknown(_ id: Int64, reason: String, rawReply: String?) async throws(RecorderError) {
        try move(id, from: ["sending"], to: "unknown")
    }
    func finish(_ provisioningID: Int64, outcome: ProvisioningOutcome, wifi settings: WiFiSettings?) async throws(RecorderError) {
        outcomes[provisioningID] = outcome
        if let settings { wifi[provisioningID] = settings }
    }

    func stepStatuses(_ run: Int64) -> [String] {
        steps.filter { $0.0 == run }.map { "\($0.1.rawValue):\($0.2.rawValue)" }
    }
}
