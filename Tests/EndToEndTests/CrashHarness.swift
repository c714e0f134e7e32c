import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Ledger
import ModemSimulator

/// Kills the built `hotspotd` with SIGKILL at random points of simulated provisionings, restarts it on the same
/// ledger, and checks the money invariants against the simulator's operator truth after every restart.
///
/// Runs synchronously on the thread that calls `run()` (a dedicated thread, never the cooperative pool): it blocks
/// on child processes and sleeps in short polls. The simulated devices live in this process (`SimulatorHost`, one
/// pty per device, fresh SIM identities every iteration) so the operator truth is read directly and needs no file.
final class CrashHarness: @unchecked Sendable {
    // @unchecked: every field is touched only by the one thread running `run()`.

    struct Summary: Sendable {
        var iterations = 0
        var killsByPhase: [String: Int] = [:]
        var restarts = 0
        var checks = 0
        var fullChecks = 0
        var fullCheckEvery = 1
        var maxRestart: Duration = .zero
        var totalRestart: Duration = .zero
        var killWindow: Duration = .zero
        var importsAcknowledged = 0
        var importsLostBeforeAck = 0
        var voucherStates: [String: Int] = [:]
        var operatorRedemptions = 0
        var events = 0
        var elapsed: Duration = .zero
        var maxCheck: Duration = .zero
        var maxIntegrity: Duration = .zero
        var maxVerify: Duration = .zero
        var seed: UInt64 = 0
        var violations: [String] = []

        var text: String {
            func ms(_ duration: Duration) -> String {
                String(format: "%.0f ms", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
            }
            var lines = [
                "crash-test: \(iterations) iterations (seed \(seed)), kill -9 within \(ms(killWindow)) of each start (window re-measured every 50), \(ms(elapsed)) in all",
                "crash-test: kills by phase: " + killsByPhase.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "),
                "crash-test: API up after \(restarts) of \(iterations + 1) starts (the rest were killed first), checks after \(checks) (full integrity_check + whole chain after \(fullChecks): every \(fullCheckEvery == 1 ? "one" : "\(fullCheckEvery)th and the last"), the rest the new rows' links); start to API ready: max \(ms(maxRestart)), mean \(restarts > 0 ? ms(totalRestart / restarts) : "-")",
                "crash-test: voucher imports acknowledged \(importsAcknowledged) (all present), unacknowledged and absent \(importsLostBeforeAck) (all or nothing)",
                "crash-test: ledger vouchers " + voucherStates.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                    + "; operator redemptions \(operatorRedemptions); events \(events); slowest after-restart check \(ms(maxCheck)) (integrity_check \(ms(maxIntegrity)), chain \(ms(maxVerify)))",
            ]
            if violations.isEmpty {
                lines.append("crash-test: 0 violations")
            } else {
                lines.append("crash-test: \(violations.count) VIOLATION(S):")
                lines += violations.prefix(50).map { "crash-test:   \($0)" }
            }
            return lines.joined(separator: "\n")
        }
    }

    private let iterations: Int
    /// Full checks (`integrity_check`, the whole chain re-hashed) after every this-many restarts and at the end; the
    /// restarts between get the O(new rows) check: the pre-kill head still there with its hash, every newer row linked.
    private let fullCheckEvery: Int
    private let devicesPerIteration = 3
    private let batchSize = 5
    private let initialStock = 12
    private let dir: String
    private let ledgerPath: String
    private let socketPath: String
    private let configPath: String
    private let logHandle: FileHandle
    private let profile: ModemSimulator.OperatorProfile
    private let operatorLedger: OperatorLedger
    private let network: OperatorNetwork
    private let personalities: [Personality]
    private var random: SplitMix64
    private var summary = Summary()
    /// Every voucher by code as of the last refresh, kept up to date from the events after `cachedSeq`, so a check
    /// reads only what changed instead of the whole (growing) table.
    private var vouchersByCode: [String: Voucher] = [:]
    private var cachedSeq: Int64 = 0

    /// What must hold at the next restart: taken at the last kill.
    private struct Pending {
        var anchor: ChainAnchor?
        var truth: OperatorState
        var acknowledgedBatches: [Int]
    }

