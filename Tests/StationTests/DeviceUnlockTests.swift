import Foundation
import Ledger
import ModemSimulator
@testable import Station
import StationAPI
import Testing
import TestSupport

/// A hotspot whose SIM waits for its PIN: a technician gives it once; a wrong configured PIN never spends more than
/// one try, however often the device is plugged in.
@Suite struct DeviceUnlockTests {
    private func lockedRig(config: String = "") throws -> SettlementRig {
        let rig = try SettlementRig(startingBalanceMB: 0, vouchers: ["111122223333": 500], defaultPlan: "500MB",
                                    extraConfig: config, personality: "huawei-e5-mifi",
                                    simPIN: "4321")
        try rig.ledger.importVouchers([(code: "111122223333", plan: "500MB")], actor: 1000)
        return rig
    }

    @Test func aWrongPINIsOneTryAndTheRightOneLetsTheRunGoOnWithOneVoucher() async throws {
        let rig = try lockedRig()
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        let locked = try await StationRig.settled(rig.station, "d1")
        #expect(locked.failure?.code == "sim-pin-required")
        #expect(locked.pinTriesLeft == 3)

        let wrong = try await rig.station.unlockDevice("d1", pin: "0000", remember: false, actor: 3000)
        #expect(!wrong.accepted)
        #expect(wrong.triesBefore == 3 && wrong.triesAfter == 2)
        #expect(rig.operatorTruth().recharges == 0)

        let right = try await rig.station.unlockDevice("d1", pin: "4321", remember: true, actor: 3000)
        #expect(right.accepted)
        let done = try await StationRig.settled(rig.station, "d1")
        #expect(done.state == .done, "\(String(describing: done.failure))")
        #expect(rig.operatorTruth().recharges == 1)
        let attempts = try rig.ledger.events(limit: 1000).filter { $0.kind == "sim.pin-attempt" }
        #expect(attempts.count == 2)
        #expect(!attempts.contains { $0.detail.values.contains("4321") || $0.detail.values.contains("0000") }, "no PIN in the ledger")
        #expect(rig.station.rememberedPINs.all == [SettlementRig.iccid: "4321"])
        await #expect(throws: StationError.self) {
            _ = try await rig.station.unlockDevice("d1", pin: "4321", remember: false, actor: 3000)   // nothing waits for a PIN
        }
        await rig.stop()
    }

    @Test func aWrongConfiguredPINSpendsOneTryAtMostWhateverTheReplugs() async throws {
        let rig = try lockedRig(config: #""simPINs": { "\#(SettlementRig.iccid)": "9999" },"#)
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        let first = try await StationRig.settled(rig.station, "d1")
        #expect(first.failure?.code == "sim-pin-required")
        #expect(first.pinTriesLeft == 2, "the configured PIN was tried once and refused")
        // Identified again (a person's provision, as a re-plug or a restart would): the PIN is not tried again.
        _ = try? await rig.station.provision("d1", request: ProvisionRequest(), actor: 3000)
        let again = try await StationRig.settled(rig.station, "d1")
        #expect(again.pinTriesLeft == 2, "a wrong configured PIN spends one try, never the SIM")
        await rig.stop()
    }
}
