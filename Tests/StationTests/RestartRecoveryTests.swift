import Foundation
import Ledger
@testable import Station
import Testing

/// What start-up does with the runs a crash cut short, before any device is attached.
@Suite struct RestartRecoveryTests {
    @Test func reservedVoucherGoesBackToStockAndItsRunEndsAsDaemonRestarted() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000)
        try rig.ledger.recordDevice(imei: SettlementRig.imei, manufacturer: "huawei", model: "E3131", firmware: "21.0",
                                    port: rig.port, actor: nil)
        try rig.ledger.recordSIM(iccid: SettlementRig.iccid, imsi: SettlementRig.imsi, luhnValid: true, actor: nil)
        let run = try rig.ledger.startProvisioning(deviceIMEI: SettlementRig.imei, iccid: SettlementRig.iccid,
                                                   plan: "500MB", actor: nil)
        try rig.ledger.importVouchers([(code: SettlementRig.voucherCode, plan: "500MB")], actor: 1000)
        let reserved = try #require(try rig.ledger.reserveVoucher(plan: "500MB", provisioningID: run,
                                                                   iccid: SettlementRig.iccid, actor: nil))
        let finishedRun = try rig.ledger.startProvisioning(deviceIMEI: SettlementRig.imei, iccid: SettlementRig.iccid,
                                                           plan: "500MB", actor: nil)
        try rig.ledger.finishProvisioning(id: finishedRun, outcome: .failed(code: "sim-pin-required", message: "PIN"),
                                          wifiSSID: nil, wifiKey: nil, actor: nil)
        let head = try rig.ledger.headHash()

        // Killed between `reserve` and `sending`: nothing went to the operator, so nothing is held for a person.
        #expect(try await rig.station.recoverAfterStart() == 0)

        let voucher = try #require(try rig.ledger.voucher(id: reserved.id))
        #expect(voucher.state == .available)
        #expect(try rig.ledger.events(voucherID: reserved.id).last?.kind == "voucher.released")
        let closed = try #require(try rig.ledger.provisioning(id: run))
        #expect(closed.state == .failed && closed.failureCode == "daemon-restarted")
        // A run that had already finished keeps its own outcome.
        #expect(try rig.ledger.provisioning(id: finishedRun)?.failureCode == "sim-pin-required")
        #expect(try rig.ledger.unsettledVouchers().isEmpty)
        #expect(try rig.ledger.verifyChain(anchor: head).isValid)
        #expect(rig.operatorTruth().recharges == 0)

        // A second start finds nothing left to close.
        let events = try rig.ledger.eventCount()
        #expect(try await rig.station.recoverAfterStart() == 0)
        #expect(try rig.ledger.eventCount() == events)
        await rig.stop()
    }
}
