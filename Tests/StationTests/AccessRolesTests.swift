import Foundation
import Ledger
@testable import Station
import StationAPI
import Testing
import UnixHTTP

/// Who may do what, decided by the daemon from the caller's credentials: supervisors (uid 1000 in the rig), a
/// technician (uid 3000), and a local user who is neither (uid 4000).
@Suite struct AccessRolesTests {
    static let stranger: UInt32 = 4000
    static let technician: UInt32 = 3000
    static let supervisor: UInt32 = 1000

    @Test func aStrangerGetsHealthAndA403NamingTheGroupForEverythingElse() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        _ = try await rig.station.recoverAfterStart()
        _ = await rig.station.finishStartup(deadline: .seconds(1))
        #expect(await rig.request("GET", "/v1/health", uid: Self.stranger).status == 200)
        for (method, path) in [("GET", "/v1/devices"), ("GET", "/v1/vouchers"), ("GET", "/v1/ledger"), ("GET", "/v1/events"),
                               ("POST", "/v1/devices/d1/provision"), ("GET", "/v1/ledger/export")] {
            let response = await rig.request(method, path, uid: Self.stranger)
            #expect(response.status == 403, "\(method) \(path)")
            let error = try SettlementRig.decode(APIErrorBody.self, response).error
            #expect(error.code == "forbidden" && error.message.contains("group 'hotspot"), "\(error.message)")
        }
        // Every refusal is in the ledger with the caller's uid (one a second per uid; the rest counted).
        let refused = try rig.ledger.events().filter { $0.kind == "access.refused" }
        #expect(refused.first?.actorUID == Int(Self.stranger))
        #expect(refused.first?.detail["needed"] == "technician")
        await rig.stop()
    }

    @Test func aTechnicianProvisionsButCannotImportSettleSeeCodesOrExport() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000, personality: "huawei-e5-mifi")
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        try await rig.waitForDevice("d1", in: [.awaitingPlan, .failed, .done])
        #expect(await rig.request("GET", "/v1/devices", uid: Self.technician).status == 200)
        let cards = VoucherImportRequest(fileName: "cards.csv", csv: "code,plan\n123456789012,500MB\n")
        let importing = try await rig.request("POST", "/v1/vouchers/import", body: cards, uid: Self.technician)
        #expect(importing.status == 403)
        #expect(try SettlementRig.decode(APIErrorBody.self, importing).error.message.contains("'hotspot-admin'"))
        #expect(try await rig.request("POST", "/v1/vouchers/import", body: cards, uid: Self.supervisor).status == 201)
        #expect(await rig.request("GET", "/v1/vouchers", uid: Self.technician).status == 200)
        #expect(await rig.request("GET", "/v1/vouchers?reveal=1", uid: Self.technician).status == 403)
        #expect(await rig.request("GET", "/v1/ledger/export", uid: Self.technician).status == 403)
        #expect(try await rig.request("POST", "/v1/ledger/backup", body: LedgerBackupRequest(path: rig.directory + "/b.sqlite"),
                                      uid: Self.technician).status == 403)
        #expect(try await rig.request("POST", "/v1/vouchers/1/settle", body: VoucherSettleRequest(outcome: "manual", note: "x"),
                                      uid: Self.technician).status == 403)

        // The technician hands the hotspot over: provisions it, sees its Wi-Fi key, but not the full identifiers.
        #expect(try await rig.request("POST", "/v1/devices/d1/provision", body: ProvisionRequest(plan: "500MB"), uid: Self.technician).status == 202)
        try await rig.waitForDevice("d1", in: [.done, .failed])
        let shown = try SettlementRig.decode(DeviceStatus.self, await rig.request("GET", "/v1/devices/d1?reveal=1", uid: Self.technician))
        #expect(shown.state == .done && shown.wifi?.key != nil)
        #expect(shown.iccid?.hasPrefix("…") == true && shown.imei?.hasPrefix("…") == true)
        let full = try SettlementRig.decode(DeviceStatus.self, await rig.request("GET", "/v1/devices/d1?reveal=1", uid: Self.supervisor))
        #expect(full.iccid == SettlementRig.iccid)
        let order = try #require(try rig.ledger.orders(iccid: SettlementRig.iccid).first)
        #expect(order.actorUID == Int(Self.technician))
        await rig.stop()
    }

    @Test func onlyASupervisorMayUploadABigVoucherBook() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        let policy = StationService.admissionPolicy(station: rig.station, supervisorGroupID: nil)
        let supervisor = PeerCredentials(pid: 1, uid: Self.supervisor, gid: Self.supervisor)
        let technician = PeerCredentials(pid: 1, uid: Self.technician, gid: Self.technician)
        #expect(policy.bodyLimit("POST", "/v1/vouchers/import", supervisor) == StationService.maxVoucherBookBytes)
        #expect(policy.bodyLimit("POST", "/v1/vouchers/import", technician) == nil)
        #expect(policy.bodyLimit("POST", "/v1/devices", supervisor) == nil)
        await rig.stop()
    }

    @Test func rolesFollowUIDsAndGroups() {
        let policy = AccessPolicy(settings: AccessSettings(supervisorUIDs: [7]), daemonUID: 990, technicianGID: 100, supervisorGID: 200)
        #expect(policy.role(uid: 0, groups: []) == .supervisor)
        #expect(policy.role(uid: 990, groups: []) == .supervisor)
        #expect(policy.role(uid: 7, groups: []) == .supervisor)
        #expect(policy.role(uid: 1500, groups: [200, 100]) == .supervisor)
        #expect(policy.role(uid: 1500, groups: [100]) == .technician)
        #expect(policy.role(uid: 1500, groups: [300]) == .none)
        #expect(AccessPolicy.required(method: "GET", route: ["health"], reveal: false) == .none)
        #expect(AccessPolicy.required(method: "GET", route: ["devices", "d1"], reveal: true) == .technician)
        #expect(AccessPolicy.required(method: "GET", route: ["vouchers"], reveal: true) == .supervisor)
        #expect(AccessPolicy.required(method: "POST", route: ["vouchers", "import"], reveal: false) == .supervisor)
        #expect(AccessPolicy.required(method: "POST", route: ["devices", "d1", "topup"], reveal: false) == .technician)
        #expect(AccessPolicy.required(method: "PUT", route: ["anything"], reveal: false) == .supervisor)
        // A group that does not exist on this system gives nobody its role.
        let missing = AccessPolicy(settings: AccessSettings(), daemonUID: 990, technicianGID: nil, supervisorGID: nil)
        #expect(missing.role(uid: 1500, groups: [100, 200]) == .none)
    }

    @Test func groupMembershipIsReadFromTheSystem() throws {
        // root is in group root (gid 0) on every system.
        #expect(SystemGroups.groups(uid: 0, primary: 0).contains(0))
        #expect(SystemGroups.gid(named: "root") == 0)
        #expect(SystemGroups.gid(named: "no-such-group-hotspot") == nil)
    }
}
