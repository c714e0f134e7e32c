import Foundation
import Ledger
@testable import Station
import StationAPI
import Testing

/// `hotspotctl reload` (and SIGHUP): the configuration file is read again; devices stay attached and the new plans
/// and operators reach them; a broken file changes nothing.
@Suite struct ConfigReloadTests {
    @Test func aNewPlanReachesADeviceAttachedBeforeTheReloadAndABrokenFileChangesNothing() async throws {
        let rig = try SettlementRig(startingBalanceMB: 0, vouchers: ["111122223333": 1024], personality: "huawei-stick")
        try rig.ledger.importVouchers([(code: "111122223333", plan: "1GB")], actor: 1000)
        let file = rig.directory + "/hotspotd.json"
        let original = try JSONEncoder().encode(rig.config)
        try original.write(to: URL(fileURLWithPath: file))
        await rig.station.readConfiguration { () throws(ConfigError) -> StationConfig in try StationConfig.load(path: file) }
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        let deadline = ContinuousClock.now + .seconds(20)
        while try await rig.station.device("d1", reveal: false).state != .awaitingPlan, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        // Not sold yet: refused.
        await #expect(throws: StationError.self) {
            _ = try await rig.station.provision("d1", request: ProvisionRequest(plan: "1GB"), actor: 3000)
        }

        // The supervisor adds the plan and tightens access; the plan applies now, access at the next restart.
        var edited = rig.config
        edited.plans.append(.init(name: "1GB", megabytes: 1024, priceCents: 300))
        edited.access = AccessSettings(supervisorUIDs: [1000])
        try JSONEncoder().encode(edited).write(to: URL(fileURLWithPath: file))
        let reply = try await rig.request("POST", "/v1/config/reload", body: [String: String](), uid: 1000)
        #expect(reply.status == 200)
        let result = try SettlementRig.decode(ConfigReloadResult.self, reply)
        #expect(result.applied == ["plans"])
        #expect(result.needRestart == ["access"])
        #expect(try await rig.request("POST", "/v1/config/reload", body: [String: String](), uid: 3000).status == 403,
                "a technician does not reload the station")

        _ = try await rig.station.provision("d1", request: ProvisionRequest(plan: "1GB"), actor: 3000)
        let done = ContinuousClock.now + .seconds(20)
        while try await rig.station.device("d1", reveal: false).state != .done, ContinuousClock.now < done {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await rig.station.device("d1", reveal: false).state == .done)
        #expect(rig.operatorTruth().recharges == 1)

        // A broken file: refused whole, the plans in force stay.
        try Data(#"{"plans": [], "operators": []}"#.utf8).write(to: URL(fileURLWithPath: file))
        await #expect(throws: StationError.self) { _ = try await rig.station.reload() }
        #expect(rig.station.config.plan(named: "1GB") != nil)
        await rig.stop()
    }
}
