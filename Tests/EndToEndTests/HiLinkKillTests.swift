import Foundation
import Ledger
import ModemSimulator
import Testing
import TestSupport

/// The daemon killed (`kill -9`) while a HiLink unit's recharge USSD is in flight: after the restart the unit, attached
/// again by URL, is never sent a second voucher, and the one in flight is settled by the balance (or held unknown).
@Suite(.serialized) struct HiLinkKillTests {
    @Test func aDaemonKilledWithTheRechargeInFlightNeverChargesTheUnitTwice() throws {
        let temporary = try TemporaryDirectory(prefix: "hilink-kill")
        let dir = temporary.path
        let root = Binaries.packageRoot.path
        let statePath = dir + "/operator-state.json"

        // The unit: a WebUI-10 MiFi whose USSD answers come 2.5 s late, on the shared operator truth.
        let sim = Process()
        sim.executableURL = URL(fileURLWithPath: Binaries.path("hotspot-sim"))
        sim.arguments = ["hilink", "--personality", "e5576-ussd-late", "--listen", "127.0.0.1:0",
                         "--operator", root + "/simulator/operator-simunet.json", "--state", statePath]
        let simOut = Pipe()
        sim.standardOutput = simOut
        sim.standardError = FileHandle.nullDevice
        try sim.run()
        defer { sim.terminate(); sim.waitUntilExit() }
        let line = String(decoding: simOut.fileHandleForReading.availableData, as: UTF8.self)
        let address = try #require(line.split(separator: "\t").last?.trimmingCharacters(in: .whitespacesAndNewlines),
                                   "the simulator printed no address: \(line)")
        let url = "http://" + address

        var config = try String(contentsOfFile: root + "/config/hotspotd.example.json", encoding: .utf8)
        config = config.replacingOccurrences(of: "\"lockDirectory\": \"/var/lock\"",
                                             with: "\"lockDirectory\": null, \"hilink\": { \"password\": \"s3cret-pass\" }")
        try config.write(toFile: dir + "/hotspotd.json", atomically: true, encoding: .utf8)
        let socket = dir + "/api.sock"
        let database = dir + "/ledger.sqlite"
        #expect(FileManager.default.createFile(atPath: dir + "/hotspotd.log", contents: nil))
        let log = try #require(FileHandle(forWritingAtPath: dir + "/hotspotd.log"))

        func startDaemon() throws -> Process {
            let daemon = Process()
            daemon.executableURL = URL(fileURLWithPath: Binaries.path("hotspotd"))
            daemon.arguments = ["--config", dir + "/hotspotd.json", "--database", database, "--socket", socket, "--no-discovery"]
            daemon.standardOutput = log
            daemon.standardError = log
            try daemon.run()
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, daemon.isRunning, CrashHarness.http(socket, "GET", "/v1/health")?.status != 200 {
                usleep(20_000)
            }
            return daemon
        }
        func attach() -> Int? {
            let body = Array(#"{"path": "\#(url)"}"#.utf8)
            return CrashHarness.http(socket, "POST", "/v1/devices", body: body, timeout: .seconds(20))?.status
        }

        var daemon = try startDaemon()
        let csv = try String(contentsOfFile: root + "/simulator/vouchers-simunet.csv", encoding: .utf8)
        let importBody = try JSONSerialization.data(withJSONObject: ["fileName": "vouchers-simunet.csv", "csv": csv])
        #expect(CrashHarness.http(socket, "POST", "/v1/vouchers/import", body: Array(importBody), timeout: .seconds(20))?.status == 201)
        #expect(attach() == 201)

        // Kill it as soon as a voucher is committed `sending`: the recharge is on its way to the unit.
        let observer = try Ledger(path: database)
        let sendingBy = ContinuousClock.now + .seconds(30)
        var sending = false
        while ContinuousClock.now < sendingBy, !sending {
            sending = try observer.vouchers(state: .sending, limit: 10).count == 1
            if !sending { usleep(5_000) }
        }
        #expect(sending, "the recharge never started; see \(dir)/hotspotd.log")
        // `sending` is committed before the POST: give the POST time to reach the unit (its answer takes 2.5 s more).
        usleep(500_000)
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        // The unit answers the recharge anyway, to nobody.
        usleep(3_000_000)

        daemon = try startDaemon()
        defer { daemon.terminate(); daemon.waitUntilExit() }
        #expect(attach() == 201)
        // Wait until the re-attached unit is done with (listed done or failed).
        let settleBy = ContinuousClock.now + .seconds(40)
        var settled = false
        while ContinuousClock.now < settleBy, !settled {
            if let reply = CrashHarness.http(socket, "GET", "/v1/devices"), reply.status == 200,
               let list = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [[String: Any]],
               let unit = list.first(where: { ($0["port"] as? String)?.hasPrefix("http://") == true }),
               let state = unit["state"] as? String, ["done", "failed", "awaitingPlan"].contains(state) {
                settled = true
            } else {
                usleep(50_000)
            }
        }
        #expect(settled, "the re-attached unit never settled; see \(dir)/hotspotd.log")

        // The operator's truth: exactly one recharge, whatever the daemon went through.
        let truth = try JSONDecoder().decode(OperatorState.self, from: Data(contentsOf: URL(fileURLWithPath: statePath)))
        let attempts = truth.vouchers.values.map(\.attempts.count).reduce(0, +)
        #expect(attempts == 1, "the unit was sent \(attempts) recharge(s); one was in flight at the kill, none may follow")
        #expect(truth.vouchers.values.filter { $0.redeemedBy != nil }.count == attempts)
        let ledger = try Ledger(path: database)
        let used = try ledger.vouchers(limit: 1000).filter { $0.state != .available }
        #expect(used.count == 1, "\(used.map(\.state.rawValue))")
        #expect(used.allSatisfy { [.applied, .unknown].contains($0.state) })
    }
}
