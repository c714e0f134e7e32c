import ATProtocol
import Foundation
import Ledger
import Logging
import ModemSimulator
@testable import Station
import StationAPI
import Testing
import TestSupport
import UnixHTTP

/// One sale, one credit, on a real station over a real ledger and a simulated device on a pty: a restart, a re-plug or
/// a repeated request never charges a served SIM again; more credit needs an explicit order with the caller's uid.
@Suite struct OneSaleOneCreditTests {
    /// A second station over the same ledger file and configuration: what a daemon restart is.
    private func restarted(_ rig: SettlementRig) throws -> (Station, APIRouter) {
        let ledger = try Ledger(path: rig.directory + "/ledger.sqlite")
        let station = Station(config: rig.config, ledger: ledger, logger: Logger(label: "station-test-restarted"))
        return (station, APIRouter(station: station))
    }

    /// A MiFi on a station whose default plan is 500MB, with these vouchers in the book and at the operator.
    private func hotspotRig(_ book: [(code: String, plan: String, megabytes: Int)]) throws -> SettlementRig {
        let rig = try SettlementRig(startingBalanceMB: 0, vouchers: Dictionary(uniqueKeysWithValues: book.map { ($0.code, $0.megabytes) }),
                                    defaultPlan: "500MB", personality: "huawei-e5-mifi")
        try rig.ledger.importVouchers(book.map { (code: $0.code, plan: $0.plan) }, actor: 1000)
        return rig
    }

    @Test func aRestartWithTheHotspotStillPluggedChargesNothingAndKeepsTheWiFiKey() async throws {
        let rig = try hotspotRig([("111122223333", "500MB", 500), ("444455556666", "500MB", 500)])
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        try await StationRig.settled(rig.station, "d1")
        let first = try await rig.station.device("d1", reveal: true)
        #expect(first.state == .done)
        let card = try #require(first.wifi?.key)
        await rig.station.shutdown()

        // The daemon starts again with the same hotspot plugged in.
        let (station, _) = try restarted(rig)
        _ = try await station.recoverAfterStart()
        // A new session number (d1 is never handed out again), shown under the device's first id once identified.
        let session = try await station.attach(path: rig.port).id
        #expect(session != "d1")
        try await StationRig.settled(station, session)
        let again = try await station.device("d1", reveal: true)
        #expect(again.id == "d1")
        #expect(again.state == .done)
        #expect(again.wifi?.key == card, "the card handed over keeps working")
        #expect(again.provisioningID == first.provisioningID)
        #expect(rig.operatorTruth().recharges == 1, "one sale, one credit")
        #expect(try rig.ledger.vouchers(state: .available).count == 1)
        let orders = try rig.ledger.orders(iccid: SettlementRig.iccid)
        #expect(orders.count == 1 && orders.first?.state == .fulfilled)
        await station.shutdown()
        await rig.stop()
    }

    @Test func provisionOnAServedDeviceIsRefusedAndTopUpBuysExactlyOneMoreWithTheCallersUID() async throws {
        let rig = try hotspotRig([("111122223333", "500MB", 500), ("444455556666", "2GB", 2048)])
        _ = try await rig.station.recoverAfterStart()
        #expect(try await rig.request("POST", "/v1/devices", body: AttachRequest(path: rig.port), uid: 1003).status == 201)
        try await StationRig.settled(rig.station, "d1")
        let card = try #require(try await rig.station.device("d1", reveal: true).wifi?.key)
        // The policy order carries the uid of whoever attached the device.
        #expect(try rig.ledger.orders(iccid: SettlementRig.iccid).first?.actorUID == 1003)

        let refused = try await rig.request("POST", "/v1/devices/d1/provision", body: ProvisionRequest(plan: "2GB"))
        #expect(refused.status == 409)
        #expect(try SettlementRig.decode(APIErrorBody.self, refused).error.code == "already-served")
        #expect(rig.operatorTruth().recharges == 1)

        let topUp = try await rig.request("POST", "/v1/devices/d1/topup", body: TopUpRequest(plan: "2GB"), uid: 1002)
        #expect(topUp.status == 202)
        try await StationRig.settled(rig.station, "d1")
        let after = try await rig.station.device("d1", reveal: true)
        #expect(after.state == .done)
        #expect(after.wifi?.key == card, "a top-up never changes the Wi-Fi key")
        #expect(rig.operatorTruth().recharges == 2)
        #expect(rig.operatorTruth().balancesMB[SettlementRig.iccid] == 500 + 2048)
        let topUpOrder = try #require(try rig.ledger.orders(iccid: SettlementRig.iccid).first)
        #expect(topUpOrder.origin == .topup && topUpOrder.actorUID == 1002 && topUpOrder.state == .fulfilled)
        #expect(!topUpOrder.setsWiFi)
        await rig.stop()
    }

