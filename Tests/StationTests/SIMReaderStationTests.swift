import ATProtocol
import Foundation
import Ledger
import PCSCReader
import Provisioning
import SIMCard
@testable import Station
import StationAPI
import Testing

/// A card access that answers with a set reading, optionally holding each read until the test releases it.
actor FakeCardAccess: SIMCardAccess {
    var reading: Result<SIMCardReading, SIMCardError>
    var attempt: Result<SIMPINAttempt, SIMCardError> = .failure(.pinNotRequired)
    private(set) var pinsGiven: [String] = []
    private var gate: CheckedContinuation<Void, Never>?
    private var holding = false

    init(_ reading: Result<SIMCardReading, SIMCardError>) {
        self.reading = reading
    }

    func hold() { holding = true }

    func release() {
        holding = false
        gate?.resume()
        gate = nil
    }

    var isWaiting: Bool { gate != nil }

    func set(_ reading: Result<SIMCardReading, SIMCardError>) { self.reading = reading }
    func set(attempt: Result<SIMPINAttempt, SIMCardError>) { self.attempt = attempt }

    func read(reader: String) async -> Result<SIMCardReading, SIMCardError> {
        if holding { await withCheckedContinuation { gate = $0 } }
        return reading
    }

    func attemptPIN(_ pin: String, reader: String) async -> Result<SIMPINAttempt, SIMCardError> {
        pinsGiven.append(pin)
        return attempt
    }
}

/// SIM readers at the station: rows that follow the card, SIMs registered in the ledger, pre-orders that are the
/// order a hotspot later runs (once), orders listed and cancelled with the caller's uid, PINs only when given.
@Suite struct SIMReaderStationTests {
    static let reader = "ACS ACR39U ICC Reader 00 00"

    static func reading(iccid: String = SettlementRig.iccid, imsi: String? = nil, pin: SIMPINStatus = .init(state: .simPIN, triesLeft: 3))
        -> SIMCardReading {
        SIMCardReading(family: .uicc, iccid: ICCID(digits: iccid), imsi: imsi.flatMap(IMSI.init(validating:)),
                       imsiUnreadable: imsi == nil ? SIMCardReading.imsiNeedsPIN : nil, pin: pin)
    }

    private func insertCard(_ station: Station, access: FakeCardAccess) async {
        await station.simReaders.use(access: access)
        await station.handleReaderEvent(.readerAdded(Self.reader))
        let read = await station.handleReaderEvent(.cardInserted(reader: Self.reader, atr: [0x3B, 0x02, 0x14, 0x50]))
        await read?.value
    }

    @Test func aSIMInAReaderIsListedAndRegisteredWithoutAnIMEI() async throws {
        let rig = try SettlementRig(startingBalanceMB: 0)
        await insertCard(rig.station, access: FakeCardAccess(.success(Self.reading())))
        let rows = await rig.station.devices(reveal: false).filter { $0.role == .simReader }
        let row = try #require(rows.first)
        #expect(rows.count == 1)
        #expect(row.id == "r1")
        #expect(row.state == .done)
        #expect(row.imei == nil)
        #expect(row.iccid?.hasSuffix(String(SettlementRig.iccid.suffix(4))) == true)
        #expect(row.iccid != SettlementRig.iccid, "redacted by default")
        #expect(row.simType == "UICC" && row.simState == "SIM PIN" && row.pinTriesLeft == 3)
        let events = try rig.ledger.events(iccid: SettlementRig.iccid).filter { $0.kind == "sim.registered" }
        #expect(events.count == 1)
        #expect(events.first?.detail["reader"] == Self.reader)
        #expect(events.first?.detail["card_type"] == "UICC")
        #expect(events.first?.detail["imsi"] == nil, "no IMSI was read")
        // Removal: the row follows, the reader stays listed.
        await rig.station.handleReaderEvent(.cardRemoved(reader: Self.reader))
        let empty = try #require(await rig.station.devices(reveal: false).first { $0.role == .simReader })
        #expect(empty.iccid == nil && empty.state == .connecting)
        await rig.station.handleReaderEvent(.readerRemoved(Self.reader))
        #expect(await rig.station.devices(reveal: false).allSatisfy { $0.role != .simReader })
        await rig.stop()
    }

