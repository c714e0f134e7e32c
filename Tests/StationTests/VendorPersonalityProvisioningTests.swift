import Foundation
import Ledger
import Logging
import ModemSimulator
@testable import Station
import StationAPI
import Testing
import TestSupport

/// Each vendor personality of `simulator/personalities` (recorded replies of ZTE, Sierra, Option, Alcatel, Wavecom and
/// Qualcomm devices), plugged into a real station over a temporary ledger: identified, credited exactly once, done.
///
/// The personality runs as shipped (its own IMEI, ICCID, ICCID commands, USSD encoding and quirks), without
/// latencies; the operator knows one voucher, which the station must spend once for that SIM.
@Suite(.serialized) struct VendorPersonalityProvisioningTests {
    static let vendors = ["zte-mf627", "sierra-c885", "option-globetrotter", "alcatel-x060s", "wavecom-fastrack",
                          "qualcomm-m6280"]
    static let voucher = "436013279318"
    /// The personality that provisions only once the AT driver passes the dialect's final-result grace.

    /// A station with one simulated device of personality `name`, a 500MB default plan and one voucher for it.
    final class Rig {
        /// The station over a temporary ledger; the directory also holds the operator's state and the device's link.
        let base: StationRig
        let directory: String
        let ledger: Ledger
        let host: SimulatorHost
        let network: OperatorNetwork
        let station: Station
        let personality: Personality

        init(personality name: String) throws {
            base = try StationRig(config: StationRig.configuration(defaultPlan: "500MB", extra: """
                  "access": { "supervisorUIDs": [1000], "technicianUIDs": [3000] },
                  "allowPseudoTerminals": true,
                """), label: "vendor-test")
            directory = base.directory.path
            ledger = base.ledger
            station = base.station
            var profile = ModemSimulator.OperatorProfile()
            profile.replyDelayMs = 5
            profile.startingBalanceMB = 0
            profile.vouchers = [VendorPersonalityProvisioningTests.voucher: 500]
            network = OperatorNetwork(profile: profile, ledger: try OperatorLedger(profile: profile, path: directory + "/operator.json"))
            var loaded = try StationRig.shippedPersonality(name)
            loaded.latency = .init()
            personality = loaded
            host = SimulatorHost(devices: [DeviceSetup(label: name, personality: loaded)], network: network)
            _ = try host.start(linkDirectory: directory)
            try ledger.importVouchers([(code: VendorPersonalityProvisioningTests.voucher, plan: "500MB")], actor: 1000)
        }

        var port: String { host.ports[0].path }

        /// Waits (bounded) until device `id` settles, then until its run has ended.
        func settle(_ id: String) async throws -> DeviceStatus {
            try await StationRig.settled(station, id)
        }

        func stop() async {
            await station.shutdown()
            host.stop()
            base.directory.remove()
        }
    }

    @Test(arguments: VendorPersonalityProvisioningTests.vendors)
    func aRecordedDeviceIsIdentifiedCreditedOnceAndDone(_ name: String) async throws {
        let rig = try Rig(personality: name)
        _ = try await rig.station.recoverAfterStart()
        let attached = try await rig.station.attach(path: rig.port)
        let status = try await rig.settle(attached.id)
        let truth = rig.network.ledger.snapshot()
        await rig.stop()

        let personality = rig.personality
        let check = {
            #expect(status.state == .done, "\(name): \(status.state) at \(status.step ?? "-"): \(status.failure.map { "\($0)" } ?? "")")
            #expect(status.iccid == personality.sim.iccid, "\(name)")
            #expect(status.imei == personality.identity.imei, "\(name)")
            #expect(status.imsi == personality.sim.imsi, "\(name)")
            // The operator is the truth about money: one recharge, with our voucher, for this SIM.
            #expect(truth.recharges == 1, "\(name): \(truth.recharges) recharges")
            #expect(truth.vouchers[Self.voucher]?.redeemedBy == personality.sim.iccid, "\(name)")
            #expect(truth.balancesMB[personality.sim.iccid] == 500, "\(name)")
            #expect(status.balanceMB == 500, "\(name): balance \(status.balanceMB.map(String.init) ?? "nil")")
        }
        check()
    }
}
