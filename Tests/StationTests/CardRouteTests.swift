import Foundation
import Ledger
@testable import Station
import StationAPI
import Testing
import UnixHTTP

/// `GET /v1/devices/{ref}/card` and the split of `reveal` into the key (technicians) and identifiers (supervisors).
@Suite struct CardRouteTests {
    static let stranger: UInt32 = 4000
    static let technician: UInt32 = 3000
    static let supervisor: UInt32 = 1000

    static let counter = """
        "card": { "organisation": "Lien Numérique", "address": "12 rue des Lilas\\n75020 Paris", "hours": "mardi 14 h – 18 h",
                  "phone": "01 23 45 67 89", "whenCreditRunsOut": "Revenez nous voir." },
        """

    @Test func aTechnicianGetsTheCardOfAProvisionedHotspotWithoutIdentifiers() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000, extraConfig: Self.counter, personality: "huawei-e5-mifi")
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        try await rig.waitForDevice("d1", in: [.awaitingPlan, .failed, .done])
        // Nothing to hand over before the plan is applied.
        let early = await rig.request("GET", "/v1/devices/d1/card", uid: Self.technician)
        #expect(early.status == 409)
        #expect(try SettlementRig.decode(APIErrorBody.self, early).error.code == "card-not-ready")

        try await Self.provision(rig)
        #expect(await rig.request("GET", "/v1/devices/d1/card", uid: Self.stranger).status == 403)
        let response = await rig.request("GET", "/v1/devices/d1/card", uid: Self.technician)
        #expect(response.status == 200)
        let card = try SettlementRig.decode(HandOverCardInfo.self, response)
        let status = try SettlementRig.decode(DeviceStatus.self, await rig.request("GET", "/v1/devices/d1?reveal=key", uid: Self.technician))
        #expect(card.ssid == "Connexion-6782" && card.ssid == status.wifi?.ssid)
        #expect(card.key != nil && card.key == status.wifi?.key)
        #expect(card.qrPayload == WiFiQRPayload.make(ssid: card.ssid ?? "", key: card.key ?? ""))
        #expect(card.plan == "500MB" && card.megabytes == 500)
        #expect(card.operatorName == "SimuNet" && card.balanceCode == "*100#")
        #expect(card.counter?.address == "12 rue des Lilas\n75020 Paris")
        // The card leaves the counter: no IMEI, IMSI or ICCID anywhere in it.
        let text = String(decoding: bodyBytes(response), as: UTF8.self)
        for secret in [SettlementRig.iccid, SettlementRig.imsi, SettlementRig.imei] {
            #expect(!text.contains(secret), "\(secret)")
        }
        await rig.stop()
    }

    @Test func revealKeyShowsTheKeyAndRevealIdsNeedsASupervisor() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000, personality: "huawei-e5-mifi")
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        try await rig.waitForDevice("d1", in: [.awaitingPlan, .failed, .done])
        try await Self.provision(rig)

        // --reveal-key: the key, identifiers still redacted, even for a supervisor.
        for uid in [Self.technician, Self.supervisor] {
            let keyOnly = try SettlementRig.decode(DeviceStatus.self, await rig.request("GET", "/v1/devices/d1?reveal=key", uid: uid))
            #expect(keyOnly.wifi?.key != nil && keyOnly.iccid?.hasPrefix("…") == true && keyOnly.imsi?.hasPrefix("…") == true)
        }
        // --reveal-ids: a technician is refused; a supervisor gets identifiers without the key.
        let refused = await rig.request("GET", "/v1/devices/d1?reveal=ids", uid: Self.technician)
        #expect(refused.status == 403)
        #expect(await rig.request("GET", "/v1/devices?reveal=ids", uid: Self.technician).status == 403)
        let idsOnly = try SettlementRig.decode(DeviceStatus.self, await rig.request("GET", "/v1/devices/d1?reveal=ids", uid: Self.supervisor))
        #expect(idsOnly.iccid == SettlementRig.iccid && idsOnly.imei == SettlementRig.imei && idsOnly.wifi?.key == nil)
        let both = try SettlementRig.decode(DeviceStatus.self, await rig.request("GET", "/v1/devices/d1?reveal=key,ids", uid: Self.supervisor))
        #expect(both.iccid == SettlementRig.iccid && both.wifi?.key != nil)
        // --reveal keeps its meaning: everything for a supervisor, the key only for a technician.
        let legacy = try SettlementRig.decode(DeviceStatus.self, await rig.request("GET", "/v1/devices/d1?reveal=1", uid: Self.supervisor))
        #expect(legacy.iccid == SettlementRig.iccid && legacy.wifi?.key != nil)
        // --reveal-key on the voucher list reveals no voucher code (and needs no supervisor).
        #expect(await rig.request("GET", "/v1/vouchers?reveal=key", uid: Self.technician).status == 200)
        let bad = await rig.request("GET", "/v1/devices/d1?reveal=everything", uid: Self.supervisor)
        #expect(bad.status == 400)
        #expect(try SettlementRig.decode(APIErrorBody.self, bad).error.code == "invalid-reveal")
        await rig.stop()
    }

    @Test func revealScopeReadsTheQuery() {
        #expect(RevealScope(query: nil) == RevealScope.none)
        #expect(RevealScope(query: "1")?.showsKey == true && RevealScope(query: "1")?.showsIdentifiers(role: .technician) == false)
        #expect(RevealScope(query: "1")?.showsIdentifiers(role: .supervisor) == true)
        #expect(RevealScope(query: "key")?.showsKey == true && RevealScope(query: "key")?.showsRecords == false)
        #expect(RevealScope(query: "ids")?.showsKey == false && RevealScope(query: "ids")?.showsIdentifiers(role: .technician) == true)
        #expect(RevealScope(query: "key,ids")?.showsKey == true)
        #expect(RevealScope(query: "key,") == nil && RevealScope(query: "keys") == nil)
        #expect(AccessPolicy.required(method: "GET", route: ["devices", "d1"], reveal: false, revealIdentifiers: true) == .supervisor)
        #expect(AccessPolicy.required(method: "GET", route: ["devices", "d1", "card"], reveal: false, revealIdentifiers: false) == .technician)
    }

    @Test func theCardSectionIsStrictlyChecked() throws {
        let base = """
            "plans": [{ "name": "500MB", "megabytes": 500 }],
            "wifi": { "ssidTemplate": "Connexion-{iccid4}", "keyLength": 12, "dataLockCode": "1" },
            "operators": [{ "name": "X", "mccmnc": ["00101"], "rechargeTemplate": "*123*{code}#", "balanceCode": "*100#",
                            "successPattern": "ok", "refusalPattern": "no", "balancePattern": "([0-9]+) Mo" }]
            """
        let good = try StationConfig.parse(Data("{ \(base), \"card\": { \"phone\": \"01 23\" } }".utf8), file: "c.json")
        #expect(good.card?.phone == "01 23")
        #expect(throws: ConfigError(file: "c.json", key: "card.adress", reason: "is not a known setting (did you mean 'address'?)")) {
            try StationConfig.parse(Data("{ \(base), \"card\": { \"adress\": \"x\" } }".utf8), file: "c.json")
        }
        #expect(good.wifiKeyStyle == nil)
        let words = try StationConfig.parse(Data("{ \(base.replacingOccurrences(of: "\"dataLockCode\": \"1\"", with: "\"dataLockCode\": \"1\", \"keyStyle\": \"words\"")) }".utf8), file: "c.json")
        #expect(words.wifiKeyStyle == .words)
        #expect(throws: ConfigError(file: "c.json", key: "wifi.keyStyle", reason: "must be \"characters\" or \"words\"")) {
            try StationConfig.parse(Data("{ \(base.replacingOccurrences(of: "\"dataLockCode\": \"1\"", with: "\"keyStyle\": \"emoji\"")) }".utf8), file: "c.json")
        }
        #expect(throws: ConfigError(file: "c.json", key: "card.phone", reason: "must be printable text on one line")) {
            try StationConfig.parse(Data("{ \(base), \"card\": { \"phone\": \"01\\u001b[2J\" } }".utf8), file: "c.json")
        }
    }

    /// Imports the rig's voucher (a supervisor) and provisions d1 with it (a technician), until done.
    static func provision(_ rig: SettlementRig) async throws {
        let cards = VoucherImportRequest(fileName: "cards.csv", csv: "code,plan\n\(SettlementRig.voucherCode),500MB\n")
        #expect(try await rig.request("POST", "/v1/vouchers/import", body: cards, uid: supervisor).status == 201)
        #expect(try await rig.request("POST", "/v1/devices/d1/provision", body: ProvisionRequest(plan: "500MB"),
                                      uid: technician).status == 202)
        try await rig.waitForDevice("d1", in: [.done, .failed])
        let status = try SettlementRig.decode(DeviceStatus.self, await rig.request("GET", "/v1/devices/d1", uid: supervisor))
        #expect(status.state == .done, "\(String(describing: status.failure))")
    }

    private func bodyBytes(_ response: HTTPResponse) -> [UInt8] {
        if case .bytes(let bytes) = response.body { return bytes }
        return []
    }
}
