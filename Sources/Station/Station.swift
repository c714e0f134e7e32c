import ATDevice
import ATProtocol
import DeviceCatalog
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Ledger
import Logging
import Provisioning
import SerialPort
import StationAPI
import Synchronization

/// The station: the devices attached to it, their sessions, and the ledger and configuration they share.
///
/// All API operations go through here. It redacts secrets on the way out unless asked to reveal them.
public actor Station {
    /// The daemon's version, reported by `/v1/health`.
    public static let version = SoftwareVersion.current

    /// The configuration as it is now: `reload` replaces what can change while devices stay attached.
    nonisolated let liveConfig: LiveConfig
    /// The configuration in force.
    nonisolated var config: StationConfig { liveConfig.current }
    /// Where `reload()` reads the configuration from; nil: not started from a file.
    var configurationSource: (@Sendable () throws(ConfigError) -> StationConfig)?
    let ledger: Ledger
    /// The ledger, for records the API writes off the actor (refusals).
    nonisolated var ledgerForRecording: Ledger { ledger }
    let logger: Logger
    /// Live events for watchers.
    public let events = EventHub()
    var sessions: [DeviceSession] = []
    /// Device ids handed out, kept across restarts, and the stable id each identified device is shown under.
    var identifiers: DeviceIdentifiers
    /// Where discovered devices came from, and the ones listed without a session (`Station+Discovery.swift`).
    var discovered = DiscoveredDevices()
    var ready = false { didSet { if ready { resumeReadyWaiters() } } }
    /// Devices whose first identification (and balance settlement) is over; start-up waits for these.
    var identifiedDevices: Set<String> = []
    /// Told each device id as it joins `identifiedDevices`, while `finishStartup` waits.
    var startupWaiter: AsyncStream<String>.Continuation?
    /// One task per configured port, attaching it again when it comes back after an unplug.
    private var configuredPortWatchers: [Task<Void, Never>] = []
    /// Ports being opened by `attach` right now (the open runs off the actor): a second attach of one is refused.
    var portsBeingOpened: Set<String> = []
    /// Ports a person detached (`detach`): their configuration watchers leave them alone until attached again.
    var detachedPorts: Set<String> = []
    private var shuttingDown = false
    /// Per-caller limit on money operations, checked by the API before anything else happens.
    public nonisolated let rateLimiter: CallerRateLimiter
    /// Who may do what, decided from the caller's credentials (`AccessPolicy`).
    public nonisolated let access: AccessPolicy
    private let keys: WiFiKeyGenerator
    /// The AT dialects devices are matched against (configured, dialect directories, shipped).
    let dialects: DialectCatalog
    /// SIM PINs a technician gave with `unlock --remember`, by ICCID: in this process's memory only, never on disk.
    nonisolated let rememberedPINs = RememberedPINs()
    /// The card readers (PC/SC) and the SIM in each: the `sim-reader` rows (`Station+SIMReaders.swift`).
    public nonisolated let simReaders = SIMReaderBoard()

    /// Creates a station over an open ledger.
    /// Keys are made in the configured style (`wifi.keyStyle`) unless a generator is given (tests).
    public init(config: StationConfig, ledger: Ledger, logger: Logger, keys: WiFiKeyGenerator? = nil,
                dialects: DialectCatalog? = nil) {
        self.liveConfig = LiveConfig(config)
        self.dialects = dialects ?? DialectCatalog(configured: config.dialects ?? [])
        self.ledger = ledger
        self.logger = logger
        self.keys = keys ?? WiFiKeyGenerator(style: config.wifiKeyStyle ?? .characters)
        self.identifiers = DeviceIdentifiers(file: StatePaths(databasePath: ledger.path).stateDirectory + "/device-ids.json")
        self.rateLimiter = CallerRateLimiter(policy: config.moneyRateLimit ?? .default)
        let settings = config.access ?? AccessSettings()
        self.access = AccessPolicy(settings: settings, daemonUID: getuid(),
                                   technicianGID: SystemGroups.gid(named: settings.technicians),
                                   supervisorGID: SystemGroups.gid(named: settings.supervisors))
    }

    // MARK: - Start-up

    /// Settles what a crash left behind, first thing at start; `finishStartup` then reports ready.
    ///
    /// A voucher found in `sending` was (maybe) on the wire when the daemon died: it becomes `applied` when its run had
    /// already recorded the operator's acceptance, else `unknown`, never re-sent; its SIM gets no other voucher until a
    /// person or a balance comparison settles it. A voucher found
    /// `reserved` was never sent and goes back to `available`; runs still `running` end as `daemon-restarted`.
    /// Returns how many vouchers were moved to `unknown`. The balance
    /// comparison runs when the SIM's device is identified (`VoucherSettler`).
    public func recoverAfterStart() async throws -> Int {
        var moved = 0
        var applied = 0
        let sending = try await ledger.reading { ledger in try ledger.unsettledVouchers().filter { $0.state == .sending } }
        for voucher in sending {
            // The run may have recorded the operator's acceptance before the stop: that evidence settles it.
            switch try await ledger.writing({ ledger in try ledger.recoverSending(id: voucher.id, actor: nil) }) {
            case .applied: applied += 1
            case .unknown: moved += 1
            }
        }
        if applied > 0 {
            logger.notice("vouchers found accepted by the operator before the restart settled as applied",
                          metadata: ["voucher.count": "\(applied)"])
        }
        if moved > 0 {
            logger.warning("vouchers held for settlement after restart", metadata: ["voucher.count": "\(moved)"])
        }
        // A `reserved` voucher was never sent (`sending` is committed before the first byte of the USSD), so a run
        // the crash cut short gives it back to the stock instead of holding it forever; the run itself is closed.
        var released = 0
        for voucher in try await ledger.reading({ ledger in try ledger.vouchers(state: .reserved, limit: Int.max) }) {
            try await ledger.writing { ledger in try ledger.releaseVoucher(id: voucher.id, actor: nil) }
            released += 1
        }
        var interrupted = 0
        for run in try await ledger.reading({ ledger in try ledger.provisionings(state: .running, limit: Int.max) }) {
            try await ledger.writing { ledger in
                try ledger.finishProvisioning(id: run.id, outcome: .failed(code: "daemon-restarted",
                                                                        message: "The daemon stopped before this run finished."),
                                              wifiSSID: nil, wifiKey: nil, actor: nil)
            }
            interrupted += 1
        }
        if released > 0 || interrupted > 0 {
            logger.notice("runs cut short by a restart closed", metadata: [
                "voucher.released": "\(released)", "provisioning.count": "\(interrupted)",
            ])
        }
        return moved
    }

    /// Whether start-up recovery is done.
    public var isReady: Bool { ready }

    // MARK: - Devices

    /// Opens a serial port and starts a session on it: identify, then do what the ledger says the SIM is owed under
    /// the station's policy (resume its open order, the default plan for a SIM never served, nothing for a served one).
    ///
    /// `followReplug` (discovery): a device identified as one that went away (same IMEI and ICCID) takes over that
    /// session's last figures. `actor` is the uid of the API caller who attached it (nil: configuration, discovery).
    ///
    /// Only a serial device the station drives is taken: a USB serial (`ttyUSB`) or ACM (`ttyACM`) port, or a
    /// pseudo-terminal of the daemon's own user where the configuration sets `allowPseudoTerminals`; anything else is
    /// refused with 422 `port-not-serial-device` and one message that says nothing about the path
    /// (`notSerialDeviceMessage`). The port is opened off the actor.
    ///
    /// `resynchronise` (default): before its first command the session drains what the device still owes a previous
    /// holder of the port, ends any USSD dialogue and checks the link is in step (`ATSession.resynchronise`); only a
    /// device discovery saw plugged in after start-up (no earlier holder, its port just probed) goes without.
    public func attach(path: String, followReplug: Bool = false, actor: Int? = nil,
                       resynchronise: Bool = true) async throws(StationError) -> DeviceStatus {
        guard !shuttingDown else {
            throw StationError(.unavailable, code: .shuttingDown, message: "The station is shutting down.")
        }
        // A port that came back after its device went away is attached again; the new session takes over the gone
        // one once it has identified the same device.
        var replug = followReplug
        for existing in sessions where existing.port == path {
            if await existing.snapshot().state == .gone, await !existing.isBusy {
                replug = true
                continue
            }
            throw StationError(.conflict, code: .alreadyAttached, message: "\(path) is already attached as \(existing.id).")
        }
        guard portsBeingOpened.insert(path).inserted else {
            throw StationError(.conflict, code: .alreadyAttached, message: "\(path) is being attached.")
        }
        // Only a serial device the station drives is opened (`SerialDevicePolicy`), off the actor: lock files and the
        // driver's open may take a moment, and every other API call goes on meanwhile.
        let options = SerialPortOptions(lockDirectory: config.lockDirectory,
                                        allowPseudoTerminals: config.allowPseudoTerminals ?? false)
        let atSession: ATSession
        do {
            atSession = try await ATSession.open(path: path, options: options,
                                                 resynchronisation: resynchronise ? ATSession.Resynchronisation() : nil,
                                                 logger: logger)
        } catch {
            portsBeingOpened.remove(path)
            throw attachFailure(error, path: path, actor: actor)
        }
        portsBeingOpened.remove(path)
        guard !shuttingDown else {
            await atSession.close()
            throw StationError(.unavailable, code: .shuttingDown, message: "The station is shutting down.")
        }
        detachedPorts.remove(path)
        let channel = SerialChannel(session: atSession)
        let driver = ATDriver(channel: channel, dialects: dialects, dataLockCode: config.wifi.dataLockCode)
        let (session, status) = await addSession(port: path, driver: driver, closeDevice: { await atSession.close() },
                                           replug: replug, actor: actor)
        // Notice an unplug even while the device is idle: the report stream ends when the port goes away.
        Task { [weak session] in
            for await _ in atSession.unsolicitedReports {}
            if await atSession.isGone { await session?.markGone(reason: "the device was unplugged or stopped answering") }
        }
        return status
    }

    /// Attaches a device that a driver other than the AT one reaches (a HiLink web API, a card reader): its session
    /// identifies it and provisions it under the same money rules. `port` names it in lists (`http://192.168.8.1`
    /// over `usb0`); `closeDevice` ends the driver's connection. The caller reports its loss with `driverGone(port:)`.
    public func attach(driver: any DeviceDriver, port: String, closeDevice: @escaping @Sendable () async -> Void,
                       actor: Int? = nil) async throws(StationError) -> DeviceStatus {
        guard !shuttingDown else {
            throw StationError(.unavailable, code: .shuttingDown, message: "The station is shutting down.")
        }
        for existing in sessions where existing.port == port {
            if await existing.snapshot().state == .gone, await !existing.isBusy { continue }
            throw StationError(.conflict, code: .alreadyAttached, message: "\(port) is already attached as \(existing.id).")
        }
        return await addSession(port: port, driver: driver, closeDevice: closeDevice, replug: true, actor: actor).1
    }

    /// Opens a device named by a URL (a HiLink unit, `http://HOST[:PORT]`, bound to `interface` when given); set by the
    /// daemon, which knows the drivers. Nil: only serial ports are attached by hand.
    var urlOpener: (@Sendable (_ url: String, _ interface: String?) async -> Result<NetworkDeviceConnection, StationError>)?

    /// Sets how devices named by a URL are opened (`hotspotctl attach http://…`).
    public func openURLDevices(with opener: @escaping @Sendable (_ url: String, _ interface: String?) async -> Result<NetworkDeviceConnection, StationError>) {
        urlOpener = opener
    }

    /// Attaches the device at `url` (a HiLink unit that discovery did not find, or a simulated one): its driver logs in
    /// and checks it answers, then its session identifies and provisions it like any other device.
    public func attach(url: String, interface: String?, actor: Int?) async throws(StationError) -> DeviceStatus {
        guard let opener = urlOpener else {
            throw StationError(.unprocessable, code: .urlDevicesUnsupported,
                               message: "This station attaches only serial ports by hand; \(url) is not one.")
        }
        switch await opener(url, interface) {
        case .success(let connection):
            do {
                return try await attach(driver: connection.driver, port: connection.port, closeDevice: connection.close,
                                        actor: actor)
            } catch {
                await connection.close()
                throw error
            }
        case .failure(let error):
            throw error
        }
    }

    /// One PIN attempt, given by a technician, on the SIM of a hotspot or modem that waits for its PIN; the device is
    /// read again and, unlocked, goes on as its SIM is owed. `remember` keeps the PIN for this SIM's later
    /// identifications, in memory only. The attempt is recorded in the ledger (never the PIN).
    public func unlockDevice(_ reference: String, pin: String, remember: Bool, actor: Int?) async throws(StationError) -> UnlockResult {
        guard (4...8).contains(pin.utf8.count), pin.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw StationError(.malformedRequest, code: .pinFormat, message: "A SIM PIN is 4 to 8 digits.")
        }
        let session = try await find(reference)
        let iccid = await session.currentIdentity()?.iccid?.digits
        let outcome = try await session.unlock(pin: pin, actor: actor)
        if outcome.accepted, remember, let iccid { rememberedPINs.remember(pin, for: iccid) }
        if let iccid {
            let port = session.port
            _ = try? await ledger.writing { ledger in
                try ledger.recordPINAttempt(iccid: iccid, reader: port, accepted: outcome.accepted, triesBefore: outcome.triesBefore,
                                            triesAfter: outcome.triesAfter, actor: actor)
            }
        }
        return UnlockResult(accepted: outcome.accepted, triesBefore: outcome.triesBefore, triesAfter: outcome.triesAfter,
                            simState: outcome.state, device: Self.redact(await session.snapshot(), reveal: false))
    }

    /// Marks the device attached at `port` gone (its driver lost it: an interface removed, a reader unplugged).
    public func driverGone(port: String, reason: String) async {
        for session in sessions where session.port == port {
            await session.markGone(reason: reason)
        }
    }

    /// Creates the session of a device reached through `driver`, lists it and starts it (identification, then what
    /// the ledger says its SIM is owed), unless daemons died handling it twice in a row (then it is quarantined).
    private func addSession(port path: String, driver: any DeviceDriver, closeDevice: @escaping @Sendable () async -> Void,
                            replug: Bool, actor: Int?) async -> (DeviceSession, DeviceStatus) {
        let id = identifiers.allocate()
        var deviceLogger = logger
        deviceLogger[metadataKey: "device.id"] = "\(id)"
        // Sessions read the configuration when they use it: a reload reaches devices already attached.
        let dependencies = DeviceSessionDependencies(
            driver: driver, closeDevice: closeDevice, ledger: ledger, config: liveConfig, keys: keys,
            rememberedPINs: rememberedPINs, events: events, logger: deviceLogger, followsReplug: replug, host: self)
        let session = DeviceSession(id: id, port: path, dependencies: dependencies)
        sessions.append(session)
        logger.info("device attached", metadata: ["device.id": "\(id)", "port.path": "\(path)"])
        await session.begin(intent: OrderIntent(origin: .policy, plan: nil, defaultPlan: config.defaultPlan), actor: actor)
        return (session, DeviceStatus(id: id, port: path, state: .connecting, updatedAt: Date()))
    }

    /// What the quarantine counts daemons' unfinished handlings under: the port and the creation time of its device
    /// node. A device that stays plugged keeps its node (and its count) across restarts; another device plugged in on
    /// the same name (ttyUSB0 again, a pty number reused) gets a new node, and a clean count.
    nonisolated static func handlingKey(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return path }
        return "\(path)#\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
    }

    /// Attaches a port named by the configuration (or `--device`) and keeps it attached: when its device goes away
    /// and the path comes back (a re-plug, a modem that reset), it is attached again, and the ledger decides what its
    /// SIM is owed, as for any attach: nothing more for a SIM already served.
    ///
    /// A path that keeps coming back only to fail is retried with a growing pause (up to 30 s), never in a tight loop.
    public func attachConfigured(path: String) async throws(StationError) {
        // A pseudo-terminal's number is handed to the next program that asks for one: a configured /dev/pts/N that
        // comes back is someone else's terminal, not our device (a simulator's stable link is followed instead).
        guard !path.hasPrefix("/dev/pts/") else {
            _ = try await attach(path: path)
            return
        }
        let watcher = Task { [weak self] in
            var pause = Duration.milliseconds(500)
            while !Task.isCancelled {
                try? await Task.sleep(for: pause)
                guard let self, !Task.isCancelled else { return }
                guard await !self.detachedPorts.contains(path), await self.livePort(among: [path]) == nil,
                      FileManager.default.fileExists(atPath: path) else {
                    pause = .milliseconds(500)
                    continue
                }
                do {
                    _ = try await self.attach(path: path, followReplug: true)
                    pause = .milliseconds(500)
                } catch {
                    pause = min(pause * 2, .seconds(30))
                }
            }
        }
        configuredPortWatchers.append(watcher)
        _ = try await attach(path: path)
    }

    /// Every device, redacted unless `reveal`.
    ///
    /// `identifiers` (a supervisor's reveal) also shows full IMEI, IMSI and ICCID; `reveal` alone shows the Wi-Fi key
    /// and QR code a technician hands over.
    public func devices(reveal: Bool, identifiers: Bool? = nil) async -> [DeviceStatus] {
        var result: [DeviceStatus] = []
        for session in sessions {
            result.append(await shownStatus(session, reveal: reveal, identifiers: identifiers ?? reveal))
        }
        return result + placeholderStatuses + (await simReaderStatuses(reveal: reveal, identifiers: identifiers ?? reveal))
    }

    /// One device by id, port, IMEI or ICCID (whole or unique last digits); `identifiers` as for `devices`.
    public func device(_ reference: String, reveal: Bool, identifiers: Bool? = nil) async throws(StationError) -> DeviceStatus {
        if let listed = discovered.placeholders.values.first(where: { $0.id == reference }) { return listed }
        let session = try await find(reference)
        return await shownStatus(session, reveal: reveal, identifiers: identifiers ?? reveal)
    }

    /// Starts or resumes provisioning on a technician's request: the SIM's open order, or a new order for a SIM not yet
    /// served; `again` orders credit and Wi-Fi anew for a served SIM.
    ///
    /// Everything checkable is checked before anything runs: the plan, the Wi-Fi name and key (the characters a
    /// hotspot stores), and whether the SIM the device last showed is already served (409 `already-served`, with what
    /// to do instead). The run checks again once it has identified the SIM now in the device.
    public func provision(_ reference: String, request: ProvisionRequest, actor: Int?) async throws(StationError) -> DeviceStatus {
        let session = try await find(reference)
        if let planName = request.plan { _ = try checkedPlan(planName) }
        try Self.checkWiFi(ssid: request.ssid, key: request.key)
        let origin: OrderOrigin = request.again == true ? .again : .provision
        // No plan named: an open order is resumed as it is; a new order gets the default plan.
        let intent = OrderIntent(origin: origin, plan: request.plan, defaultPlan: config.defaultPlan,
                                 wifiSSID: request.ssid, wifiKey: request.key)
        try await precheck(session, intent: intent)
        try await session.requestProvisioning(intent: intent, actor: actor)
        return Self.redact(await session.snapshot(), reveal: false)
    }

    /// Buys more credit for the SIM in a device (a new order, money only): the Wi-Fi and the card handed over stay.
    public func topUp(_ reference: String, request: TopUpRequest, actor: Int?) async throws(StationError) -> DeviceStatus {
        let session = try await find(reference)
        _ = try checkedPlan(request.plan)
        guard await session.snapshot().iccid != nil else {
            throw StationError(.conflict, code: .simUnknown,
                               message: "Device \(session.id) has no identified SIM yet: wait until it is identified, then top up.")
        }
        let intent = OrderIntent(origin: .topup, plan: request.plan)
        try await precheck(session, intent: intent)
        try await session.requestProvisioning(intent: intent, actor: actor)
        return Self.redact(await session.snapshot(), reveal: false)
    }

    private func checkedPlan(_ name: String) throws(StationError) -> Plan {
        guard let plan = config.plan(named: name) else {
            throw StationError(.unprocessable, code: .unknownPlan,
                               message: "Plan \(name) is not configured: choose one of \(config.plans.map(\.name).joined(separator: ", ")).")
        }
        return plan
    }

    /// A technician's Wi-Fi name and key, checked with the same allowlists the hotspot commands use.
    static func checkWiFi(ssid: String?, key: String?) throws(StationError) {
        do {
            if let ssid { _ = try ATCommand.setSSID(index: 0, ssid: ssid) }
            if let key { _ = try ATCommand.setWPAKey(index: 0, key: key) }
        } catch {
            throw StationError(.unprocessable, code: .wifiInvalid,
                               message: "The Wi-Fi settings cannot be stored by a hotspot: \(error). Use 1–32 plain ASCII "
                                   + "characters for the name and 8–63 for the key, without quotes or semicolons.",
                               details: error.facts)
        }
    }

    /// Refuses at once what the ledger would refuse for the SIM the device last showed (no run, no AT traffic).
    private func precheck(_ session: DeviceSession, intent: OrderIntent) async throws(StationError) {
        let planRequired = StationError(.unprocessable, code: .planRequired,
                                        message: "No plan given and no default plan configured: choose one of \(config.plans.map(\.name).joined(separator: ", ")).")
        guard let iccid = await session.snapshot().iccid else {
            if intent.planForNewOrder == nil { throw planRequired }
            return
        }
        let service: SIMService
        do {
            service = try await ledger.reading { ledger in try ledger.simService(iccid: iccid) }
        } catch {
            throw StationError(.internalFailure, code: .ledgerIO, message: "The ledger could not be read: \(error)")
        }
        switch OrderDecision.decide(intent, service: service) {
        case .refused(let code, let message): throw StationError(.conflict, code: code, message: message)
        case .nothingToDo: throw planRequired
        default: return
        }
    }

    /// Waits until every device's run has ended (tests and shutdown).
    public func waitUntilIdle() async {
        for session in sessions { await session.waitUntilIdle() }
    }

    /// Closes every device (shutdown).
    public func shutdown() async {
        shuttingDown = true
        for watcher in configuredPortWatchers { watcher.cancel() }
        configuredPortWatchers = []
        for session in sessions { await session.markGone(reason: "the station is shutting down") }
        await events.finishAll()
    }

    /// How many devices are attached.
    public var deviceCount: Int { sessions.count }

    /// The ids of every attached device, in attach order.
    var sessionIDs: [String] { sessions.map(\.id) }

    func find(_ reference: String) async throws(StationError) -> DeviceSession {
        let reference = discovered.resolve(await resolveStableID(reference))
        if let session = sessions.first(where: { $0.id == reference || $0.port == reference }) { return session }
        var matches: [DeviceSession] = []
        for session in sessions {
            let status = await session.snapshot()
            let digits = Self.identifierDigits(reference) ?? reference
            if Redaction.matches(digits, status.imei) || Redaction.matches(digits, status.iccid?.uppercased()) {
                matches.append(session)
            }
        }
        if matches.count == 1, let only = matches.first { return only }
        if matches.count > 1 {
            throw StationError(.conflict, code: .ambiguousDevice,
                               message: "\(reference) matches \(matches.count) devices: give more digits or the device id.")
        }
        throw StationError(.notFound, code: .deviceNotFound, message: "No device matches \(reference).")
    }

    /// Hides identifiers that ledger details carry (`imsi`, `iccid`, `imei` keys) unless revealed.
    static func redact(detail: [String: String], reveal: Bool) -> [String: String] {
        guard !reveal else { return detail }
        var copy = detail
        for (key, value) in detail where ["imsi", "iccid", "imei"].contains(where: { key.lowercased().contains($0) }) {
            copy[key] = Redaction.identifier(value, reveal: false)
        }
        return copy
    }

    static func redact(_ status: DeviceStatus, reveal: Bool, identifiers: Bool? = nil) -> DeviceStatus {
        var copy = status
        let showIdentifiers = identifiers ?? reveal
        copy.imei = Redaction.identifier(status.imei, reveal: showIdentifiers)
        copy.imsi = Redaction.identifier(status.imsi, reveal: showIdentifiers)
        copy.iccid = Redaction.identifier(status.iccid, reveal: showIdentifiers)
        if !reveal, var wifi = copy.wifi {
            wifi.key = nil
            wifi.qrPayload = nil
            copy.wifi = wifi
        }
        return copy
    }

    // MARK: - Plans, vouchers, ledger

    /// The configured plans with their available voucher counts.
    public func plans() async throws(StationError) -> [PlanInfo] {
        let counts = try await readLedger { ledger in try ledger.voucherCounts() }
        return config.plans.map { plan in
            PlanInfo(name: plan.name, megabytes: plan.megabytes, priceCents: plan.priceCents,
                     isDefault: plan.name == config.defaultPlan, vouchersAvailable: counts[plan.name]?[.available] ?? 0)
        }
    }

    /// Imports a voucher CSV (`code,plan` with a header): all rows or none.
    ///
    /// Off the actor: a book of thousands of vouchers is one long transaction, during which devices and other API
    /// calls keep being served.
    public nonisolated func importVouchers(_ request: VoucherImportRequest, actor: Int?) async throws(StationError) -> VoucherImportResult {
        let rows: [VoucherCSV.Row]
        do {
            rows = try VoucherCSV.parse(request.csv, plans: config.plans.map { VoucherCSV.PlanName(name: $0.name, megabytes: $0.megabytes) })
        } catch {
            throw StationError(.unprocessable, code: .invalidVoucherFile, message: "\(request.fileName): \(error.description)")
        }
        let entries = rows.map { (code: $0.code, plan: $0.plan) }
        let imported = try await writeLedger(file: request.fileName, lines: rows.map(\.line)) { ledger in
            try ledger.importVouchers(entries, actor: actor)
        }
        logger.info("vouchers imported", metadata: ["voucher.count": "\(imported)"])
        return VoucherImportResult(imported: imported)
    }

    /// Vouchers, optionally of one state.
    public func vouchers(state: String?, limit: Int, reveal: Bool) async throws(StationError) -> [VoucherInfo] {
        var filter: VoucherState?
        if let state {
            guard let parsed = VoucherState(rawValue: state) else {
                throw StationError(.unprocessable, code: .invalidState,
                                   message: "State must be one of \(VoucherState.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            filter = parsed
        }
        let list = try await readLedger { [filter] ledger in try ledger.vouchers(state: filter, limit: limit) }
        return list.map { Self.voucherInfo($0, reveal: reveal) }
    }

    /// A voucher as the API shows it: code and ICCID redacted unless `reveal`.
    static func voucherInfo(_ voucher: Voucher, reveal: Bool) -> VoucherInfo {
        VoucherInfo(id: voucher.id, code: Redaction.voucherCode(voucher.code, reveal: reveal), plan: voucher.plan,
                    state: voucher.state.rawValue, iccid: Redaction.identifier(voucher.iccid, reveal: reveal),
                    provisioningID: voucher.provisioningID, balanceBeforeMB: voucher.balanceBeforeMB.map(Int.init),
                    balanceAfterMB: voucher.balanceAfterMB.map(Int.init), updatedAt: voucher.updatedAt)
    }

    /// Ledger events, newest last.
    public func ledgerEvents(iccid: String?, imei: String?, since: Date?, limit: Int, reveal: Bool) async throws(StationError) -> [LedgerEventInfo] {
        let rows = try await readLedger { ledger in try ledger.events(iccid: iccid, imei: imei, since: since, limit: limit) }
        return rows.map { event in
            LedgerEventInfo(seq: event.seq, at: event.at, kind: event.kind, provisioningID: event.provisioningID,
                            imei: Redaction.identifier(event.deviceIMEI, reveal: reveal),
                            iccid: Redaction.identifier(event.iccid, reveal: reveal), voucherID: event.voucherID,
                            actorUID: event.actorUID, detail: Self.redact(detail: event.detail, reveal: reveal),
                            hash: event.hash)
        }
    }

    /// Runs ledger queries on a read snapshot, on a reader's own queue (`Ledger.reading`): neither the actor nor a
    /// thread of the cooperative pool waits for the read. Ledger errors become the API's.
    nonisolated func readLedger<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws -> T) async throws(StationError) -> T {
        do {
            return try await ledger.reading(body)
        } catch {
            throw Self.stationError(anyError: error, file: nil, lines: [])
        }
    }

    /// Runs ledger writes as one write of the ledger's next group commit (`Ledger.writing`): neither the actor nor a
    /// thread of the cooperative pool waits for the commit. Ledger errors become the API's; for an import, `file` and
    /// `lines` name the rows a refusal is about.
    nonisolated func writeLedger<T: Sendable>(file: String? = nil, lines: [Int] = [],
                                              _ body: @escaping @Sendable (Ledger) throws -> T) async throws(StationError) -> T {
        do {
            return try await ledger.writing(body)
        } catch {
            throw Self.stationError(anyError: error, file: file, lines: lines)
        }
    }

    /// Any error out of a ledger call as the API reports it.
    static func stationError(anyError error: any Error, file: String?, lines: [Int]) -> StationError {
        if let error = error as? LedgerError { return stationError(error, file: file, lines: lines) }
        return StationError(.internalFailure, code: .ledgerIO, message: String(describing: error))
    }

    /// A ledger error as the API reports it; for an import, the rows it names become the file's line numbers.
    static func stationError(_ error: LedgerError, file: String?, lines: [Int]) -> StationError {
        var message = error.message
        if let file {
            // The ledger names rows by their position in the batch; name the file's lines instead.
            let named = error.lines.compactMap { $0 >= 1 && $0 <= lines.count ? lines[$0 - 1] : nil }
            if !named.isEmpty {
                let what = error.code == .duplicateVoucher ? "voucher already imported" : "refused by the ledger"
                message = "line \(named.map(String.init).joined(separator: ", ")): \(what); nothing imported"
            }
            message = "\(file): " + message
        }
        let kind: StationError.Kind
        switch error.code {
        case .notFound: kind = .notFound
        case .duplicateVoucher, .invalidVoucherCode, .invalidArgument: kind = .unprocessable
        case .diskFull: kind = .storageFull
        case .busy: kind = .unavailable
        default: kind = .internalFailure
        }
        return StationError(kind, code: LedgerRecorder.code(error.code), message: message)
    }
}

extension Station: DeviceSessionHost {
    /// A session's identification attempt ended: its device's stable id is bound (whoever looks at it, or no one),
    /// and start-up stops waiting for it.
    func identificationEnded(sessionID: String, identity: DeviceIdentity?) {
        if let identity { bindStableID(sessionID, identity: identity) }
        deviceIdentified(sessionID)
    }
}

/// SIM PINs given by a technician with `unlock --remember`, by ICCID, kept in memory only (a restart forgets them).
final class RememberedPINs: Sendable {
    private let pins = Mutex<[String: String]>([:])

    /// Keeps `pin` for the SIM `iccid`.
    func remember(_ pin: String, for iccid: String) { pins.withLock { $0[iccid] = pin } }

    /// Every remembered PIN, by ICCID.
    var all: [String: String] { pins.withLock { $0 } }
}

/// The station's configuration, replaceable while devices stay attached (`Station.reload`).
final class LiveConfig: Sendable {
    private let value: Mutex<StationConfig>

    init(_ config: StationConfig) { value = Mutex(config) }

    /// The configuration in force.
    var current: StationConfig { value.withLock { $0 } }

    /// Puts `config` in force.
    func replace(with config: StationConfig) { value.withLock { $0 = config } }
}
