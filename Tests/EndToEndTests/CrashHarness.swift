import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Ledger
import ModemSimulator

/// Kills the built `hotspotd` with SIGKILL at random points of simulated provisionings, restarts it on the same
/// ledger, and checks the money invariants against the simulator's operator truth after every restart.
///
/// The promise checked first is the beneficiary's: one sale, one credit. The harness never tops up or re-provisions,
/// so the daemon's default plan is the only order each SIM gets, and the operator may credit each SIM at most once
/// (vouchers it redeemed for the SIM, or its balance's rise in plans, whichever is more). That is checked on the
/// operator's truth taken at every kill and at the end; each SIM credited twice is one violation naming what the run
/// that first charged it again had done (restarted with the device still plugged, re-plugged it, or neither).
/// To give the daemon every chance to break it, the simulated devices are not fresh at every start: a generation of
/// devices (same IMEI, ICCID, IMSI, same ptys) stays plugged across 1–4 consecutive kills and restarts, so a restarted
/// daemon re-attaches SIMs it already served or was serving; some runs unplug a device and plug it back on another
/// pty (the harness then attaches the new path through the API, as a technician would); and some generations answer
/// USSD late (0–3 s), so a `+CUSD:` owed to the killed process reaches the new one.
///
/// Runs synchronously on the thread that calls `run()` (a dedicated thread, never the cooperative pool): it blocks
/// on child processes and sleeps in short polls. The simulated devices live in this process (`SimulatorHost`, one
/// pty per device) so the operator truth is read directly and needs no file.
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
        var generations = 0
        var simsSeen = 0
        var simsServed = 0
        var maxCreditsPerSIM = 0
        var restartsWithDevicesKept = 0
        var replugs = 0
        var reattached = 0
        var reattachRefused: [String: Int] = [:]
        var maxLateMs = 0
        /// ICCID → credits, for every SIM the operator credited more than once.
        var overCredited: [String: Int] = [:]
        /// Why each over-credited SIM was charged again (the first time it was seen), counted.
        var overCreditCauses: [String: Int] = [:]
        var violations: [String] = []

        var text: String {
            func ms(_ duration: Duration) -> String {
                String(format: "%.0f ms", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
            }
            func counts(_ table: [String: Int]) -> String {
                table.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            }
            let refused = reattachRefused.values.reduce(0, +)
            var lines = [
                "crash-test: \(iterations) iterations (seed \(seed)), kill -9 within \(ms(killWindow)) of each start (window re-measured every 50, plus 3× the generation's USSD lateness), \(ms(elapsed)) in all",
                "crash-test: kills by phase: " + counts(killsByPhase),
                "crash-test: API up after \(restarts) of \(iterations + 1) starts (the rest were killed first), checks after \(checks) (full integrity_check + whole chain after \(fullChecks): every \(fullCheckEvery == 1 ? "one" : "\(fullCheckEvery)th and the last"), the rest the new rows' links); start to API ready: max \(ms(maxRestart)), mean \(restarts > 0 ? ms(totalRestart / restarts) : "-")",
                "crash-test: voucher imports acknowledged \(importsAcknowledged) (all present), unacknowledged and absent \(importsLostBeforeAck) (all or nothing)",
                "crash-test: ledger vouchers " + counts(voucherStates)
                    + "; operator redemptions \(operatorRedemptions); events \(events); slowest after-restart check \(ms(maxCheck)) (integrity_check \(ms(maxIntegrity)), chain \(ms(maxVerify)))",
                "crash-test: devices: \(generations) generations of 3 kept plugged 1–4 runs each, USSD replies up to \(maxLateMs) ms late; restarts with devices kept plugged \(restartsWithDevicesKept); re-plugs \(replugs) (re-attached through the API \(reattached)"
                    + (refused > 0 ? ", refused \(refused): \(counts(reattachRefused))" : "") + ")",
                "crash-test: SIMs seen \(simsSeen), served \(simsServed) (credited by the operator), max credits per SIM \(maxCreditsPerSIM) (one plan ordered per SIM)",
            ]
            if overCredited.isEmpty {
                lines.append("crash-test: 0 SIMs over-credited")
            } else {
                lines.append("crash-test: \(overCredited.count) SIMs OVER-CREDITED, first charged again: " + counts(overCreditCauses))
            }
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
    private let devicesPerGeneration = 3
    private let batchSize = 5
    private let initialStock = 12
    /// The megabytes of the one plan each SIM is ordered (the daemon's default plan, and every voucher of the book).
    private let planMB = 500
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
    /// Every SIM the operator credited more than once: its highest count and the first run seen charging it again.
    private var overCredits: [String: OverCredit] = [:]

    /// A SIM credited more than once.
    private struct OverCredit {
        var credits: Int
        var cause: String
        var context: String
        var vouchers: [String]
    }

    /// A set of simulated devices that stays plugged across consecutive daemon runs.
    private final class Generation {
        let number: Int
        let host: SimulatorHost
        let labels: [String]
        let iccids: [String]
        /// Label → the pty the device is on now (it moves on a re-plug).
        var paths: [String: String]
        /// How many more daemon runs it stays plugged for.
        var runsLeft: Int
        /// How many daemon runs it has been plugged into so far.
        var runs = 0
        /// Milliseconds every `+CUSD:` of these devices comes late.
        let lateMs: Int

        init(number: Int, host: SimulatorHost, labels: [String], iccids: [String], paths: [String: String], runsLeft: Int, lateMs: Int) {
            self.number = number
            self.host = host
            self.labels = labels
            self.iccids = iccids
            self.paths = paths
            self.runsLeft = runsLeft
            self.lateMs = lateMs
        }

        var currentPaths: [String] { labels.compactMap { paths[$0] } }
    }

    /// What one daemon run started from, to tell why a SIM was credited again.
    private struct RunContext {
        /// ICCID → credits when the daemon started (devices kept plugged from the run before).
        var creditsAtStart: [String: Int]
        /// ICCID → credits when its device was unplugged during the run (it was plugged back and re-attached).
        var creditsAtUnplug: [String: Int] = [:]
        var label: String
    }

    /// What must hold at the next restart: taken at the last kill.
    private struct Pending {
        var anchor: ChainAnchor?
        var truth: OperatorState
        var acknowledgedBatches: [Int]
    }

    /// A re-plug planned for one run: which device, when, for how long.
    private struct Replug {
        var label: String
        var iccid: String
        /// How long the device stays out.
        var comeBackMs: Int
        /// Set once the API listens (nil: not yet, or the simulator refused).
        var unplugAt: ContinuousClock.Instant?
        /// The pty it was pulled from, once it was.
        var unpluggedFrom: String?
        /// Whether its new pty was given to the daemon.
        var reattached = false
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
        let voucherMB = planMB
        profile.vouchers = Dictionary(uniqueKeysWithValues: (0..<bookSize).map { (CrashHarness.code($0), voucherMB) })
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
        config = config.replacingOccurrences(of: "\"lockDirectory\": \"/var/lock\"", with: "\"lockDirectory\": null, \"allowPseudoTerminals\": true")
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
        reportOverCredits()
        summary.elapsed = ContinuousClock.now - started
        if summary.violations.isEmpty { try? FileManager.default.removeItem(atPath: dir) } else {
            summary.violations.append("files kept in \(dir)")
        }
        return summary
    }

    // MARK: - Devices

    /// Plugs in a fresh generation: new SIMs, new ptys, kept for 1–4 runs. `prompt` ones (the runs that measure the
    /// kill window) answer USSD on time; of the others, two in three deliver every `+CUSD:` late by a random 0–3 s.
    private func plugGeneration(prompt: Bool) throws -> Generation {
        let number = summary.generations
        summary.generations += 1
        let lateMs = prompt || random.nextUnit() < 1.0 / 3 ? 0 : Int(random.nextUnit() * 3000)
        summary.maxLateMs = max(summary.maxLateMs, lateMs)
        let identities = (0..<devicesPerGeneration).map { SimIdentity(prefix: 77, serial: number * devicesPerGeneration + $0) }
        let setups = zip(identities, personalities).enumerated().map { index, pair in
            var personality = pair.1
            personality.identity.imei = pair.0.imei
            personality.sim.iccid = pair.0.iccid
            personality.sim.imsi = pair.0.imsi
            personality.faults.cusdDelayMs = lateMs
            return DeviceSetup(label: "g\(number)-\(index)", personality: personality)
        }
        let host = SimulatorHost(devices: setups, network: network)
        let ports = try host.start()
        summary.simsSeen += identities.count
        return Generation(number: number, host: host, labels: setups.map(\.label), iccids: identities.map(\.iccid),
                          paths: Dictionary(uniqueKeysWithValues: ports.map { ($0.label, $0.path) }),
                          runsLeft: Int.random(in: 1...4, using: &random), lateMs: lateMs)
    }

    /// Operator credits per ICCID: vouchers it redeemed, or more if its balance rose by more (every voucher adds
    /// one plan's megabytes, and balances start at the profile's figure).
    private func credits(in truth: OperatorState) -> [String: Int] {
        var result: [String: Int] = [:]
        for record in truth.vouchers.values where record.redemptions > 0 {
            if let iccid = record.redeemedBy { result[iccid, default: 0] += record.redemptions }
        }
        for (iccid, balance) in truth.balancesMB {
            let rise = balance - (profile.startingBalances[iccid] ?? profile.startingBalanceMB)
            if rise > 0 { result[iccid] = max(result[iccid] ?? 0, (rise + planMB - 1) / planMB) }
        }
        return result
    }

    /// One sale, one credit: every SIM was ordered one plan, so a second credit is a violation. Notes each SIM
    /// credited more than once with what the run that first charged it again had done to its device; `reportOverCredits`
    /// turns the notes into one violation per SIM.
    private func checkCredits(_ truth: OperatorState, context: RunContext) {
        for (iccid, count) in credits(in: truth) where count > 1 {
            let vouchers = truth.vouchers.filter { $0.value.redeemedBy == iccid }.keys.sorted().map(Voucher.redact)
            if var known = overCredits[iccid] {
                known.credits = max(known.credits, count)
                known.vouchers = vouchers
                overCredits[iccid] = known
                continue
            }
            let cause: String
            if let before = context.creditsAtUnplug[iccid], before >= 1, count > before {
                cause = "after a re-plug"
            } else if let before = context.creditsAtStart[iccid], before >= 1, count > before {
                cause = "after a restart with the device kept plugged"
            } else {
                cause = "within one run"
            }
            overCredits[iccid] = OverCredit(credits: count, cause: cause, context: context.label, vouchers: vouchers)
        }
    }

    /// One violation per over-credited SIM, and the summary's figures.
    private func reportOverCredits() {
        for (iccid, record) in overCredits.sorted(by: { $0.key < $1.key }) {
            summary.overCredited[iccid] = record.credits
            summary.overCreditCauses[record.cause, default: 0] += 1
            violation("SIM …\(iccid.suffix(4)) credited \(record.credits) times (one plan ordered; vouchers \(record.vouchers.joined(separator: ", "))): "
                      + "first charged again \(record.cause), \(record.context)")
        }
    }

    // MARK: - Runs

    private func runIterations() throws {
        // The first stock, written while no daemon runs (it also creates the ledger).
        do {
            let ledger = try Ledger(path: ledgerPath)
            try ledger.importVouchers((0..<initialStock).map { (CrashHarness.code($0), "500MB") }, actor: nil)
        }
        var pending: Pending?
        var generation: Generation?
        defer { generation?.host.stop() }
        for iteration in 0..<iterations {
            guard summary.violations.count < 20 else {
                violation("stopped after iteration \(iteration): too many violations")
                return
            }
            // The first two runs, and every 50th, are not killed until every device has finished: they set the window
            // the other kills fall in. They get fresh, prompt devices so the window measures one whole provisioning.
            let calibrating = iteration < min(2, iterations) || iteration % 50 == 0
            let current: Generation
            if let kept = generation, kept.runsLeft > 0, !calibrating {
                current = kept
            } else {
                generation?.host.stop()
                generation = nil
                current = try plugGeneration(prompt: calibrating)
                generation = current
            }
            pending = try runIteration(iteration, generation: current, calibrating: calibrating, pending: pending)
            current.runsLeft -= 1
            current.runs += 1
            summary.iterations += 1
        }
        try finalRestart(generation: generation, pending: pending)
    }

    /// A last restart with no kill, the last generation still plugged: recovery, re-attach, checks, clean stop.
    private func finalRestart(generation: Generation?, pending: Pending?) throws {
        let paths = generation?.currentPaths ?? []
        let iccids = Set(generation?.iccids ?? [])
        if let generation, generation.runs > 0 { summary.restartsWithDevicesKept += 1 }
        let context = RunContext(creditsAtStart: credits(in: operatorLedger.snapshot()), label: "at the final restart")
        let daemon = try startDaemon(devices: paths)
        let restartStart = ContinuousClock.now
        guard waitUntilListening(daemon, deadline: restartStart + .seconds(20)) else {
            violation("final restart: daemon did not start: status \(daemon.isRunning ? "running" : "\(daemon.terminationStatus)")")
            kill(daemon.processIdentifier, SIGKILL)
            return
        }
        noteRestart(ContinuousClock.now - restartStart)
        if let pending { try checkAfterRestart(pending, currentICCIDs: iccids, final: true) }
        // Let the re-attached devices finish whatever the daemon does with them (a served SIM must not be charged).
        let settleTime = Duration.seconds(30) + .milliseconds(6 * (generation?.lateMs ?? 0))
        let settleDeadline = ContinuousClock.now + settleTime
        while daemon.isRunning, !devicesSettled(paths: paths), ContinuousClock.now < settleDeadline { usleep(20_000) }
        if !devicesSettled(paths: paths) {
            violation("final restart: the re-attached devices were still busy after \(settleTime); see \(dir)/hotspotd.log")
        }
        checkCredits(operatorLedger.snapshot(), context: context)
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
        // After the daemon stopped: nothing can be credited any more.
        let truth = operatorLedger.snapshot()
        checkCredits(truth, context: context)
        summary.operatorRedemptions = truth.vouchers.values.reduce(0) { $0 + $1.redemptions }
        let credited = credits(in: truth)
        summary.simsServed = credited.values.filter { $0 > 0 }.count
        summary.maxCreditsPerSIM = credited.values.max() ?? 0
    }

    private func runIteration(_ iteration: Int, generation: Generation, calibrating: Bool, pending: Pending?) throws -> Pending {
        let iccids = Set(generation.iccids)
        let kept = generation.runs > 0
        if kept { summary.restartsWithDevicesKept += 1 }
        var context = RunContext(
            creditsAtStart: credits(in: operatorLedger.snapshot()),
            label: "in iteration \(iteration) (generation \(generation.number), run \(generation.runs + 1) of its devices"
                + (generation.lateMs > 0 ? ", USSD \(generation.lateMs) ms late" : "") + ")")

        let csv = dir + "/batch-\(iteration).csv"
        try ("code,plan\n" + batchCodes(iteration).map { "\($0),500MB\n" }.joined()).write(toFile: csv, atomically: true, encoding: .utf8)

        // One device may be unplugged and plugged back during the run (never in a calibrating one).
        var replug: Replug?
        if !calibrating, random.nextUnit() < 0.4 {
            let index = Int.random(in: 0..<generation.labels.count, using: &random)
            replug = Replug(label: generation.labels[index], iccid: generation.iccids[index],
                            comeBackMs: 50 + Int(random.nextUnit() * 450))
        }
        // Late USSD replies stretch a provisioning (three USSDs): so does the window the kill falls in.
        let window = max(summary.killWindow, .milliseconds(100)) + .milliseconds(3 * generation.lateMs)

        let seqAtStart = cachedSeq
        let start = ContinuousClock.now
        let daemon = try startDaemon(devices: generation.currentPaths)
        var listeningAt: ContinuousClock.Instant?
        var importer: Process?
        var killAt = start + randomDelay(within: window)
        var lastPoll = start
        var settled = false
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
                if var planned = replug {
                    // Unplug at a random point of the run, and leave the daemon a random while with the device back.
                    let unplugAt = now + randomDelay(within: window)
                    planned.unplugAt = unplugAt
                    replug = planned
                    killAt = max(killAt, unplugAt + .milliseconds(planned.comeBackMs) + randomDelay(within: window))
                }
            }
            if var planned = replug, let unplugAt = planned.unplugAt {
                if planned.unpluggedFrom == nil, ContinuousClock.now >= unplugAt {
                    context.creditsAtUnplug[planned.iccid] = credits(in: operatorLedger.snapshot())[planned.iccid] ?? 0
                    if generation.host.unplug(label: planned.label, comeBackAfterMs: planned.comeBackMs) {
                        summary.replugs += 1
                        planned.unpluggedFrom = generation.paths[planned.label] ?? ""
                    } else {
                        violation("iteration \(iteration): the simulator refused to unplug \(planned.label)")
                        planned.unplugAt = nil
                    }
                    replug = planned
                } else if let from = planned.unpluggedFrom, !planned.reattached,
                          let path = generation.host.ports.first(where: { $0.label == planned.label })?.path, path != from {
                    // Back on a new pty: the daemon cannot know that path, a technician attaches it.
                    generation.paths[planned.label] = path
                    planned.reattached = true
                    replug = planned
                    reattach(path)
                }
            }
            if listeningAt != nil, ContinuousClock.now - lastPoll >= .milliseconds(calibrating ? 20 : 100) {
                lastPoll = ContinuousClock.now
                settled = devicesSettled(paths: generation.currentPaths)
                if calibrating, settled, importer?.isRunning == false {
                    let measured = max(.milliseconds(100), (ContinuousClock.now - start) * 1.1)
                    summary.killWindow = iteration == 0 || iteration >= 2 ? measured : min(summary.killWindow, measured)
                    killAt = ContinuousClock.now
                    break
                }
            }
            if calibrating, ContinuousClock.now - start > .seconds(30) {
                violation("iteration \(iteration): devices did not finish within 30 s; see \(dir)/hotspotd.log")
                break
            }
            usleep(1000)
        }

        // What was acknowledged before the kill must survive it.
        let anchor: ChainAnchor? = try? Ledger(path: ledgerPath).headHash()
        kill(daemon.processIdentifier, SIGKILL)
        while daemon.isRunning { usleep(500) }
        var acknowledged: Bool?
        if let importer {
            while importer.isRunning { usleep(500) }
            acknowledged = importer.terminationStatus == 0
        }
        // The devices stay plugged (until their generation ends): what they still owe the dead process goes to the next.
        let truth = operatorLedger.snapshot()
        // One sale, one credit, as the operator saw it when the run ended (whether or not the next start gets as far
        // as its checks, so each extra credit is put down to the run that made it).
        checkCredits(truth, context: context)
        if let planned = replug, let from = planned.unpluggedFrom, !planned.reattached {
            // Killed before the device came back (or before the harness saw it): the next start is given its new path.
            let deadline = ContinuousClock.now + .milliseconds(planned.comeBackMs) + .seconds(5)
            var path = from
            while path == from, ContinuousClock.now < deadline {
                path = generation.host.ports.first(where: { $0.label == planned.label })?.path ?? from
                if path == from { usleep(2000) }
            }
            if path == from { violation("iteration \(iteration): \(planned.label) did not come back within 5 s of its re-plug") }
            generation.paths[planned.label] = path
        }

        // The ledger as the kill left it (before any recovery).
        let ledger = try Ledger(path: ledgerPath)
        try refreshVouchers(ledger)
        let all = Array(vouchersByCode.values)
        // This run's vouchers: those its events name for this generation's SIMs (earlier runs' stay as they ended).
        let touched = Set(try ledger.events(afterSeq: seqAtStart, limit: 10_000_000).compactMap { event in
            event.iccid.map(iccids.contains) == true ? event.voucherID : nil
        })
        let mine = all.filter { touched.contains($0.id) }
        let running = try generation.iccids.contains { try ledger.provisionings(iccid: $0, limit: 1).first?.state == .running }
        let phase: String
        if listeningAt == nil {
            phase = "1-starting (before API)"
        } else if mine.contains(where: { $0.state == .sending }) {
            phase = "4-ussd-in-flight (sending)"
        } else if mine.contains(where: { $0.state == .reserved }) {
            phase = "3-reserved"
        } else if settled, !running {
            phase = "6-all-finished"
        } else if mine.contains(where: { [.applied, .rejected, .unknown].contains($0.state) }) {
            phase = "5-after-ussd (confirm/wifi)"
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

    /// Attaches a re-plugged device's new pty through the API (`POST /v1/devices`), as `hotspotctl attach` does.
    private func reattach(_ path: String) {
        let body = (try? JSONSerialization.data(withJSONObject: ["path": path])).map { [UInt8]($0) } ?? []
        guard let response = CrashHarness.http(socketPath, "POST", "/v1/devices", body: body) else {
            summary.reattachRefused["no-answer", default: 0] += 1
            return
        }
        if response.status == 201 {
            summary.reattached += 1
        } else {
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            let code = object?["code"] as? String ?? "http-\(response.status)"
            summary.reattachRefused[code, default: 0] += 1
        }
    }

    /// Whether the daemon lists a session on every one of `paths` and none of them is still at work (connecting,
    /// identifying, provisioning).
    private func devicesSettled(paths: [String]) -> Bool {
        guard let response = CrashHarness.http(socketPath, "GET", "/v1/devices"), response.status == 200,
              let list = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]] else { return false }
        let busy: Set<String> = ["connecting", "identifying", "provisioning"]
        return paths.allSatisfy { path in
            let states = list.filter { $0["port"] as? String == path }.compactMap { $0["state"] as? String }
            return !states.isEmpty && states.allSatisfy { !busy.contains($0) }
        }
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

    /// A uniform random delay in [0, `window`).
    private func randomDelay(within window: Duration) -> Duration {
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

    // MARK: - The API socket, blocking

    /// A connected Unix stream socket to `path`, or nil when nothing listens there.
    static func connectUnix(_ path: String) -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            return nil
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Whether a Unix stream socket accepts a connection at `path` (the daemon's API is listening).
    static func canConnect(_ path: String) -> Bool {
        guard let fd = connectUnix(path) else { return false }
        close(fd)
        return true
    }

    /// One HTTP/1.1 exchange with the daemon's API (`Connection: close`), blocking the calling thread at most
    /// `timeout`: the status and the body (the API answers whole bodies with a Content-Length), or nil when nothing
    /// listens or no whole answer came in time.
    static func http(_ socketPath: String, _ method: String, _ target: String, body: [UInt8] = [],
                     timeout: Duration = .seconds(2)) -> (status: Int, body: [UInt8])? {
        guard let fd = connectUnix(socketPath) else { return nil }
        defer { close(fd) }
        let deadline = ContinuousClock.now + timeout
        func remainingMs() -> Int32 {
            let left = deadline - ContinuousClock.now
            return left <= .zero ? 0 : Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
        }
        var request = Array("\(method) \(target) HTTP/1.1\r\nHost: hotspotd\r\nConnection: close\r\n".utf8)
        if !body.isEmpty || method == "POST" {
            request += Array("Content-Type: application/json\r\nContent-Length: \(body.count)\r\n".utf8)
        }
        request += Array("\r\n".utf8) + body
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                sent += count
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return nil
            }
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            if let response = parseResponse(received) { return response }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let wait = remainingMs()
            guard wait > 0 else { return nil }
            let ready = poll(&pfd, 1, wait)
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { return nil }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[0..<count]
            } else if count < 0, errno == EINTR || errno == EAGAIN {
                continue
            } else {
                // Closed: what came is all there is.
                return parseResponse(received, closed: true)
            }
        }
    }

    /// The status and body of a response once its head and whole body (by Content-Length, or up to the close) are in.
    private static func parseResponse(_ bytes: [UInt8], closed: Bool = false) -> (status: Int, body: [UInt8])? {
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: {
            bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10
        }) else {
            return nil
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusWords = head.first?.split(separator: " ") ?? []
        guard statusWords.count >= 2, let status = Int(statusWords[1]) else { return nil }
        let bodyStart = end + 4
        let length = head.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first
        if let length {
            guard bytes.count - bodyStart >= length else { return nil }
            return (status, Array(bytes[bodyStart..<(bodyStart + length)]))
        }
        return closed ? (status, Array(bytes[bodyStart...])) : nil
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