    init(iterations: Int, seed: UInt64, fullCheckEvery: Int) throws {
        self.iterations = iterations
        self.fullCheckEvery = max(1, fullCheckEvery)
        random = SplitMix64(seed: seed)
        summary.seed = seed
        summary.fullCheckEvery = max(1, fullCheckEvery)
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("hs-crash-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        ledgerPath = dir + "/ledger.sqlite"
        socketPath = dir + "/api.sock"
        configPath = dir + "/hotspotd.json"
        _ = FileManager.default.createFile(atPath: dir + "/hotspotd.log", contents: nil)
        logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/hotspotd.log"))

        let root = Binaries.packageRoot.path
        var profile = try ModemSimulator.OperatorProfile.load(root + "/simulator/operator-simunet.json")
        // A short network delay keeps each USSD (and so `sending`) open for a while: kills land inside it.
        profile.replyDelayMs = 15
        profile.startingBalances = [:]
        let bookSize = initialStock + (iterations + 2) * batchSize
        profile.vouchers = Dictionary(uniqueKeysWithValues: (0..<bookSize).map { (CrashHarness.code($0), 500) })
        self.profile = profile
        operatorLedger = try OperatorLedger(profile: profile, path: nil)
        network = OperatorNetwork(profile: profile, ledger: operatorLedger)
        var loaded: [Personality] = []
        for name in ["generic-3gpp", "huawei-stick", "huawei-e5-mifi"] {
            var personality = try Personality.load(root + "/simulator/personalities/\(name).json")
            personality.latency = Personality.Latency(defaultMs: 0, commands: [:])
            personality.faults = Personality.Faults()
            loaded.append(personality)
        }
        personalities = loaded

        var config = try String(contentsOfFile: root + "/config/hotspotd.example.json", encoding: .utf8)
        config = config.replacingOccurrences(of: "\"lockDirectory\": \"/var/lock\"", with: "\"lockDirectory\": null")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// The 12-digit voucher code number `index` of the test book.
    static func code(_ index: Int) -> String { String(format: "7%011d", index) }

    private func batchCodes(_ batch: Int) -> [String] {
        (0..<batchSize).map { CrashHarness.code(initialStock + batch * batchSize + $0) }
    }

    private func violation(_ text: String) {
        summary.violations.append(text)
    }

    /// Runs every iteration, then a last clean restart; returns the figures and violations.
    func run() -> Summary {
        let started = ContinuousClock.now
        defer { try? logHandle.close() }
        do {
            try runIterations()
        } catch {
            violation("harness error: \(error)")
        }
        summary.elapsed = ContinuousClock.now - started
        if summary.violations.isEmpty { try? FileManager.default.removeItem(atPath: dir) } else {
            summary.violations.append("files kept in \(dir)")
        }
        return summary
    }

    private func runIterations() throws {
        // The first stock, written while no daemon runs (it also creates the ledger).
        do {
            let ledger = try Ledger(path: ledgerPath)
            try ledger.importVouchers((0..<initialStock).map { (CrashHarness.code($0), "500MB") }, actor: nil)
        }
        var pending: Pending?
        for iteration in 0..<iterations {
            guard summary.violations.count < 20 else {
                violation("stopped after iteration \(iteration): too many violations")
                return
            }
            pending = try runIteration(iteration, pending: pending)
            summary.iterations += 1
        }
        // A last restart with no kill: recovery, checks, clean stop.
        let daemon = try startDaemon(devices: [])
        let restartStart = ContinuousClock.now
        guard waitUntilListening(daemon, deadline: restartStart + .seconds(20)) else {
            violation("final restart: daemon did not start: status \(daemon.isRunning ? "running" : "\(daemon.terminationStatus)")")
            kill(daemon.processIdentifier, SIGKILL)
            return
        }
        noteRestart(ContinuousClock.now - restartStart)
        if let pending { try checkAfterRestart(pending, currentICCIDs: [], final: true) }
        kill(daemon.processIdentifier, SIGTERM)
        let stopDeadline = ContinuousClock.now + .seconds(10)
        while daemon.isRunning, ContinuousClock.now < stopDeadline { usleep(2000) }
        if daemon.isRunning {
            violation("final restart: daemon did not stop within 10 s of SIGTERM")
            kill(daemon.processIdentifier, SIGKILL)
            while daemon.isRunning { usleep(2000) }
        }
        let ledger = try Ledger(path: ledgerPath)
        if try !ledger.integrityCheck() { violation("final: integrity_check is not ok") }
        let verification = try ledger.verifyChain(anchor: pending?.anchor)
        if !verification.isValid { violation("final: chain does not verify: \(verification.failure?.message ?? "")") }
        let unsettled = try ledger.vouchers(state: .sending, limit: 100_000)
        if !unsettled.isEmpty { violation("final: vouchers still sending after a clean restart: \(unsettled.map(\.id))") }
        for (state, count) in try ledger.voucherCounts().values.flatMap({ $0 }) {
            summary.voucherStates[state.rawValue, default: 0] += count
        }
        summary.events = try ledger.eventCount()
        summary.operatorRedemptions = operatorLedger.snapshot().vouchers.values.reduce(0) { $0 + $1.redemptions }
    }

    private func runIteration(_ iteration: Int, pending: Pending?) throws -> Pending {
        // Fresh SIMs every iteration: a SIM left with an unknown voucher would rightly get no other.
        let identities = (0..<devicesPerIteration).map { SimIdentity(prefix: 77, serial: iteration * devicesPerIteration + $0) }
        let setups = zip(identities, personalities).enumerated().map { index, pair in
            var personality = pair.1
            personality.identity.imei = pair.0.imei
            personality.sim.iccid = pair.0.iccid
            personality.sim.imsi = pair.0.imsi
            return DeviceSetup(label: "i\(iteration)-\(index)", personality: personality)
        }
        let host = SimulatorHost(devices: setups, network: network)
        let ports = try host.start()
        defer { host.stop() }
        let iccids = Set(identities.map(\.iccid))

        let csv = dir + "/batch-\(iteration).csv"
        try ("code,plan\n" + batchCodes(iteration).map { "\($0),500MB\n" }.joined()).write(toFile: csv, atomically: true, encoding: .utf8)

        let start = ContinuousClock.now
        let daemon = try startDaemon(devices: ports.map(\.path))
        var listeningAt: ContinuousClock.Instant?
        var importer: Process?
        // The first two runs, and every 50th, are not killed until every device has finished: they set the window the
        // other kills fall in, uniformly, so they land before, during and after the USSDs even as the machine's load
        // changes (the first start is cold: the faster of the first two counts).
        let calibrating = iteration < min(2, iterations) || iteration % 50 == 0
        var killAt = start + randomDelay()
        var calibrationLedger: Ledger?
        while calibrating || ContinuousClock.now < killAt {
            if !daemon.isRunning {
                violation("iteration \(iteration): hotspotd exited by itself with status \(daemon.terminationStatus)")
                break
            }
            if listeningAt == nil, CrashHarness.canConnect(socketPath) {
                let now = ContinuousClock.now
                listeningAt = now
                noteRestart(now - start)
                if let pending { try checkAfterRestart(pending, currentICCIDs: iccids) }
                importer = try startImport(csv)
            }
            if calibrating {
                if listeningAt != nil {
                    let ledger = try calibrationLedger ?? Ledger(path: ledgerPath)
                    calibrationLedger = ledger
                    let runs = try identities.compactMap { try ledger.provisionings(iccid: $0.iccid, limit: 1).first }
                    if runs.count == identities.count, runs.allSatisfy({ $0.state != .running }), importer?.isRunning == false {
                        let measured = max(.milliseconds(100), (ContinuousClock.now - start) * 1.1)
                        summary.killWindow = iteration == 0 || iteration >= 2 ? measured : min(summary.killWindow, measured)
                        killAt = ContinuousClock.now
                        break
                    }
                }
                if ContinuousClock.now - start > .seconds(30) {
                    violation("iteration \(iteration): devices did not finish within 30 s; see \(dir)/hotspotd.log")
                    break
                }
            }
            usleep(1000)
        }
        calibrationLedger = nil

        // What was acknowledged before the kill must survive it.
        let anchor: ChainAnchor? = try? Ledger(path: ledgerPath).headHash()
        kill(daemon.processIdentifier, SIGKILL)
        while daemon.isRunning { usleep(500) }
        var acknowledged: Bool?
        if let importer {
            while importer.isRunning { usleep(500) }
            acknowledged = importer.terminationStatus == 0
        }
        let truth = operatorLedger.snapshot()
        host.stop()

        // The ledger as the kill left it (before any recovery).
        let ledger = try Ledger(path: ledgerPath)
        try refreshVouchers(ledger)
        let all = Array(vouchersByCode.values)
        let mine = all.filter { $0.iccid.map(iccids.contains) ?? false }
        let runs = try identities.compactMap { try ledger.provisionings(iccid: $0.iccid, limit: 1).first }
        let phase: String
        if listeningAt == nil {
            phase = "1-starting (before API)"
        } else if mine.contains(where: { $0.state == .sending }) {
            phase = "4-ussd-in-flight (sending)"
        } else if runs.count == identities.count, runs.allSatisfy({ $0.state != .running }) {
            phase = "6-all-finished"
        } else if mine.contains(where: { [.applied, .rejected, .unknown].contains($0.state) }) {
            phase = "5-after-ussd (confirm/wifi)"
        } else if mine.contains(where: { $0.state == .reserved }) {
            phase = "3-reserved"
        } else {
            phase = "2-identify/balance"
        }
        summary.killsByPhase[phase, default: 0] += 1

        // The batch imported during this run: all or nothing, and present if acknowledged.
        let codes = Set(all.map(\.code))
        let batch = batchCodes(iteration)
        let present = batch.filter(codes.contains).count
        var acknowledgedBatches = pending?.acknowledgedBatches.suffix(20).map { $0 } ?? []
        if present != 0 && present != batch.count {
            violation("iteration \(iteration): voucher import half-written: \(present) of \(batch.count) rows")
        }
        if acknowledged == true {
            summary.importsAcknowledged += 1
            acknowledgedBatches.append(iteration)
            if present != batch.count { violation("iteration \(iteration): acknowledged voucher import lost by the kill") }
        } else if present == 0 {
            summary.importsLostBeforeAck += 1
            // Keep the stock up while no daemon runs.
            try ledger.importVouchers(batch.map { ($0, "500MB") }, actor: nil)
            try refreshVouchers(ledger)
        }
        return Pending(anchor: anchor, truth: truth, acknowledgedBatches: acknowledgedBatches)
    }

    /// Brings `vouchersByCode` up to date with the ledger: every voucher named by an event after `cachedSeq`.
    private func refreshVouchers(_ ledger: Ledger) throws {
        let events = try ledger.events(afterSeq: cachedSeq, limit: 10_000_000)
        var changed = Set<Int64>()
        for event in events {
            if let id = event.voucherID { changed.insert(id) }
            cachedSeq = max(cachedSeq, event.seq)
        }
        for id in changed {
            if let voucher = try ledger.voucher(id: id) { vouchersByCode[voucher.code] = voucher }
        }
    }

    /// Checks made once the restarted daemon listens (its recovery is done).
    private func checkAfterRestart(_ pending: Pending, currentICCIDs: Set<String>, final: Bool = false) throws {
        summary.checks += 1
        let checkStarted = ContinuousClock.now
        defer { summary.maxCheck = max(summary.maxCheck, ContinuousClock.now - checkStarted) }
        let ledger = try Ledger(path: ledgerPath)
        if final || summary.checks % fullCheckEvery == 1 || fullCheckEvery == 1 {
            summary.fullChecks += 1
            var mark = ContinuousClock.now
            if try !ledger.integrityCheck() { violation("restart \(summary.restarts): PRAGMA integrity_check is not ok") }
            summary.maxIntegrity = max(summary.maxIntegrity, ContinuousClock.now - mark)
            mark = ContinuousClock.now
            let verification = try ledger.verifyChain(anchor: pending.anchor)
            summary.maxVerify = max(summary.maxVerify, ContinuousClock.now - mark)
            if !verification.isValid {
                violation("restart \(summary.restarts): chain does not verify against the head read before the kill "
                          + "(\(pending.anchor.map { "seq \($0.seq)" } ?? "none")): \(verification.failure?.message ?? "")")
            }
        } else if let anchor = pending.anchor, anchor.seq > 0 {
            // The rows written since the kill's head: that head still there, unchanged, and every newer row linked.
            let tail = try ledger.events(afterSeq: anchor.seq - 1, limit: 10_000_000)
            if tail.first?.seq != anchor.seq || tail.first?.hash != anchor.hash {
                violation("restart \(summary.restarts): the row at the pre-kill head seq \(anchor.seq) is gone or changed")
            }
            for (previous, row) in zip(tail, tail.dropFirst()) where row.seq != previous.seq + 1 || row.prevHash != previous.hash {
                violation("restart \(summary.restarts): event \(row.seq) does not link to event \(previous.seq)")
            }
        }
        try refreshVouchers(ledger)
        let byCode = vouchersByCode
        let vouchers = Array(byCode.values)
        for voucher in vouchers where voucher.state == .sending && !(voucher.iccid.map(currentICCIDs.contains) ?? false) {
            violation("restart \(summary.restarts): voucher #\(voucher.id) still `sending` after recovery")
        }
        for (code, record) in pending.truth.vouchers {
            if record.attempts.count > 1 {
                violation("voucher \(Voucher.redact(code)) sent to the operator \(record.attempts.count) times")
            }
            guard record.redemptions > 0 else { continue }
            guard let voucher = byCode[code] else {
                violation("voucher \(Voucher.redact(code)) redeemed by the operator is not in the ledger")
                continue
            }
            if ![.applied, .unknown, .manual].contains(voucher.state) {
                violation("voucher #\(voucher.id) redeemed by the operator is `\(voucher.state.rawValue)` in the ledger")
            }
            if voucher.iccid != record.redeemedBy {
                violation("voucher #\(voucher.id) redeemed by SIM …\(record.redeemedBy?.suffix(4) ?? "?") but reserved for …\(voucher.iccid?.suffix(4) ?? "?")")
            }
        }
        // Read after the ledger: anything applied there was redeemed before.
        let live = operatorLedger.snapshot()
        for voucher in vouchers where voucher.state == .applied {
            if live.vouchers[voucher.code]?.redemptions != 1 {
                violation("voucher #\(voucher.id) is applied in the ledger but the operator never redeemed it")
            }
        }
        for batch in pending.acknowledgedBatches where !batchCodes(batch).allSatisfy({ byCode[$0] != nil }) {
            violation("acknowledged import of batch \(batch) missing after restart")
        }
    }

    private func noteRestart(_ duration: Duration) {
        summary.restarts += 1
        summary.totalRestart += duration
        summary.maxRestart = max(summary.maxRestart, duration)
    }

    private func randomDelay() -> Duration {
        let window = max(summary.killWindow, .milliseconds(100))
        let ms = Double(window.components.seconds) * 1000 + Double(window.components.attoseconds) / 1e15
        return .microseconds(Int64(random.nextUnit() * ms * 1000))
    }

    private func startDaemon(devices: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("hotspotd"))
        process.arguments = ["--config", configPath, "--database", ledgerPath, "--socket", socketPath]
            + devices.flatMap { ["--device", $0] }
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        return process
    }

    private func startImport(_ csv: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("hotspotctl"))
        process.arguments = ["vouchers", "import", csv, "--socket", socketPath, "--json"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func waitUntilListening(_ daemon: Process, deadline: ContinuousClock.Instant) -> Bool {
        while ContinuousClock.now < deadline, daemon.isRunning {
            if CrashHarness.canConnect(socketPath) { return true }
            usleep(1000)
        }
        return false
    }

    /// Whether a Unix stream socket accepts a connection at `path` (the daemon's API is listening).
    static func canConnect(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}

/// A small seeded generator (SplitMix64) so a failing run can be replayed with the same kill points.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
