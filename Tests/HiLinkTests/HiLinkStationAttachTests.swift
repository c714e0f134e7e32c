import Foundation
import HiLink
import HiLinkSimulator
import HiLinkStation
import Ledger
import Logging
@testable import Station
import StationAPI
import Testing
import TestSupport

/// `hotspotctl attach http://HOST:PORT` on a real station: the unit named by a person is opened with the configured
/// password, identified, credited once and given its Wi-Fi by the default plan; a restart charges nothing again.
@Suite(.serialized) struct HiLinkStationAttachTests {
    static func config(password: String) throws -> StationConfig {
        try StationConfig.parse(Data("""
            {
              "plans": [{ "name": "1GB", "megabytes": 1024 }],
              "defaultPlan": "1GB",
              "wifi": { "ssidTemplate": "Connexion-{iccid4}", "keyLength": 12 },
              "operators": [{ "name": "SimuNet", "mccmnc": ["00101"], "rechargeTemplate": "*123*{code}#",
                              "balanceCode": "*100#", "successPattern": "rechargement reussi",
                              "refusalPattern": "invalide|deja utilise", "balancePattern": "solde data[^0-9]*([0-9]+) Mo",
                              "replyTimeoutSeconds": 5 }],
              "hilink": { "password": "\(password)", "loginAttempts": 2 },
              "lockDirectory": null
            }
            """.utf8), file: "test.json")
    }

    static func station(ledger: Ledger, config: StationConfig) async -> Station {
        let station = Station(config: config, ledger: ledger, logger: Logger(label: "hilink-attach-test"))
        await station.openURLDevices(with: (config.hilink ?? HiLinkSettings()).urlOpener())
        return station
    }

    static func settled(_ station: Station, _ id: String) async throws -> DeviceStatus {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            for device in await station.devices(reveal: true) where device.id == id || device.port.hasPrefix("http://") {
                if [.done, .failed, .gone, .awaitingPlan].contains(device.state) {
                    await station.waitUntilIdle()
                    return try await station.device(device.id, reveal: true)
                }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw StationError(status: 504, code: "test-timeout", message: "device \(id) did not settle")
    }

    @Test func aUnitAttachedByURLIsCreditedOnceAndARestartChargesNothing() async throws {
        let sim = try await HiLinkFixture.start(.e5576WebUI10, replyDelayMs: 20)
        defer { Task { await sim.stop() } }
        let temporary = try TemporaryDirectory(prefix: "hilink-attach")
        let path = temporary.file("ledger.sqlite")
        let ledger = try Ledger(path: path)
        _ = try ledger.importVouchers([(HiLinkFixture.voucher, "1GB"), (HiLinkFixture.otherVoucher, "1GB")], actor: nil)
        let config = try Self.config(password: sim.unit.personality.password ?? "")
        let url = "http://127.0.0.1:\(sim.server.port)"

        let station = await Self.station(ledger: ledger, config: config)
        _ = try await station.recoverAfterStart()
        let attached = try await station.attach(url: url, interface: nil, actor: 1000)
        #expect(attached.port == "http://127.0.0.1:\(sim.server.port)")
        let done = try await Self.settled(station, attached.id)
        #expect(done.state == .done, "\(String(describing: done.failure))")
        #expect(done.role == .hotspot)
        #expect(done.wifi?.ssid == sim.unit.wifi.ssid)
        #expect(sim.ledger.snapshot().recharges == 1)
        await station.shutdown()

        // The daemon starts again; the unit is attached again by URL: its SIM is served, nothing is charged.
        let restarted = await Self.station(ledger: try Ledger(path: path), config: config)
        _ = try await restarted.recoverAfterStart()
        let again = try await restarted.attach(url: url, interface: nil, actor: 1000)
        let served = try await Self.settled(restarted, again.id)
        #expect(served.state == .done)
        #expect(sim.ledger.snapshot().recharges == 1, "one sale, one credit")
        #expect(try ledger.vouchers(state: .available).count == 1)
        await restarted.shutdown()
    }

    @Test func aWrongPasswordIsReportedAndTheUnitIsNotHammered() async throws {
        let sim = try await HiLinkFixture.start(.e5576WebUI10, replyDelayMs: 20)
        defer { Task { await sim.stop() } }
        let ledger = try Ledger.temporary()
        _ = try ledger.importVouchers([(HiLinkFixture.voucher, "1GB")], actor: nil)
        let station = await Self.station(ledger: ledger, config: try Self.config(password: "not-the-password"))
        // Opening may succeed (some pages need no login); the run then fails on the login, typed, with no voucher used.
        do {
            let attached = try await station.attach(url: "http://127.0.0.1:\(sim.server.port)", interface: nil, actor: 1000)
            let failed = try await Self.settled(station, attached.id)
            #expect(failed.state == .failed)
            #expect(failed.failure?.code.hasPrefix("login") == true, "\(String(describing: failed.failure))")
        } catch {
            #expect((error as? StationError)?.code.hasPrefix("login") == true, "\(error)")
        }
        #expect((sim.unit.stats.requests["/api/user/login"] ?? 0) <= 2, "at most the configured login attempts")
        #expect(sim.ledger.snapshot().recharges == 0)
        #expect(try ledger.vouchers(state: .available).count == 1)
        await #expect(throws: StationError.self) {
            _ = try await station.attach(url: "ftp://127.0.0.1", interface: nil, actor: 1000)
        }
        await station.shutdown()
    }
}
