import ATProtocol
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import SerialPort
import StationAPI
import Testing

/// The whole station from the outside: the built `hotspot-sim`, `hotspotd` and `hotspotctl`, talking over real
/// pseudo-terminals and a real Unix socket, with the simulator's operator side as the independent truth about money.
extension EndToEnd {
@Suite(.serialized) struct StationEndToEndTests {
    static let lockedIMEI = "352099001761499"
    static let lockedICCID = "89001010000998877666"
    static let secondIMEI = "352099001761507"
    static let secondICCID = "89001010000998877559"
    static let bogusVoucher = "4242424242424242"
    static let silentIMEI = "352099001761515"
    static let silentICCID = "89001010000998877443"

    struct Fixture {
        let dir: String
        let sim: ChildProcess
        let daemon: ChildProcess
        let ports: [String: String]
        let socket: String

        func ctl(_ arguments: String...) async throws -> (status: Int32, stdout: String, stderr: String) {
            try await runCommand(Binaries.path("hotspotctl"), arguments + ["--socket", socket])
        }

        func ctlJSON<T: Decodable>(_ type: T.Type, _ arguments: String...) async throws -> T {
            try await ctlJSON(type, arguments)
        }

        func ctlJSON<T: Decodable>(_ type: T.Type, _ arguments: [String]) async throws -> T {
            let result = try await runCommand(Binaries.path("hotspotctl"), arguments + ["--socket", socket, "--json"])
            guard result.status == 0 else {
                throw FixtureError("hotspotctl \(arguments) exited \(result.status): \(result.stderr)")
            }
            return try StationJSON.decoder().decode(type, from: Data(result.stdout.utf8))
        }