    @Test func provisionAgainIsAnExplicitNewOrderWithANewKey() async throws {
        let rig = try hotspotRig([("111122223333", "500MB", 500), ("444455556666", "500MB", 500)])
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        try await StationRig.settled(rig.station, "d1")
        let card = try #require(try await rig.station.device("d1", reveal: true).wifi?.key)
        let again = try await rig.request("POST", "/v1/devices/d1/provision", body: ProvisionRequest(again: true), uid: 1002)
        #expect(again.status == 202)
        try await StationRig.settled(rig.station, "d1")
        let status = try await rig.station.device("d1", reveal: true)
        #expect(status.state == .done && status.wifi?.key != card)
        #expect(rig.operatorTruth().recharges == 2)
        #expect(try rig.ledger.orders(iccid: SettlementRig.iccid).first?.origin == .again)
        await rig.stop()
    }

    @Test func eightAttachesInARowAreRateLimitedAndNeverChargeTheSIMTwice() async throws {
        // The default burst of 5, refilled once a minute instead of every 6 s: eight requests on a loaded machine can
        // take longer than 6 s, never a minute, so the count of refusals does not depend on the machine's speed.
        let rig = try SettlementRig(startingBalanceMB: 0, vouchers: Dictionary(uniqueKeysWithValues: (0..<8).map { ("90000000000\($0)", 500) }),
                                    defaultPlan: "500MB", extraConfig: #""moneyRateLimit": { "perMinute": 1, "burst": 5 },"#)
        try rig.ledger.importVouchers((0..<8).map { (code: "90000000000\($0)", plan: "500MB") }, actor: 1000)
        _ = try await rig.station.recoverAfterStart()
        var statuses: [Int] = []
        for _ in 0..<8 {
            statuses.append(try await rig.request("POST", "/v1/devices", body: AttachRequest(path: rig.port), uid: 1004).status)
        }
        // The burst (5) admits the first ones (one attached, the others refused as already attached); the rest wait.
        #expect(statuses.filter { $0 == 429 }.count == 3, "\(statuses)")
        #expect(statuses.first == 201)
        try await StationRig.settled(rig.station, "d1")
        #expect(rig.operatorTruth().recharges == 1)
        #expect(try rig.ledger.orders(iccid: SettlementRig.iccid).first?.actorUID == 1004)
        await rig.stop()
    }

    @Test func aWiFiNameAHotspotCannotStoreIsRefusedBeforeTheRun() async throws {
        let rig = try SettlementRig(startingBalanceMB: 0, vouchers: ["111122223333": 500], personality: "huawei-e5-mifi")
        try rig.ledger.importVouchers([(code: "111122223333", plan: "500MB")], actor: 1000)
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        try await StationRig.settled(rig.station, "d1")
        // The refusal names the field and the character in words and as details a client can word in French.
        let expected: [String: [String: String]] = [
            "Café": ["field": "ssid", "problem": "forbidden-character", "character": "U+00E9"],
            "": ["field": "ssid", "problem": "empty"],
        ]
        for (ssid, details) in expected {
            let response = try await rig.request("POST", "/v1/devices/d1/provision", body: ProvisionRequest(plan: "500MB", ssid: ssid))
            #expect(response.status == 422)
            let error = try SettlementRig.decode(APIErrorBody.self, response).error
            #expect(error.code == "wifi-invalid")
            #expect(error.details == details)
            #expect(!error.message.contains("forbiddenCharacter("), "a Swift enum dump: \(error.message)")
        }
        #expect(rig.operatorTruth().recharges == 0)
        #expect(try rig.ledger.vouchers(state: .available).count == 1)
        await rig.stop()
    }

    @Test func startUpSettlesASendingVoucherWhoseAcceptanceWasRecordedAsApplied() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000, defaultPlan: "500MB")
        let id = try rig.crashWhileSending(balanceBeforeMB: 1000)
        _ = try rig.network.ledger.redeem(code: SettlementRig.voucherCode, iccid: SettlementRig.iccid)
        // The daemon died during the confirming balance query: the recharge's acceptance is already in the ledger.
        let run = try #require(try rig.ledger.voucher(id: id)?.provisioningID)
        try rig.ledger.recordStep(provisioningID: run, step: "recharge", status: .succeeded,
                                  detail: ["reply": "Rechargement reussi: 500 Mo ajoutes."], actor: nil)
        #expect(try await rig.station.recoverAfterStart() == 0, "nothing left for a person")
        let voucher = try #require(try rig.ledger.voucher(id: id))
        #expect(voucher.state == .applied && voucher.rawReply?.contains("reussi") == true)
        // The device is still plugged in: its order resumes without buying the credit again.
        _ = try await rig.station.attach(path: rig.port)
        try await StationRig.settled(rig.station, "d1")
        #expect(try await rig.station.device("d1", reveal: false).state == .done)
        #expect(rig.operatorTruth().recharges == 1)
        #expect(try rig.ledger.orders(iccid: SettlementRig.iccid).first?.state == .fulfilled)
        await rig.stop()
    }

    @Test func aConfiguredPortThatComesBackIsAttachedAgainAndItsOrderFinishesWithoutASecondVoucher() async throws {
        // The stick hangs up right after the recharge reached the network, and comes back 300 ms later on a new pty.
        var faults = Personality.Faults()
        faults.hangupAfter = ["AT+CUSD=1,\"\(try GSM7.packUSSDHex("*123*111122223333#"))\"*"]
        faults.replugAfterMs = 300
        let rig = try SettlementRig(startingBalanceMB: 1000, vouchers: ["111122223333": 500, "444455556666": 500],
                                    defaultPlan: "500MB", faults: faults)
        try rig.ledger.importVouchers([(code: "111122223333", plan: "500MB"), (code: "444455556666", plan: "500MB")], actor: 1000)
        _ = try await rig.station.recoverAfterStart()
        try await rig.station.attachConfigured(path: rig.link)
        // Gone mid-recharge, then attached again on the link's new target, identified, settled by balance, finished.
        let deadline = ContinuousClock.now + .seconds(30)
        var finished: DeviceStatus?
        while ContinuousClock.now < deadline, finished == nil {
            for status in await rig.station.devices(reveal: false) where status.state == .done { finished = status }
            try await Task.sleep(for: .milliseconds(50))
        }
        await rig.station.waitUntilIdle()
        let listed = await rig.station.devices(reveal: false).map { "\($0.id) \($0.state) \($0.failure?.code ?? "")" }
        let status = try #require(finished, "the re-plugged stick never finished: \(listed)")
        #expect(status.id == "d1", "the new session that took over the gone one shows the stick's id")
        #expect(rig.operatorTruth().recharges == 1, "one sale, one credit")
        #expect(try rig.ledger.vouchers(state: .available).count == 1)
        #expect(try rig.ledger.orders(iccid: SettlementRig.iccid).map(\.state) == [.fulfilled])
        await rig.stop()
    }

    @Test func aDeviceTwoDaemonsInARowDiedOnIsListedNotProbedUntilAPersonReleasesIt() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000, vouchers: ["111122223333": 500], defaultPlan: "500MB")
        try rig.ledger.importVouchers([(code: "111122223333", plan: "500MB")], actor: 1000)
        // Two daemons began handling this port and died before the end.
        #expect(try rig.ledger.beginHandling(port: Station.handlingKey(rig.port)) == nil)
        #expect(try rig.ledger.beginHandling(port: Station.handlingKey(rig.port)) == nil)
        // Another device that got a port name a quarantined one had is not held for it.
        #expect(try rig.ledger.beginHandling(port: "/dev/ttyUSB9#1.0") == nil)
        #expect(try rig.ledger.beginHandling(port: "/dev/ttyUSB9#1.0") == nil)
        #expect(Station.handlingKey(rig.port) != rig.port && Station.handlingKey(rig.port).hasPrefix(rig.port + "#"))
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        let startup = await rig.station.finishStartup(deadline: .seconds(5))
        #expect(startup.pending == 0, "start-up does not wait for a quarantined device")
        try await rig.waitForDevice("d1", in: [.failed])
        let listed = try await rig.station.device("d1", reveal: false)
        #expect(listed.failure?.code == "quarantined")
        #expect(listed.imei == nil, "not probed")
        #expect(rig.operatorTruth().balanceQueries.isEmpty && rig.operatorTruth().recharges == 0)

        // A person looked at it and asks again: released, identified, credited once.
        #expect(try await rig.request("POST", "/v1/devices/d1/provision", body: ProvisionRequest()).status == 202)
        try await rig.waitForDevice("d1", in: [.done, .failed])
        #expect(try await rig.station.device("d1", reveal: false).state == .done)
        #expect(rig.operatorTruth().recharges == 1)
        #expect(try rig.ledger.beginHandling(port: Station.handlingKey(rig.port)) == nil, "released: its count starts again")
        await rig.stop()
    }

    @Test func aDeviceWhoseHandlingEndedIsNotCountedAgainstIt() async throws {
        let rig = try SettlementRig(startingBalanceMB: 1000, vouchers: ["111122223333": 500], defaultPlan: "500MB")
        try rig.ledger.importVouchers([(code: "111122223333", plan: "500MB")], actor: 1000)
        _ = try await rig.station.recoverAfterStart()
        for _ in 0..<3 {
            let station = Station(config: rig.config, ledger: try Ledger(path: rig.directory + "/ledger.sqlite"),
                                  logger: Logger(label: "station-test-restart"))
            let id = try await station.attach(path: rig.port).id
            try await StationRig.settled(station, id)
            #expect(try await station.device(id, reveal: false).failure?.code != "quarantined")
            await station.shutdown()
        }
        #expect(rig.operatorTruth().recharges == 1)
        await rig.stop()
    }

    @Test func aSIMServedBeforeOrdersExistedIsNotChargedAgain() async throws {
        // A ledger written by the previous release: the SIM's voucher was applied by a run with no order.
        let rig = try SettlementRig(startingBalanceMB: 1000, vouchers: [SettlementRig.voucherCode: 500, "555566667777": 500],
                                    defaultPlan: "500MB")
        let id = try rig.crashWhileSending(balanceBeforeMB: 1000, withOrder: false)
        try rig.ledger.markApplied(id: id, balanceBeforeMB: 1000, balanceAfterMB: 1500, rawReply: "ok", actor: nil)
        try rig.ledger.importVouchers([(code: "555566667777", plan: "500MB")], actor: 1000)
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        try await StationRig.settled(rig.station, "d1")
        #expect(try await rig.station.device("d1", reveal: false).state == .done)
        #expect(rig.operatorTruth().recharges == 0)
        #expect(try rig.ledger.vouchers(state: .available).count == 1)
        await rig.stop()
    }

    /// A device that gives no IMEI (its `+CGSN` and `ATI` fail) is filed under its SIM, listed with why, and served once;
    /// when it later gives its IMEI (after a restart), its SIM is still served: no second voucher.
    @Test func aDeviceWithoutIMEIIsFiledUnderItsSIMAndServedOnce() async throws {
        var faults = Personality.Faults()
        faults.failFirst = ["AT+CGSN", "ATI"]
        let rig = try SettlementRig(startingBalanceMB: 0, vouchers: ["111122223333": 500, "444455556666": 500],
                                    defaultPlan: "500MB", faults: faults)
        try rig.ledger.importVouchers([(code: "111122223333", plan: "500MB"), (code: "444455556666", plan: "500MB")], actor: 1000)
        _ = try await rig.station.recoverAfterStart()
        _ = try await rig.station.attach(path: rig.port)
        try await StationRig.settled(rig.station, "d1")
        let first = try await rig.station.device("d1", reveal: true)
        #expect(first.state == .done, "\(String(describing: first.failure))")
        #expect(first.imei == nil)
        #expect(first.identifiedBy == "iccid")
        #expect(first.unreadable?["imei"] != nil, "the list says why the IMEI is missing")
        #expect(try rig.ledger.device(imei: "iccid:" + SettlementRig.iccid) != nil, "filed under its SIM's ICCID")
        #expect(rig.operatorTruth().recharges == 1)
        await rig.station.shutdown()

        let (station, _) = try restarted(rig)
        _ = try await station.recoverAfterStart()
        // A new session (its id is new: the device it names now has an IMEI it did not give before).
        let attached = try await station.attach(path: rig.port)
        try await StationRig.settled(station, attached.id)
        let again = try await station.device(attached.id, reveal: true)
        #expect(again.imei == SettlementRig.imei, "the IMEI it gives now is read")
        #expect(again.state == .done)
        #expect(rig.operatorTruth().recharges == 1, "one SIM, one sale, whatever the device said about itself")
        #expect(try rig.ledger.vouchers(state: .available).count == 1)
        await station.shutdown()
        await rig.stop()
    }
}