    @Test func aReadThatEndsAfterItsCardWasSwappedIsNeitherShownNorRegistered() async throws {
        let rig = try SettlementRig(startingBalanceMB: 0)
        let access = FakeCardAccess(.success(Self.reading(iccid: "8944101234567890128")))
        await access.hold()
        await rig.station.simReaders.use(access: access)
        await rig.station.handleReaderEvent(.readerAdded(Self.reader))
        let stale = await rig.station.handleReaderEvent(.cardInserted(reader: Self.reader, atr: []))
        while !(await access.isWaiting) { await Task.yield() }
        // The first card leaves and another goes in while the first read is still under way.
        await rig.station.handleReaderEvent(.cardRemoved(reader: Self.reader))
        await access.release()
        await stale?.value
        #expect(try rig.ledger.events(iccid: "8944101234567890128").isEmpty, "a card that left is not registered")
        await access.set(.success(Self.reading()))
        let fresh = await rig.station.handleReaderEvent(.cardInserted(reader: Self.reader, atr: []))
        await fresh?.value
        let row = try #require(await rig.station.devices(reveal: true, identifiers: true).first { $0.role == .simReader })
        #expect(row.iccid == SettlementRig.iccid)
        await rig.stop()
    }

    @Test func aCardThatIsNotASIMIsShownAsFailedAndNothingIsRegistered() async throws {
        let rig = try SettlementRig(startingBalanceMB: 0)
        let before = try rig.ledger.eventCount()
        await insertCard(rig.station, access: FakeCardAccess(.failure(.notASIM)))
        let row = try #require(await rig.station.devices(reveal: false).first { $0.role == .simReader })
        #expect(row.state == .failed && row.failure?.code == "not-a-sim" && row.iccid == nil)
        #expect(try rig.ledger.eventCount() == before)
        await rig.stop()
    }

    @Test func aPreorderedPlanNotTheDefaultIsAppliedOnceWhenTheSIMReachesAHotspot() async throws {
        let rig = try SettlementRig(startingBalanceMB: 0, vouchers: ["111122223333": 500, "444455556666": 2048],
                                    defaultPlan: "500MB", personality: "huawei-e5-mifi")
        try rig.ledger.importVouchers([(code: "111122223333", plan: "500MB"), (code: "444455556666", plan: "2GB")], actor: 1000)
        _ = try await rig.station.recoverAfterStart()
        await insertCard(rig.station, access: FakeCardAccess(.success(Self.reading())))

        // Pre-order by the SIM's last digits, as a technician would type it.
        let placed = try await rig.request("POST", "/v1/devices/\(SettlementRig.iccid.suffix(6))/provision",
                                           body: ProvisionRequest(plan: "2GB"), uid: 3000)
        #expect(placed.status == 201)
        let order = try #require(try rig.ledger.orders(iccid: SettlementRig.iccid).first)
        #expect(order.state == .open && order.plan == "2GB" && order.actorUID == 3000)
        #expect(try rig.ledger.vouchers(state: .available).count == 2, "a pre-order reserves nothing")
        #expect(rig.operatorTruth().recharges == 0)

        // The SIM goes into a hotspot: the plug-in policy resumes the pre-order, not the default plan.
        _ = try await rig.station.attach(path: rig.port)
        try await rig.waitForDevice("d1", in: [.done, .failed, .awaitingPlan])
        await rig.station.waitUntilIdle()
        let device = try await rig.station.device("d1", reveal: false)
        #expect(device.state == .done)
        #expect(device.plan == "2GB")
        #expect(rig.operatorTruth().recharges == 1)
        #expect(rig.operatorTruth().balancesMB[SettlementRig.iccid] == 2048)
        let orders = try rig.ledger.orders(iccid: SettlementRig.iccid)
        #expect(orders.count == 1 && orders.first?.state == .fulfilled && orders.first?.id == order.id)
        #expect(try rig.ledger.vouchers(state: .available).map(\.plan) == ["500MB"])

        // Plugged again: nothing more is charged.
        _ = try await rig.station.detach("d1", actor: nil)
        _ = try await rig.station.attach(path: rig.port)
        try await rig.waitForDevice("d2", in: [.done, .failed, .awaitingPlan])
        await rig.station.waitUntilIdle()
        #expect(rig.operatorTruth().recharges == 1, "exactly once")
        await rig.stop()
    }