        func waitUntilSettled(_ ids: Set<String>, timeout: Duration = .seconds(60)) async throws -> [String: DeviceStatus] {
            let deadline = ContinuousClock.now + timeout
            while true {
                let devices = try await ctlJSON([DeviceStatus].self, "devices", "--reveal")
                let wanted = devices.filter { ids.contains($0.id) }
                if wanted.count == ids.count,
                   wanted.allSatisfy({ [.done, .failed, .awaitingPlan, .gone].contains($0.state) }) {
                    return Dictionary(uniqueKeysWithValues: wanted.map { ($0.id, $0) })
                }
                if ContinuousClock.now > deadline {
                    throw FixtureError("devices not settled: \(wanted.map { "\($0.id)=\($0.state.rawValue)/\($0.step ?? "-")" })\n\(daemon.stderr)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
        init(_ text: String) { description = text }
    }

    static func start() async throws -> Fixture {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hs-e2e-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let root = Binaries.packageRoot.path
        let personalities = root + "/simulator/personalities/"
        let sim = try ChildProcess(Binaries.path("hotspot-sim"), [
            "--device", personalities + "huawei-e5-mifi.json:label=mifi",
            "--device", personalities + "huawei-stick.json:label=stick",
            "--device", personalities + "generic-3gpp.json:label=generic",
            "--device", personalities + "huawei-e5-mifi.json:label=locked,imei=\(lockedIMEI),iccid=\(lockedICCID),pin=locked:1234",
            "--device", personalities + "generic-3gpp.json:label=generic2,imei=\(secondIMEI),iccid=\(secondICCID)",
            // Stops answering at its first USSD command: the step must fail at its deadline and be recorded.
            "--device", personalities + "generic-3gpp.json:label=silent,imei=\(silentIMEI),iccid=\(silentICCID),silentAfter=AT+CUSD=1*",
            "--operator", root + "/simulator/operator-simunet.json", "--state", dir + "/operator.json",
            "--ports-file", dir + "/ports",
        ], directory: dir, name: "sim")
        var ports: [String: String] = [:]
        let deadline = ContinuousClock.now + .seconds(20)
        while ports.count < 6 {
            if let text = try? String(contentsOfFile: dir + "/ports", encoding: .utf8) {
                for line in text.split(separator: "\n") {
                    let fields = line.split(separator: "\t")
                    if fields.count == 2 { ports[String(fields[0])] = String(fields[1]) }
                }
            }
            if ContinuousClock.now > deadline { throw FixtureError("simulator did not start: \(sim.stderr)") }
            try await Task.sleep(for: .milliseconds(50))
        }

        var config = try String(contentsOfFile: root + "/config/hotspotd.example.json", encoding: .utf8)
        config = config.replacingOccurrences(of: "\"lockDirectory\": \"/var/lock\"", with: "\"lockDirectory\": null, \"allowPseudoTerminals\": true")
        // Six attaches and an import from one uid in a row: more than the default burst of money operations.
        config = config.replacingOccurrences(of: "\"defaultPlan\":", with: "\"moneyRateLimit\": { \"perMinute\": 60, \"burst\": 20 }, \"defaultPlan\":")
        config = config.replacingOccurrences(
            of: "{ \"name\": \"2GB\", \"megabytes\": 2048, \"priceCents\": 500 }",
            with: "{ \"name\": \"2GB\", \"megabytes\": 2048, \"priceCents\": 500 }, { \"name\": \"1GB\", \"megabytes\": 1024 }")
        try config.write(toFile: dir + "/hotspotd.json", atomically: true, encoding: .utf8)
        let socket = dir + "/api.sock"
        let daemon = try ChildProcess(Binaries.path("hotspotd"), [
            "--config", dir + "/hotspotd.json", "--database", dir + "/ledger.sqlite", "--socket", socket,
        ], directory: dir, name: "hotspotd")
        let fixture = Fixture(dir: dir, sim: sim, daemon: daemon, ports: ports, socket: socket)
        let ready = ContinuousClock.now + .seconds(20)
        while (try? await fixture.ctl("plans"))?.status != 0 {
            if ContinuousClock.now > ready { throw FixtureError("hotspotd did not start: \(daemon.stderr)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        return fixture
    }

    @Test func provisionsThreeDevicesRecordsFailuresAndSpendsEachVoucherOnce() async throws {
        let fixture = try await Self.start()
        var daemonStopped = false
        defer {
            if !daemonStopped { kill(fixture.daemon.process.processIdentifier, SIGKILL) }
            kill(fixture.sim.process.processIdentifier, SIGKILL)
        }

        // Vouchers: six real ones of the operator's book for 500MB, and one the operator never issued, for 1GB.
        let book = try String(contentsOfFile: Binaries.packageRoot.path + "/simulator/vouchers-simunet.csv", encoding: .utf8)
        let real = book.split(separator: "\n").filter { $0.hasSuffix(",500MB") }.prefix(6).map(String.init)
        let csv = "code,plan\n" + real.joined(separator: "\n") + "\n\(Self.bogusVoucher),1GB\n"
        try csv.write(toFile: fixture.dir + "/vouchers.csv", atomically: true, encoding: .utf8)
        let imported = try await fixture.ctlJSON(VoucherImportResult.self, "vouchers", "import", fixture.dir + "/vouchers.csv")
        #expect(imported.imported == 7)

        // A bad file is refused whole, naming its line.
        try "code,plan\n1234567890,500MB\n12\"34,500MB\n".write(toFile: fixture.dir + "/bad.csv", atomically: true, encoding: .utf8)
        let bad = try await fixture.ctl("vouchers", "import", fixture.dir + "/bad.csv")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("bad.csv") && bad.stderr.contains("line 3"))

        var ids: [String: String] = [:]
        for label in ["mifi", "stick", "generic", "locked", "silent"] {
            let port = try #require(fixture.ports[label])
            let status = try await fixture.ctlJSON(DeviceStatus.self, "attach", port)
            ids[label] = status.id
        }
        let settled = try await fixture.waitUntilSettled(Set(ids.values))
        func device(_ label: String) throws -> DeviceStatus {
            guard let id = ids[label], let status = settled[id] else { throw FixtureError("no device \(label)") }
            return status
        }
        let mifi = try device("mifi")
        let stick = try device("stick")
        let generic = try device("generic")
        let locked = try device("locked")
        let silent = try device("silent")
        #expect(mifi.state == .done, "\(mifi.failure?.message ?? "")")
        #expect(mifi.role == .hotspot)
        #expect(stick.state == .done, "\(stick.failure?.message ?? "")")
        #expect(generic.state == .done, "\(generic.failure?.message ?? "")")
        #expect(locked.state == .failed)
        #expect(locked.failure?.code == "sim-pin-required")
        #expect(silent.state == .failed)
        #expect(silent.failure?.code == "device-timeout")
        #expect(silent.step == "balance-before", "no voucher was touched for a device that went silent before the recharge")
        let wifi = try #require(mifi.wifi)
        let key = try #require(wifi.key)
        #expect(key.count >= 12)
        let mifiICCID = try #require(mifi.iccid)
        #expect(wifi.ssid.hasPrefix("Connexion-") && wifi.ssid.hasSuffix(String(mifiICCID.suffix(4))))

        // Redaction by default: no full identifier or key without --reveal.
        let plain = try await fixture.ctl("status", mifi.id, "--json")
        #expect(!plain.stdout.contains(mifiICCID))
        #expect(!plain.stdout.contains(key))

        // The refused voucher: a fifth device is credited by policy; a second provision of its served SIM is refused,
        // and a technician's top-up with the 1GB plan meets the operator's refusal.
        let secondPort = try #require(fixture.ports["generic2"])
        let second = try await fixture.ctlJSON(DeviceStatus.self, "attach", secondPort)
        _ = try await fixture.waitUntilSettled([second.id])
        let again = try await fixture.ctl("provision", second.id, "--plan", "1GB")
        #expect(again.status != 0 && again.stderr.contains("already served"), "\(again.stderr)")
        let retry = try await fixture.ctl("topup", second.id, "--plan", "1GB")
        #expect(retry.status == 0, "\(retry.stderr)")
        try await Task.sleep(for: .milliseconds(200))
        let afterRetry = try await fixture.waitUntilSettled([second.id])
        let refused = try #require(afterRetry[second.id])
        #expect(refused.state == .failed)
        #expect(refused.failure?.code == "voucher-rejected")

        // The ledger holds every SIM.
        let events = try await fixture.ctlJSON([LedgerEventInfo].self, "ledger", "--limit", "5000", "--reveal")
        let iccids = Set(events.compactMap(\.iccid))
        for device in [mifi, stick, generic, locked] {
            let iccid = try #require(device.iccid)
            #expect(iccids.contains(iccid))
        }
        #expect(iccids.contains(Self.secondICCID))
        #expect(events.contains { $0.kind == "voucher.rejected" })
        #expect(events.contains { $0.kind == "provisioning.finished" && $0.iccid == Self.silentICCID
                                   && $0.detail["failure_code"] == "device-timeout" })

        // Money: the station's vouchers against the operator's truth.
        let vouchers = try await fixture.ctlJSON([VoucherInfo].self, "vouchers", "list", "--reveal")
        let applied = vouchers.filter { $0.state == "applied" }
        #expect(applied.count == 4)
        #expect(vouchers.first { $0.code == Self.bogusVoucher }?.state == "rejected")
        let truthData = try Data(contentsOf: URL(fileURLWithPath: fixture.dir + "/operator.json"))
        let truth = try #require(try JSONSerialization.jsonObject(with: truthData) as? [String: Any])
        let redeemed = try #require(truth["vouchers"] as? [String: [String: Any]])
        for voucher in applied {
            let entry = try #require(redeemed[voucher.code], "voucher \(voucher.id) unknown to the operator")
            #expect(entry["redemptions"] as? Int == 1)
            #expect((entry["attempts"] as? [Any])?.count == 1, "voucher \(voucher.id) was sent more than once")
            #expect(entry["redeemedBy"] as? String == voucher.iccid)
        }
        #expect(redeemed.values.reduce(0) { $0 + ($1["redemptions"] as? Int ?? 0) } == 4)

        // Stop the daemon cleanly; it releases the port, and the hotspot's own Wi-Fi store must hold what the ledger says.
        #expect(await fixture.daemon.terminate() == 0)
        daemonStopped = true
        let provisioning = events.last { $0.kind == "provisioning.finished" && $0.imei == mifi.imei }
        #expect(provisioning?.detail["wifi_ssid"] == wifi.ssid)
        let mifiPort = try #require(fixture.ports["mifi"])
        let session = try ATSession(path: mifiPort, options: SerialPortOptions(lockDirectory: nil, allowPseudoTerminals: true),
                                    logger: Logger(label: "e2e"))
        _ = try await session.send("AT^DATALOCK=\"73546213\"", timeout: .seconds(3))
        let ssids = try ATParse.ssids(try await session.send("AT^SSID?", timeout: .seconds(3)).lines)
        let keys = try ATParse.wifiKeys(try await session.send("AT^WIKEY?", timeout: .seconds(3)).lines)
        await session.close()
        #expect(ssids[0] == wifi.ssid)
        #expect(keys[0] == key)
        #expect(await fixture.sim.terminate() == 0)
    }
}
}
