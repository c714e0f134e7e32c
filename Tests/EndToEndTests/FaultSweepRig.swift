import ATDevice
import ATProtocol
import DeviceCatalog
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Ledger
import Logging
import ModemSimulator
import Provisioning
import SerialPort
@testable import Station

/// One device exchange as the workflow saw it: what, its budget, how long it took, how it ended.
struct TimedCall: Sendable {
    var index: Int
    var command: String
    var timeout: Duration
    var elapsed: Duration
    var outcome: String
}

/// The workflow's `DeviceChannel` over a real `ATSession`, timing every call against its deadline.
final class TimingChannel: DeviceChannel, @unchecked Sendable {
    // @unchecked: `calls` and `counter` are only touched while holding `lock`; `session` is an actor.
    let session: ATSession
    private let lock = NSLock()
    private var calls: [TimedCall] = []
    private var counter = 0

    init(session: ATSession) { self.session = session }

    var recorded: [TimedCall] { lock.withLock { calls } }

    private func note(_ command: String, _ timeout: Duration, _ started: ContinuousClock.Instant, _ outcome: String, sent: Bool) {
        lock.withLock {
            var index = 0
            if sent {
                counter += 1
                index = counter
            }
            calls.append(TimedCall(index: index, command: command, timeout: timeout, elapsed: ContinuousClock.now - started, outcome: outcome))
        }
    }

    func execute(_ command: String, timeout: Duration, redacted: String?) async throws(ChannelError) -> ATResponse {
        let started = ContinuousClock.now
        do {
            let response = try await session.send(command, redacted: redacted, timeout: timeout)
            note(redacted ?? command, timeout, started, "\(response.final)", sent: true)
            return response
        } catch {
            note(redacted ?? command, timeout, started, "\(error)", sent: true)
            throw SerialChannel.map(error)
        }
    }

    func waitForUnsolicited(named name: String, timeout: Duration) async throws(ChannelError) -> ATUnsolicited {
        let started = ContinuousClock.now
        do {
            let report = try await session.waitForUnsolicited(named: name, timeout: timeout)
            note("wait \(name)", timeout, started, "report", sent: false)
            return report
        } catch {
            note("wait \(name)", timeout, started, "\(error)", sent: false)
            throw SerialChannel.map(error)
        }
    }

    func discardUnsolicited(named name: String) async {
        await session.discardUnsolicited(named: name)
    }
}

/// Simulated devices with injected faults, each driven through the real `ProvisioningWorkflow` over a real
/// `ATSession` on a pty, with the real ledger and the simulator's operator as the truth about money.
final class FaultSweepRig: @unchecked Sendable {
    // @unchecked: `nextSerial` is only touched while holding `lock`; the rest is immutable or thread-safe.
    let ledger: Ledger
    let operatorLedger: OperatorLedger
    let network: OperatorNetwork
    let policy: ProvisioningPolicy
    let dialects: DialectCatalog
    let plan = Plan(name: "500MB", megabytes: 500)
    let personalities: [String: Personality]
    private let lock = NSLock()
    private var nextSerial = 0

    /// Short deadlines so silent devices cost little: 400 ms per command, 600 ms for a USSD's OK, 1 s for `+CUSD`.
    static let shortTimeouts = ["default": 400, "identity": 400, "iccid": 400, "ussd": 600, "wifi": 400]

