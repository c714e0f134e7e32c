import ArgumentParser
import DeviceCatalog
import DeviceDiscovery
#if canImport(Glibc)
import Glibc
#endif
import HiLinkStation
import Ledger
import Logging
import ServiceLifecycle
import Station

/// `hotspotd`: the provisioning station daemon.
@main
struct Hotspotd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotspotd",
        abstract: "Provision mobile hotspots, modem sticks and SIMs plugged into this station.",
        discussion: "Reads its plans and operator profiles from --config, keeps every step in the SQLite ledger at "
            + "--database, and serves hotspotctl on the Unix socket at --socket.",
        version: Station.version)

    @Option(name: .long, help: "Configuration file (JSON).")
    var config: String = "/etc/hotspotd/hotspotd.json"

    @Option(name: .long, help: "Ledger database file.")
    var database: String = "/var/lib/hotspotd/ledger.sqlite"

    @Option(name: .long, help: "Control socket path.")
    var socket: String = "/run/hotspotd/api.sock"

    @Option(name: .long, help: "A serial port to attach at start (repeatable), in addition to the config's 'devices'.")
    var device: [String] = []

    @Flag(name: .long, help: "Do not watch udev for USB devices (only --device, the config's 'devices' and hotspotctl attach).")
    var noDiscovery = false

    @Option(name: .long, help: "USB device catalog directory (repeatable, read in order); replaces the config's discovery.catalogDirectories.")
    var catalog: [String] = []

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Flag(name: .long, help: "Check the configuration and exit.")
    var checkConfig = false

    @Option(name: .long, help: ArgumentHelp(
        "A group (name or number) whose members, by their primary group, share the API connections kept for root and the daemon.",
        valueName: "group"))
    var supervisorGroup: String?

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "hotspotd")

        let stationConfig: StationConfig
        do {
            stationConfig = try StationConfig.load(path: config)
        } catch {
            Self.complain("hotspotd: \(error.description)\n")
            throw ExitCode(78)  // EX_CONFIG
        }
        if let problem = stationConfig.pathProblems(databasePath: database).first {
            Self.complain("hotspotd: \(ConfigError(file: config, key: problem.key, reason: problem.reason).description)\n")
            throw ExitCode(78)  // EX_CONFIG
        }
        // Dialect files (the station's own, then the shipped ones) are configuration too: a broken one stops the start.
        let dialects: DialectCatalog
        do {
            dialects = try stationConfig.loadDialectCatalog()
        } catch {
            Self.complain("hotspotd: dialects: \(error.description)\n")
            throw ExitCode(78)  // EX_CONFIG
        }
        var supervisorGroupID: UInt32?
        if let supervisorGroup {
            guard let gid = Self.groupID(supervisorGroup) else {
                Self.complain("hotspotd: --supervisor-group: no group \(supervisorGroup)\n")
                throw ExitCode(78)  // EX_CONFIG
            }
            supervisorGroupID = gid
        }
        if checkConfig {
            print("\(config): ok (\(stationConfig.plans.count) plans, \(stationConfig.operators.count) operators, \(dialects.dialects.count) dialects)")
            return
        }
        let ledger: Ledger
        do {
            ledger = try Ledger(path: database)
        } catch {
            Self.complain("hotspotd: ledger \(database): \(error.message)\n")
            throw ExitCode(74)  // EX_IOERR
        }
        let station = Station(config: stationConfig, ledger: ledger, logger: logger, dialects: dialects)
        // HiLink units (web API, no AT port): found by discovery behind their USB interface, or named by a person.
        let hiLink = stationConfig.hilink ?? HiLinkSettings()
        await station.openURLDevices(with: hiLink.urlOpener())
        // `hotspotctl reload` and SIGHUP (`ReloadService`) read the file again, checked as at start; sessions stay.
        let configPath = config
        await station.readConfiguration { () throws(ConfigError) -> StationConfig in try StationConfig.load(path: configPath) }
        // A hang-up before `ReloadService` listens for it is not a stop (its default action would end the daemon).
        signal(SIGHUP, SIG_IGN)
        // What a crash left in the ledger is settled before any service starts: no API call, discovered device or
        // session sees it.
        let held: Int
        do {
            held = try await station.recoverAfterStart()
        } catch {
            let reason = (error as? StationError)?.message ?? (error as? LedgerError)?.message ?? String(describing: error)
            Self.complain("hotspotd: ledger \(database): \(reason)\n")
            throw ExitCode(74)  // EX_IOERR
        }
        let apiListening = StartupGate()
        // The group starts every service at once and, at SIGTERM or SIGINT, tells them to stop one after the other
        // from the last: the API (STOPPING, no new requests), SIGHUP, SIM readers, discovery, and the station last,
        // which closes every device (a run in flight records how it ended).
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: StationService(station: station, devices: (stationConfig.devices ?? []) + device,
                                          heldAfterRestart: held, apiListening: apiListening, logger: logger)),
        ]
        let discoverySettings = stationConfig.discovery ?? DiscoverySettings()
        if discoverySettings.isEnabled && !noDiscovery {
            let directories = catalog.isEmpty ? discoverySettings.directories : catalog
            let usbCatalog: USBDeviceCatalog
            do {
                usbCatalog = try USBDeviceCatalog.load(directories: directories)
            } catch {
                Self.complain("hotspotd: device catalog: \(error.description)\n")
                throw ExitCode(78)  // EX_CONFIG
            }
            // The AT port per device serial survives restarts in a small file next to the ledger (the unit's
            // StateDirectory), unless discovery.portMemoryFile names another one or is null (memory only). An unreadable
            // or unwritable file is logged and the memory works for this run anyway.
            let portMemoryFile = discoverySettings.portMemoryPath(
                default: DiscoverySettings.defaultPortMemoryFile(databasePath: database))
            let memory = ATPortMemory(file: portMemoryFile, logger: logger)
            // The probe reads and takes UUCP lock files in the same directory as the station's serial ports.
            let prober = ATPortProber(lockDirectory: stationConfig.lockDirectory)
            logger.info("USB discovery on", metadata: ["catalog.entries": "\(usbCatalog.entries.count)",
                                                       "catalog.directories": "\(directories.joined(separator: ","))",
                                                       "modeSwitch": "\(discoverySettings.isModeSwitchEnabled)",
                                                       "portMemory.file": "\(portMemoryFile ?? "none (memory only)")",
                                                       "lock.directory": "\(stationConfig.lockDirectory ?? "none")"])
            if usbCatalog.entries.isEmpty {
                // Not fatal (generic ACM modems and ports given by hand still work), but no Huawei device will be
                // recognised: say so where the technician looks, not only in a count.
                logger.warning("the USB device catalog is empty: no known device will be recognised; install catalog/devices (README, 'Using it on a station') or pass --catalog catalog/devices",
                               metadata: ["catalog.directories": "\(directories.joined(separator: ","))"])
            }
            // Discovery ending (no udev in a container) must not stop the daemon: ports given by hand still work.
            services.append(.init(service: DiscoveryService(station: station, catalog: usbCatalog,
                                                            modeSwitch: discoverySettings.isModeSwitchEnabled, logger: logger,
                                                            prober: prober, memory: memory,
                                                            networkDevices: hiLink.discoveryOpener()),
                                  successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore))
        }
        // SIM readers are pcscd's: without pcscd the rows stay empty and the daemon carries on.
        services.append(.init(service: SIMReaderService(station: station, logger: logger),
                              successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore))
        services.append(.init(service: ReloadService(station: station, logger: logger)))
        services.append(.init(service: APIServerService(station: station, socketPath: socket,
                                                        supervisorGroupID: supervisorGroupID ?? station.access.supervisorGID,
                                                        listening: apiListening, logger: logger)))
        let group = ServiceGroup(configuration: .init(services: services,
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Writes `line` on standard error, as it is (a start-up refusal, before logging is of use).
    static func complain(_ line: String) {
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// The gid of a group given by number or by name (from the group database); nil when there is no such group.
    static func groupID(_ text: String) -> UInt32? {
        if let number = UInt32(text) { return number }
        guard let entry = getgrnam(text) else { return nil }
        return entry.pointee.gr_gid
    }
}
