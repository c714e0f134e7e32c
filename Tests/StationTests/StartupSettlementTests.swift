import Foundation
import Ledger
import ModemSimulator
@testable import Station
import StationAPI
import Testing
import UnixHTTP

/// Start-up settlement by balance comparison, on a real station and a simulated stick on a pty.
@Suite struct StartupSettlementTests {
    @Test func settlesAnUnknownVoucherAsAppliedWhenTheBalanceRoseByThePlanBeforeReportingReady() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        let id = try rig.crashWhileSending(balanceBeforeMB: 1000)
        // The USSD left before the crash and the operator applied it: 1000 → 1500 MB.
        _ = try rig.network.ledger.redeem(code: SettlementRig.voucherCode, iccid: SettlementRig.iccid)

        #expect(try await rig.station.recoverAfterStart() == 1)
        _ = try await rig.station.attach(path: rig.port)
        let starting = await rig.request("GET", "/v1/health")
        #expect(starting.status == 503)
        #expect(try SettlementRig.decode(HealthInfo.self, starting).status == "starting")

        let report = await rig.station.finishStartup(deadline: .seconds(30))
        #expect(report.identified == 1 && report.pending == 0 && report.unknownVouchers == 0)
        #expect(await rig.request("GET", "/v1/health").status == 200)

        let voucher = try #require(try rig.ledger.voucher(id: id))
        #expect(voucher.state == .applied)
        #expect(voucher.balanceBeforeMB == 1000 && voucher.balanceAfterMB == 1500)
        let note = try #require(voucher.settledNote)
        #expect(note.contains("1000 MB") && note.contains("1500 MB"))
        let settled = try #require(try rig.ledger.events(voucherID: id).last)
        #expect(settled.kind == "voucher.settled" && settled.actorUID == nil && settled.detail["outcome"] == "applied")
        // Never re-sent: the operator saw exactly the one redemption from before the crash, and one balance query.
        let truth = rig.operatorTruth()
        #expect(truth.vouchers[SettlementRig.voucherCode]?.attempts.count == 1)
        #expect(truth.recharges == 1)
        #expect(truth.balanceQueries[SettlementRig.iccid] == 1)
        #expect(try rig.ledger.verifyChain().isValid)
        await rig.stop()
    }

    @Test func keepsTheVoucherUnknownAndRecordsTheCheckWhenTheBalanceDidNotRise() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        let id = try rig.crashWhileSending(balanceBeforeMB: 1000)
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        let report = await rig.station.finishStartup(deadline: .seconds(30))
        #expect(report.unknownVouchers == 1)

        #expect(try rig.ledger.voucher(id: id)?.state == .unknown)
        let check = try #require(try rig.ledger.events(voucherID: id).last)
        #expect(check.kind == "voucher.checked")
        #expect(check.detail["balance_before_mb"] == "1000" && check.detail["balance_after_mb"] == "1000")
        #expect(rig.operatorTruth().recharges == 0)

        // The queue a person works from: redacted by default, with the balance before and the check count.
        let listed = try SettlementRig.decode([UnknownVoucherInfo].self, await rig.request("GET", "/v1/vouchers/unknown"))
        let row = try #require(listed.first)
        #expect(listed.count == 1 && row.id == id && row.plan == "500MB" && row.balanceBeforeMB == 1000 && row.checks == 1)
        #expect(row.code == "••••9012" && row.iccid?.hasPrefix("…") == true)
        #expect(row.reason?.contains("restarted") == true)
        await rig.stop()
    }

    @Test func settlesOnALaterAttachAndTheFollowingRunDoesNotBuyTheCreditAgain() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000, vouchers: [SettlementRig.voucherCode: 500, "555566667777": 500],
                                    defaultPlan: "500MB")
        let id = try rig.crashWhileSending(balanceBeforeMB: 1000)
        try rig.ledger.importVouchers([(code: "555566667777", plan: "500MB")], actor: 1000)
        _ = try rig.network.ledger.redeem(code: SettlementRig.voucherCode, iccid: SettlementRig.iccid)
        _ = try await rig.station.recoverAfterStart()
        #expect(await rig.station.finishStartup(deadline: .seconds(5)).identified == 0)

        // Plugged in after start: identified, settled by balance, then the policy run skips the money steps.
        _ = try await rig.station.attach(path: rig.port)
        try await rig.waitForDevice("d1", in: [.done, .failed, .gone])
        #expect(try await rig.station.device("d1", reveal: false).state == .done)
        #expect(try rig.ledger.voucher(id: id)?.state == .applied)
        #expect(try rig.ledger.vouchers(state: .available).count == 1)
        #expect(rig.operatorTruth().recharges == 1)
        await rig.stop()
    }

    @Test func readyWaitsNoLongerThanTheDeadlineForASilentDevice() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        _ = try await rig.station.recoverAfterStart()
        // A second, silent "device": a pty nobody answers on.
        let silent = try PseudoTerminal.open()
        _ = try await rig.station.attach(path: silent.path)
        let started = ContinuousClock.now
        let report = await rig.station.finishStartup(deadline: .milliseconds(500))
        #expect(started.duration(to: .now) < .seconds(5))
        #expect(report.pending == 1)
        #expect(await rig.station.isReady)
        await rig.stop()
        silent.close()
    }
}