    init(vouchers: Int) throws {
        let root = Binaries.packageRoot.path
        var profile = try ModemSimulator.OperatorProfile.load(root + "/simulator/operator-simunet.json")
        profile.replyDelayMs = 0
        profile.startingBalances = [:]
        let codes = (0..<vouchers).map { String(format: "5%011d", $0) }
        profile.vouchers = Dictionary(uniqueKeysWithValues: codes.map { ($0, 500) })
        operatorLedger = try OperatorLedger(profile: profile, path: nil)
        network = OperatorNetwork(profile: profile, ledger: operatorLedger)
        ledger = try Ledger.temporary()
        try ledger.importVouchers(codes.map { ($0, "500MB") }, actor: nil)
        var loaded: [String: Personality] = [:]
        for name in ["generic-3gpp", "huawei-e5-mifi"] {
            var personality = try Personality.load(root + "/simulator/personalities/\(name).json")
            personality.latency = Personality.Latency(defaultMs: 0, commands: [:])
            personality.faults = Personality.Faults()
            personality.unsolicited.reports = []
            loaded[name] = personality
        }
        personalities = loaded
        let simunet = DeviceCatalog.OperatorProfile(
            name: "SimuNet", mccmnc: ["00101"], rechargeTemplate: "*123*{code}#", balanceCode: "*100#",
            successPattern: "rechargement reussi", refusalPattern: "invalide|deja utilise",
            balancePattern: "solde data[^0-9]*([0-9]+) Mo", replyTimeoutSeconds: 1)
        let shortened = ShippedDialects.all.map { dialect in
            var short = dialect
            short.timeoutsMS = FaultSweepRig.shortTimeouts
            return short
        }
        policy = ProvisioningPolicy(operators: [simunet], wifi: WiFiPolicy(dataLockCode: "73546213"))
        dialects = DialectCatalog(configured: shortened)
    }

    deinit {
        // Unlinking while the pool is still open is fine on Linux; the space goes when the last descriptor closes.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: ledger.path + suffix) }
    }

    /// What one run did.
    struct Outcome: Sendable {
        var identity: SimIdentity
        var calls: [TimedCall]
        var failure: ProvisioningFailure?
        var report: ProvisioningReport?
        var duration: Duration
    }

    /// A fresh SIM identity.
    func freshIdentity() -> SimIdentity {
        let serial = lock.withLock {
            nextSerial += 1
            return nextSerial
        }
        return SimIdentity(prefix: 55, serial: serial)
    }

    /// Starts a device of `personality` with `faults`, runs identify + provision (or `runs` times on one session).
    func run(_ personalityName: String, faults: Personality.Faults = Personality.Faults(), raw: [String: String] = [:],
             delivery: Personality.USSDDelivery? = nil, runs: Int = 1, between: (@Sendable (ATSession) async throws -> Void)? = nil) async throws -> [Outcome] {
        let identity = freshIdentity()
        guard var personality = personalities[personalityName] else {
            throw EndToEnd.StationEndToEndTests.FixtureError("no personality \(personalityName)")
        }
        personality.identity.imei = identity.imei
        personality.sim.iccid = identity.iccid
        personality.sim.imsi = identity.imsi
        personality.faults = faults
        personality.rawReplies.merge(raw) { $1 }
        if let delivery { personality.ussd.delivery = delivery }
        let host = SimulatorHost(devices: [DeviceSetup(label: "sweep", personality: personality)], network: network)
        let ports = try host.start()
        defer { host.stop() }
        let session = try ATSession(path: ports[0].path, options: SerialPortOptions(lockDirectory: nil, allowPseudoTerminals: true), resynchronisation: nil,
                                    logger: Logger(label: "sweep", factory: { _ in SwiftLogNoOpLogHandler() }))
        var outcomes: [Outcome] = []
        for number in 0..<runs {
            if number > 0, let between { try await between(session) }
            let channel = TimingChannel(session: session)
            let workflow = ProvisioningWorkflow(channel: channel, recorder: LedgerRecorder(ledger: ledger, actor: nil, port: "pty"), policy: policy,
                                                dialects: dialects)
            let started = ContinuousClock.now
            var outcome = Outcome(identity: identity, calls: [], failure: nil, report: nil, duration: .zero)
            do {
                let found = try await workflow.identify()
                outcome.report = await workflow.provision(found, order: ProvisioningOrder(plan: plan))
                if case .failed(let failure)? = outcome.report?.outcome { outcome.failure = failure }
            } catch {
                outcome.failure = error
            }
            outcome.duration = ContinuousClock.now - started
            outcome.calls = channel.recorded
            outcomes.append(outcome)
        }
        await session.close()
        return outcomes
    }

    /// Open descriptors of this process.
    static func openDescriptors() -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).count
    }

    /// Resident set size of this process in KiB (`VmRSS`).
    static func residentKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