    @Test func ordersAreListedAndAnOpenOneIsCancelledWithTheCallersUID() async throws {
        let rig = try SettlementRig(startingBalanceMB: 0, defaultPlan: "500MB")
        await insertCard(rig.station, access: FakeCardAccess(.success(Self.reading())))
        #expect(try await rig.request("POST", "/v1/devices/r1/provision", body: ProvisionRequest(plan: "500MB"), uid: 3000).status == 201)
        let listed = try SettlementRig.decode([OrderInfo].self, await rig.request("GET", "/v1/orders?state=open", uid: 1001))
        let order = try #require(listed.first)
        #expect(listed.count == 1 && order.plan == "500MB" && order.actorUID == 3000 && order.credit == "none")
        #expect(order.iccid != SettlementRig.iccid, "ICCID redacted")

        let cancelled = await rig.request("POST", "/v1/orders/\(order.id)/cancel", uid: 1002)
        #expect(cancelled.status == 200)
        #expect(try SettlementRig.decode(OrderInfo.self, cancelled).state == "cancelled")
        let event = try #require(try rig.ledger.events(iccid: SettlementRig.iccid).last { $0.kind == "order.cancelled" })
        #expect(event.actorUID == 1002)
        let again = await rig.request("POST", "/v1/orders/\(order.id)/cancel", uid: 1002)
        #expect(again.status == 409)
        #expect(await rig.request("POST", "/v1/orders/999/cancel", uid: 1002).status == 404)
        await rig.stop()
    }

    @Test func unlockMakesOneAttemptWithThePINGivenAndRecordsItWithoutThePIN() async throws {
        let rig = try SettlementRig(startingBalanceMB: 0)
        let access = FakeCardAccess(.success(Self.reading()))
        await insertCard(rig.station, access: access)
        #expect(await access.pinsGiven.isEmpty, "reading a SIM never presents a PIN")
        await access.set(attempt: .success(SIMPINAttempt(accepted: true, triesBefore: 3, after: SIMPINStatus(state: .ready, triesLeft: nil))))
        await access.set(.success(Self.reading(imsi: "001010123456789", pin: SIMPINStatus(state: .ready, triesLeft: 3))))
        let response = try await rig.request("POST", "/v1/devices/r1/unlock", body: UnlockRequest(pin: "9876"), uid: 3000)
        #expect(response.status == 200)
        let result = try SettlementRig.decode(UnlockResult.self, response)
        #expect(result.accepted && result.triesBefore == 3 && result.device.simState == "READY")
        #expect(await access.pinsGiven == ["9876"])
        let events = try rig.ledger.events(iccid: SettlementRig.iccid)
        let attempt = try #require(events.first { $0.kind == "sim.pin-attempt" })
        #expect(attempt.actorUID == 3000 && attempt.detail["accepted"] == "true")
        #expect(!events.contains { $0.detail.values.contains { $0.contains("9876") } }, "the PIN is never recorded")
        #expect(events.filter { $0.kind == "sim.registered" }.last?.detail["imsi"] == "001010123456789")
        // Neither a reader nor a device: nothing to unlock (hotspots and modems are unlocked by the same route).
        #expect(try await rig.request("POST", "/v1/devices/d9/unlock", body: UnlockRequest(pin: "1234")).status == 404)
        await rig.stop()
    }
}

/// The reader as a `DeviceDriver`: identity without IMEI, filed under the ICCID; no USSD, no Wi-Fi.
@Suite struct SIMReaderDriverTests {
    @Test func identityHasNoIMEIAndIsFiledUnderTheICCID() async throws {
        let driver = SIMReaderDriver(reader: "ACS ACR39U 00 00", access: FakeCardAccess(.success(SIMReaderStationTests.reading())))
        let identity = try await driver.identify()
        #expect(identity.imei == nil && identity.family == "pcsc-reader" && !identity.hasWiFi)
        #expect(identity.deviceKey == "iccid:" + SettlementRig.iccid)
        #expect(identity.pinState == .simPIN && identity.pinTriesLeft == 3)
        #expect(identity.unreadable["imei"] != nil && identity.unreadable["imsi"] == "pin-required")
        #expect(!driver.canSendUSSD("*100#"))
        #expect(driver.wifiStore == nil)
        await #expect(throws: DriverFailure.self) {
            _ = try await driver.ussd("*100#", replyTimeout: .seconds(1), redacted: nil) { _ in true }
        }
    }

    @Test func aCardPulledIsDeviceGone() async {
        let driver = SIMReaderDriver(reader: "r", access: FakeCardAccess(.failure(.cardRemoved)))
        do {
            _ = try await driver.identify()
            Issue.record("identified a card that left")
        } catch {
            #expect(error.isDeviceGone)
        }
    }
}
