import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Ledger
import StationAPI
import Testing

/// SIGTERM while a voucher is on the wire: the daemon's service group stops the API, then the station closes the
/// device; the run records how it ended, and the process exits 0 within a bound, leaving a ledger a restart needs
/// nothing from: no run still `running`, no voucher `reserved` or `sending`, the voucher sent never back in stock.
extension EndToEnd {
@Suite(.serialized) struct GracefulShutdownTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ text: String) { description = text }
    }

    @Test func sigtermDuringARechargeExitsZeroInTimeAndLeavesTheLedgerConsistent() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hs-sigterm-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let root = Binaries.packageRoot.path
        // The operator's answer to each USSD comes 4 s late: the recharge's voucher stays `sending` that long.
        let sim = try ChildProcess(Binaries.path("hotspot-sim"), [
            "--device", root + "/simulator/personalities/huawei-stick.json:label=slow,cusdDelayMs=4000",
            "--operator", root + "/simulator/operator-simunet.json", "--state", dir + "/operator.json",
            "--ports-file", dir + "/ports",
        ], directory: dir, name: "sim")
        defer { kill(sim.process.processIdentifier, SIGKILL) }
        var port: String?
        let simDeadline = ContinuousClock.now + .seconds(20)
        while port == nil {
            if let text = try? String(contentsOfFile: dir + "/ports", encoding: .utf8) {
                port = text.split(separator: "\n").first?.split(separator: "\t").last.map(String.init)
            }
            if ContinuousClock.now > simDeadline { throw Failure("simulator did not start: \(sim.stderr)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        let tty = try #require(port)

        var config = try String(contentsOfFile: root + "/config/hotspotd.example.json", encoding: .utf8)
        config = config.replacingOccurrences(of: "\"lockDirectory\": \"/var/lock\"",
                                             with: "\"lockDirectory\": null, \"allowPseudoTerminals\": true")
        try config.write(toFile: dir + "/hotspotd.json", atomically: true, encoding: .utf8)
        let socket = dir + "/api.sock"
        let database = dir + "/ledger.sqlite"
        let daemon = try ChildProcess(Binaries.path("hotspotd"), [
            "--config", dir + "/hotspotd.json", "--database", database, "--socket", socket, "--no-discovery",
        ], directory: dir, name: "hotspotd")
        defer { if daemon.process.isRunning { kill(daemon.process.processIdentifier, SIGKILL) } }
        func ctl(_ arguments: String...) async throws -> (status: Int32, stdout: String, stderr: String) {
            try await runCommand(Binaries.path("hotspotctl"), arguments + ["--socket", socket])
        }
        let started = ContinuousClock.now + .seconds(20)
        while (try? await ctl("plans"))?.status != 0 {
            if ContinuousClock.now > started { throw Failure("hotspotd did not start: \(daemon.stderr)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        let imported = try await ctl("vouchers", "import", root + "/simulator/vouchers-simunet.csv")
        #expect(imported.status == 0, "\(imported.stderr)")
        let attached = try await ctl("attach", tty)
        #expect(attached.status == 0, "\(attached.stderr)")

        // Wait until the recharge's voucher is on the wire, then stop the daemon as systemd does.
        var sending: [VoucherInfo] = []
        let onWire = ContinuousClock.now + .seconds(60)
        while sending.isEmpty {
            let listed = try await ctl("vouchers", "list", "--state", "sending", "--json")
            if listed.status == 0 {
                sending = try StationJSON.decoder().decode([VoucherInfo].self, from: Data(listed.stdout.utf8))
            }
            if ContinuousClock.now > onWire { throw Failure("no voucher was sent within 60 s: \(daemon.stderr)") }
            if sending.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        let sent = try #require(sending.first)
        let signalled = ContinuousClock.now
        kill(daemon.process.processIdentifier, SIGTERM)
        let bound = Duration.seconds(15)
        while daemon.process.isRunning, ContinuousClock.now - signalled < bound {
            try await Task.sleep(for: .milliseconds(20))
        }
        let stopped = !daemon.process.isRunning
        #expect(stopped, "hotspotd still running \(bound) after SIGTERM")
        guard stopped else { return }
        #expect(daemon.process.terminationReason == .exit)
        #expect(daemon.process.terminationStatus == 0, "\(daemon.stderr)")

        let ledger = try Ledger(path: database)
        #expect(try ledger.verifyChain().isValid)
        #expect(try ledger.provisionings(state: .running, limit: 100).isEmpty, "a run left running")
        #expect(try ledger.vouchers(state: .sending, limit: 100).isEmpty, "a voucher left on the wire")
        #expect(try ledger.vouchers(state: .reserved, limit: 100).isEmpty, "a voucher left reserved")
        // The voucher that reached the network is settled later (balance or a person), never put back in stock.
        let after = try #require(try ledger.vouchers(limit: 10_000).first { $0.id == sent.id })
        #expect([.unknown, .applied].contains(after.state), "voucher \(sent.id) is \(after.state.rawValue)")
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// SIGHUP is a reload, never a stop: the file is read again (a new plan is served) and the daemon keeps running;
    /// SIGTERM afterwards still stops it cleanly.
    @Test func sighupReloadsTheConfigurationAndKeepsTheDaemonRunning() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hs-sighup-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let root = Binaries.packageRoot.path
        var config = try String(contentsOfFile: root + "/config/hotspotd.example.json", encoding: .utf8)
        config = config.replacingOccurrences(of: "\"lockDirectory\": \"/var/lock\"",
                                             with: "\"lockDirectory\": null, \"allowPseudoTerminals\": true")
        try config.write(toFile: dir + "/hotspotd.json", atomically: true, encoding: .utf8)
        let socket = dir + "/api.sock"
        let daemon = try ChildProcess(Binaries.path("hotspotd"), [
            "--config", dir + "/hotspotd.json", "--database", dir + "/ledger.sqlite", "--socket", socket, "--no-discovery",
        ], directory: dir, name: "hotspotd")
        defer { if daemon.process.isRunning { kill(daemon.process.processIdentifier, SIGKILL) } }
        func plans() async throws -> [PlanInfo]? {
            let result = try await runCommand(Binaries.path("hotspotctl"), ["plans", "--json", "--socket", socket])
            guard result.status == 0 else { return nil }
            return try StationJSON.decoder().decode([PlanInfo].self, from: Data(result.stdout.utf8))
        }
        let started = ContinuousClock.now + .seconds(20)
        while try await plans() == nil {
            if ContinuousClock.now > started { throw Failure("hotspotd did not start: \(daemon.stderr)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await plans()?.contains { $0.name == "5GB" } == false)

        let added = config.replacingOccurrences(
            of: "{ \"name\": \"2GB\", \"megabytes\": 2048, \"priceCents\": 500 }",
            with: "{ \"name\": \"2GB\", \"megabytes\": 2048, \"priceCents\": 500 }, { \"name\": \"5GB\", \"megabytes\": 5120 }")
        #expect(added != config)
        try added.write(toFile: dir + "/hotspotd.json", atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        let reloaded = ContinuousClock.now + .seconds(20)
        while try await plans()?.contains(where: { $0.name == "5GB" }) != true {
            if ContinuousClock.now > reloaded || !daemon.process.isRunning {
                throw Failure("the plan added before SIGHUP was not served: \(daemon.stderr)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(daemon.process.isRunning)

        let status = await daemon.terminate(timeout: .seconds(15))
        #expect(daemon.process.terminationReason == .exit && status == 0, "\(daemon.stderr)")
        try? FileManager.default.removeItem(atPath: dir)
    }
}
}
