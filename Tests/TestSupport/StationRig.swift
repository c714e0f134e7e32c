import Foundation
import Ledger
import Logging
import ModemSimulator
import Station
import StationAPI

/// A real `Station` over a fresh ledger in a temporary directory, in process, with no device and no socket: the part
/// every station test builds the same way. Devices come from a `SimulatorHost` or a `FakeModem` the test starts;
/// the directory (ledger, operator state, pty links) goes when the rig is released.
public final class StationRig: Sendable {
    /// Where the ledger (`ledger.sqlite`) and anything else of the test live.
    public let directory: TemporaryDirectory
    /// The station's ledger.
    public let ledger: Ledger
    /// The configuration the station runs with.
    public let config: StationConfig
    /// The station.
    public let station: Station

    /// A station over `directory/ledger.sqlite` with `config` (see `configuration(...)` for the usual one).
    public init(config: StationConfig, label: String = "station-test", directory: TemporaryDirectory? = nil) throws {
        self.directory = try directory ?? TemporaryDirectory(prefix: label)
        ledger = try Ledger(path: self.directory.file("ledger.sqlite"))
        self.config = config
        station = Station(config: config, ledger: ledger, logger: Logger(label: label))
    }

    /// The configuration of the station tests: plans of 500 MB and 2 GB, the simulator's operator "SimuNet"
    /// (MCC-MNC 00101, recharge `*123*{code}#`, balance `*100#`, 5 s replies), no lock directory; `extra` is inserted
    /// as further top-level members (each followed by a comma), e.g. `"allowPseudoTerminals": true,`.
    public static func configuration(defaultPlan: String? = nil, extra: String = "") throws -> StationConfig {
        let plan = defaultPlan.map { "\"\($0)\"" } ?? "null"
        return try StationConfig.parse(Data("""
            {
              "plans": [{ "name": "500MB", "megabytes": 500 }, { "name": "2GB", "megabytes": 2048 }],
              "defaultPlan": \(plan),
              "wifi": { "ssidTemplate": "Connexion-{iccid4}", "keyLength": 12, "dataLockCode": "73546213" },
              "operators": [{ "name": "SimuNet", "mccmnc": ["00101"], "rechargeTemplate": "*123*{code}#",
                              "balanceCode": "*100#", "successPattern": "rechargement reussi",
                              "refusalPattern": "invalide|deja utilise", "balancePattern": "solde data[^0-9]*([0-9]+) Mo",
                              "replyTimeoutSeconds": 5 }],
              \(extra)
              "lockDirectory": null
            }
            """.utf8), file: "test.json")
    }

    /// The states a device run ends in (or waits in for a person).
    public static let settledStates: Set<DeviceState> = [.done, .failed, .gone, .awaitingPlan]

    /// Waits (bounded) until device `id` of `station` is in one of `states`, then until its run has ended; returns its
    /// status then (secrets revealed). Throws when it does not get there within `limit`.
    @discardableResult
    public static func settled(_ station: Station, _ id: String, in states: Set<DeviceState> = settledStates,
                               within limit: Duration = .seconds(30)) async throws -> DeviceStatus {
        let reached = await eventually(timeout: limit, every: .milliseconds(20)) {
            guard let status = try? await station.device(id, reveal: true) else { return false }
            return states.contains(status.state)
        }
        guard reached else { throw RigTimeout(description: "device \(id) did not reach \(states) within \(limit)") }
        await station.waitUntilIdle()
        return try await station.device(id, reveal: true)
    }

    /// `settled(station, id, in:within:)` on the rig's station.
    @discardableResult
    public func settled(_ id: String, in states: Set<DeviceState> = StationRig.settledStates,
                        within limit: Duration = .seconds(30)) async throws -> DeviceStatus {
        try await Self.settled(station, id, in: states, within: limit)
    }

    /// The repository's root (the shipped personalities, catalog and fixtures are read from there).
    public static let repositoryRoot: String = {
        // Tests/TestSupport/StationRig.swift → the repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }()

    /// The shipped simulator personality `name` (`simulator/personalities/<name>.json`).
    public static func shippedPersonality(_ name: String) throws -> Personality {
        try Personality.load(repositoryRoot + "/simulator/personalities/\(name).json")
    }
}

/// A rig's bounded wait ran out.
public struct RigTimeout: Error, CustomStringConvertible {
    /// What did not happen in time.
    public let description: String
}
