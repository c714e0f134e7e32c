import Foundation
import Ledger
@testable import Station
import StationAPI
import Testing
import TestSupport
import UnixHTTP

/// The money and ledger routes: rate limit, settlement by a person, who asked, verify/anchor/export/backup.
@Suite struct MoneyRouteTests {
    static let csv = VoucherImportRequest(fileName: "cards.csv", csv: "code,plan\n12345678,500MB\n")

    @Test func refusesMoneyOperationsOverTheCallerRateWithoutTouchingTheDevice() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000, extraConfig: #""moneyRateLimit": { "perMinute": 1, "burst": 1 },"#)
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        _ = await rig.station.finishStartup(deadline: .seconds(30))
        try await rig.waitForDevice("d1", in: [.awaitingPlan])
        let queriesBefore = rig.operatorTruth().balanceQueries[SettlementRig.iccid] ?? 0

        #expect(try await rig.request("POST", "/v1/vouchers/import", body: Self.csv, uid: 1000).status == 201)
        let refused = try await rig.request("POST", "/v1/devices/d1/provision", body: ProvisionRequest(plan: "500MB"), uid: 1000)
        #expect(refused.status == 429)
        #expect(try SettlementRig.decode(APIErrorBody.self, refused).error.code == "rate-limited")
        let retry = try #require(refused.headers.first { $0.0 == "Retry-After" }?.1)
        #expect((Int(retry) ?? 0) >= 1)
        // Nothing ran: no provisioning in the ledger, no USSD at the operator, the device still waits for a plan.
        await rig.station.waitUntilIdle()
        #expect(try rig.ledger.provisionings().isEmpty)
        #expect((rig.operatorTruth().balanceQueries[SettlementRig.iccid] ?? 0) == queriesBefore)
        #expect(try await rig.station.device("d1", reveal: false).state == .awaitingPlan)
        // Another caller has a bucket of its own; reads are never limited.
        #expect(try await rig.request("POST", "/v1/vouchers/999/settle", body: VoucherSettleRequest(outcome: "applied", note: "x"),
                                      uid: 2000).status == 404)
        #expect(await rig.request("GET", "/v1/vouchers", uid: 1000).status == 200)
        await rig.stop()
    }

    @Test func aPersonSettlesAnUnknownVoucherAndTheLedgerRecordsTheirUIDAndNote() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        let id = try rig.crashWhileSending(balanceBeforeMB: 1000)
        _ = try await rig.station.recoverAfterStart()
        _ = await rig.station.finishStartup(deadline: .seconds(1))

        let noNote = try await rig.request("POST", "/v1/vouchers/\(id)/settle", body: VoucherSettleRequest(outcome: "rejected", note: "  "))
        #expect(noNote.status == 422)
        #expect(try SettlementRig.decode(APIErrorBody.self, noNote).error.code == "note-required")
        let badOutcome = try await rig.request("POST", "/v1/vouchers/\(id)/settle", body: VoucherSettleRequest(outcome: "lost", note: "x"))
        #expect(badOutcome.status == 422)

        // No balance check supports "rejected" yet: a redeemed voucher would be lost without a word.
        let unchecked = try await rig.request("POST", "/v1/vouchers/\(id)/settle",
                                              body: VoucherSettleRequest(outcome: "rejected", note: "operator says code unused"), uid: 1234)
        #expect(unchecked.status == 409)
        #expect(try SettlementRig.decode(APIErrorBody.self, unchecked).error.code == "settlement-contradicts-balance")
        #expect(try rig.ledger.voucher(id: id)?.state == .unknown)
        // The device is plugged in: the station checks the balance (1000 → 1000 MB), which supports "rejected".
        _ = try await rig.station.attach(path: rig.port)
        try await rig.waitForDevice("d1", in: [.failed, .awaitingPlan, .done])
        #expect(try rig.ledger.events(voucherID: id).last?.kind == "voucher.checked")

        let settled = try await rig.request("POST", "/v1/vouchers/\(id)/settle",
                                            body: VoucherSettleRequest(outcome: "rejected", note: "operator says code unused"), uid: 1234)
        #expect(settled.status == 200)
        #expect(try SettlementRig.decode(VoucherInfo.self, settled).state == "rejected")
        let event = try #require(try rig.ledger.events(voucherID: id).last)
        #expect(event.kind == "voucher.settled" && event.actorUID == 1234)
        #expect(event.detail["note"] == "operator says code unused" && event.detail["outcome"] == "rejected")

        // Only from unknown: a second settlement is a conflict and changes nothing.
        let again = try await rig.request("POST", "/v1/vouchers/\(id)/settle", body: VoucherSettleRequest(outcome: "applied", note: "oops"))
        #expect(again.status == 409)
        #expect(try SettlementRig.decode(APIErrorBody.self, again).error.code == "voucher-not-unknown")
        #expect(try rig.ledger.voucher(id: id)?.state == .rejected)
        #expect(try SettlementRig.decode([UnknownVoucherInfo].self, await rig.request("GET", "/v1/vouchers/unknown")).isEmpty)
        await rig.stop()
    }

    @Test func aPersonsAppliedSettlementStopsTheNextRunFromBuyingTheCreditAgain() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000, vouchers: [SettlementRig.voucherCode: 500, "555566667777": 500])
        let id = try rig.crashWhileSending(balanceBeforeMB: 1000)
        try rig.ledger.importVouchers([(code: "555566667777", plan: "500MB")], actor: 1000)
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        _ = await rig.station.finishStartup(deadline: .seconds(30))
        await rig.station.waitUntilIdle()
        #expect(try rig.ledger.voucher(id: id)?.state == .unknown)
        // Its order's voucher is unsettled: the device waits, nothing else is bought.
        #expect(try await rig.station.device("d1", reveal: false).failure?.code == "voucher-unsettled")

        // The station's check saw 1000 → 1000 MB: "applied" contradicts it, and needs the person to insist.
        let contradicted = try await rig.request("POST", "/v1/vouchers/\(id)/settle",
                                                 body: VoucherSettleRequest(outcome: "applied", note: "operator SMS confirms the top-up"))
        #expect(contradicted.status == 409)
        #expect(try SettlementRig.decode(APIErrorBody.self, contradicted).error.code == "settlement-contradicts-balance")
        let settled = try await rig.request("POST", "/v1/vouchers/\(id)/settle",
                                            body: VoucherSettleRequest(outcome: "applied", note: "operator SMS confirms the top-up", force: true))
        #expect(settled.status == 200)
        #expect(try rig.ledger.voucher(id: id)?.settledNote?.hasPrefix("[forced: ") == true)
        let resumed = try await rig.request("POST", "/v1/devices/d1/provision", body: ProvisionRequest(plan: "500MB"))
        let body = String(decoding: await SettlementRig.collect(resumed), as: UTF8.self)
        #expect(resumed.status == 202, "\(body)")
        await rig.station.waitUntilIdle()
        #expect(try await rig.station.device("d1", reveal: false).state == .done)
        #expect(try rig.ledger.vouchers(state: .available).count == 1)
        #expect(rig.operatorTruth().recharges == 0)
        await rig.stop()
    }

    @Test func importAndProvisionRecordTheCallersUID() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        _ = await rig.station.finishStartup(deadline: .seconds(30))
        try await rig.waitForDevice("d1", in: [.awaitingPlan])
        let cards = VoucherImportRequest(fileName: "cards.csv", csv: "code,plan\n\(SettlementRig.voucherCode),500MB\n")
        #expect(try await rig.request("POST", "/v1/vouchers/import", body: cards, uid: 1001).status == 201)
        let imported = try #require(try rig.ledger.events().first { $0.kind == "voucher.imported" })
        #expect(imported.actorUID == 1001)

        #expect(try await rig.request("POST", "/v1/devices/d1/provision", body: ProvisionRequest(plan: "500MB"), uid: 1002).status == 202)
        await rig.station.waitUntilIdle()
        let money = try rig.ledger.events().filter { $0.kind.hasPrefix("voucher.") && $0.kind != "voucher.imported" }
        try #require(money.map(\.kind) == ["voucher.reserved", "voucher.sending", "voucher.applied"])
        #expect(money.allSatisfy { $0.actorUID == 1002 })
        #expect(try rig.ledger.events().first { $0.kind == "provisioning.started" }?.actorUID == 1002)
        // The balance read before the recharge is on the voucher from the moment it was sent.
        #expect(money[1].detail["balance_before_mb"] == "1000")
        await rig.stop()
    }

    @Test func verifiesAnchorsExportsAndBacksUpTheLedger() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        try rig.ledger.importVouchers([(code: "ABCD1234", plan: "500MB"), (code: "EFGH5678", plan: "2GB")], actor: 7)
        _ = try await rig.station.recoverAfterStart()
        _ = await rig.station.finishStartup(deadline: .seconds(1))

        let anchor = try SettlementRig.decode(LedgerAnchorInfo.self, await rig.request("GET", "/v1/ledger/anchor"))
        #expect(anchor.seq == 2 && anchor.hash.count == 64)
        let verified = try SettlementRig.decode(LedgerVerifyInfo.self, await rig.request("GET", "/v1/ledger/verify?anchor=\(anchor.text)"))
        #expect(verified.ok && verified.rowsChecked == 2 && verified.lastGood == anchor && verified.anchor == anchor)

        // An anchor past the head: the tail was cut.
        let cut = LedgerAnchorInfo(seq: 3, hash: String(repeating: "a", count: 64))
        let failed = try SettlementRig.decode(LedgerVerifyInfo.self, await rig.request("GET", "/v1/ledger/verify?anchor=\(cut.text)"))
        #expect(!failed.ok && failed.failure?.reason == "anchorMismatch" && failed.failure?.seq == 3)
        #expect(await rig.request("GET", "/v1/ledger/verify?anchor=12").status == 400)

        let csv = String(decoding: await SettlementRig.collect(await rig.request("GET", "/v1/ledger/export?format=csv")), as: UTF8.self)
        #expect(csv.hasPrefix("seq,at,kind,"))
        #expect(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 3)
        #expect(!csv.contains("ABCD1234"))
        let jsonl = await SettlementRig.collect(await rig.request("GET", "/v1/ledger/export?format=jsonl"))
        #expect(jsonl.filter { $0 == 0x0A }.count == 2)
        #expect(await rig.request("GET", "/v1/ledger/export?format=xml").status == 400)

        // A bare name goes into the backup directory beside the ledger, owner-only whatever the umask.
        let previousMask = umask(0o022)
        defer { umask(previousMask) }
        let backup = try await rig.request("POST", "/v1/ledger/backup", body: LedgerBackupRequest(path: "monday.sqlite"))
        #expect(backup.status == 201)
        let info = try SettlementRig.decode(LedgerBackupInfo.self, backup)
        let copy = rig.directory + "/backups/monday.sqlite"
        #expect(info.path == copy)
        #expect(info.rowsChecked == 2 && info.head == anchor && info.integrityOK)
        #expect(try (FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? Int) == 0o600)
        let reopened = try Ledger(path: copy)
        #expect(try reopened.verifyChain(anchor: ChainAnchor(seq: anchor.seq, hash: anchor.hash)).isValid)
        // Never over an existing file, never onto the live ledger, never outside the backup directory.
        let again = try await rig.request("POST", "/v1/ledger/backup", body: LedgerBackupRequest(path: "monday.sqlite"))
        #expect(again.status == 409)
        #expect(try SettlementRig.decode(APIErrorBody.self, again).error.code == "backup-exists")
        for target in [rig.directory + "/ledger.sqlite", rig.directory + "/ledger.sqlite-wal", "/etc/hotspot-backup.sqlite",
                       rig.directory + "/backups/../ledger.sqlite", "/tmp/elsewhere.sqlite"] {
            // Another supervisor: backups count against the caller's rate limit, which the requests above used.
            let refused = try await rig.request("POST", "/v1/ledger/backup", body: LedgerBackupRequest(path: target), uid: 2000)
            #expect(refused.status == 422, "\(target)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/etc/hotspot-backup.sqlite"))
        #expect(try rig.ledger.integrityCheck())
        await rig.stop()
    }
}

/// The token bucket on its own, with a clock the test moves.
@Suite struct CallerRateLimiterTests {
    @Test func allowsABurstThenRefusesWithTheWaitAndRefillsAtTheRate() async {
        let clock = ManualClock()
        let limiter = CallerRateLimiter(policy: RateLimitPolicy(perMinute: 10, burst: 5), clock: clock)
        for _ in 0..<5 { #expect(await limiter.admit(uid: 1000) == .allowed) }
        #expect(await limiter.admit(uid: 1000) == .refused(retryAfterSeconds: 6))
        #expect(await limiter.admit(uid: 1001) == .allowed)
        clock.advance(by: .seconds(5))
        #expect(await limiter.admit(uid: 1000) == .refused(retryAfterSeconds: 1))
        clock.advance(by: .seconds(1))
        #expect(await limiter.admit(uid: 1000) == .allowed)
        // Idle for long: never more than the burst.
        clock.advance(by: .seconds(3600))
        for _ in 0..<5 { #expect(await limiter.admit(uid: 1000) == .allowed) }
        #expect(await limiter.admit(uid: 1000) != .allowed)
    }

    @Test func classifiesOnlyMoneyOperations() {
        #expect(APIRouter.isMoneyOperation(method: "POST", route: ["devices", "d1", "provision"]))
        #expect(APIRouter.isMoneyOperation(method: "POST", route: ["vouchers", "import"]))
        #expect(APIRouter.isMoneyOperation(method: "POST", route: ["vouchers", "7", "settle"]))
        #expect(!APIRouter.isMoneyOperation(method: "GET", route: ["vouchers"]))
        #expect(APIRouter.isMoneyOperation(method: "POST", route: ["devices", "d1", "topup"]))
        // An attached device is provisioned by policy: attaching can spend a voucher.
        #expect(APIRouter.isMoneyOperation(method: "POST", route: ["devices"]))
        #expect(!APIRouter.isMoneyOperation(method: "GET", route: ["devices"]))
        #expect(APIRouter.isMoneyOperation(method: "POST", route: ["ledger", "backup"]))
        #expect(!APIRouter.isMoneyOperation(method: "GET", route: ["ledger", "export"]))
    }

    @Test func refusesABadLimitInTheConfiguration() throws {
        let text = StationConfigTests.valid.replacingOccurrences(
            of: "\"defaultPlan\": \"500MB\",", with: "\"defaultPlan\": \"500MB\", \"moneyRateLimit\": { \"perMinute\": 0, \"burst\": 5 },")
        #expect(throws: ConfigError(file: "x.json", key: "moneyRateLimit.perMinute", reason: "must be at least 1")) {
            try StationConfig.parse(Data(text.utf8), file: "x.json")
        }
    }
}
