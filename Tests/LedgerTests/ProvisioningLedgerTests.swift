import Foundation
import Testing
@testable import Ledger

@Suite struct ProvisioningLedgerTests {
    @Test func provisioningRunsStepsAndFinishesOnceWithEvents() throws {
        let fixture = try LedgerFixture()
        let before = try fixture.ledger.eventCount()
        let id = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: fixture.iccid, plan: "2GB", actor: 1000)
        for step in ["identify", "plan", "reserve"] {
            try fixture.ledger.recordStep(provisioningID: id, step: step, status: .started, actor: 1000)
            try fixture.ledger.recordStep(provisioningID: id, step: step, status: .succeeded, detail: ["took_ms": "12"], actor: 1000)
        }
        try fixture.ledger.finishProvisioning(id: id, outcome: .failed(code: "recharge.timeout", message: "no reply in 30 s"),
                                              wifiSSID: nil, wifiKey: nil, actor: 1000)
        #expect(try fixture.ledger.eventCount() == before + 1 + 6 + 1)
        let record = try #require(try fixture.ledger.provisioning(id: id))
        #expect(record.state == .failed)
        #expect(record.failureCode == "recharge.timeout")
        #expect(record.deviceIMEI == fixture.imei)
        #expect(record.finishedAt != nil)
        #expect(record.actorUID == 1000)
        let events = try fixture.ledger.events(provisioningID: id)
        #expect(events.map(\.kind) == ["provisioning.started"] + Array(repeating: "provisioning.step", count: 6) + ["provisioning.finished"])
        #expect(events[2].detail == ["step": "identify", "status": "succeeded", "took_ms": "12"])
        #expect(events.allSatisfy { $0.deviceIMEI == fixture.imei && $0.iccid == fixture.iccid })

        #expect(ledgerError { try fixture.ledger.finishProvisioning(id: id, outcome: .succeeded, wifiSSID: nil, wifiKey: nil, actor: nil) }?.code == .illegalTransition)
        #expect(ledgerError { try fixture.ledger.recordStep(provisioningID: id, step: "wifi", status: .started, actor: nil) }?.code == .illegalTransition)
    }

    @Test func finishedProvisioningKeepsWiFiKeyInItsRowButNotInItsEvent() throws {
        let fixture = try LedgerFixture()
        let id = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: nil, plan: nil, actor: nil)
        try fixture.ledger.finishProvisioning(id: id, outcome: .succeeded, wifiSSID: "Trotter-7", wifiKey: "correct-horse-9", actor: nil)
        #expect(try fixture.ledger.provisioning(id: id)?.wifiKey == "correct-horse-9")
        let event = try #require(try fixture.ledger.events(provisioningID: id).last)
        #expect(event.detail["wifi_key_set"] == "true")
        #expect(event.detail["wifi_ssid"] == "Trotter-7")
        #expect(!event.detail.values.contains("correct-horse-9"))
    }

    @Test func startNeedsARecordedDeviceAndSIM() throws {
        let fixture = try LedgerFixture()
        #expect(ledgerError { _ = try fixture.ledger.startProvisioning(deviceIMEI: "000000000000000", iccid: nil, plan: nil, actor: nil) }?.code == .notFound)
        #expect(ledgerError { _ = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: "8999", plan: nil, actor: nil) }?.code == .notFound)
    }

    @Test func stepDetailMayNotOverrideStepOrStatus() throws {
        let fixture = try LedgerFixture()
        let id = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: nil, plan: nil, actor: nil)
        let error = ledgerError { try fixture.ledger.recordStep(provisioningID: id, step: "wifi", status: .failed, detail: ["status": "succeeded"], actor: nil) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func listsProvisioningsNewestFirstByDeviceAndSIM() throws {
        let fixture = try LedgerFixture()
        let first = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: fixture.iccid, plan: "2GB", actor: nil)
        try fixture.ledger.recordDevice(imei: "352099001761481", manufacturer: nil, model: nil, firmware: nil, port: nil, actor: nil)
        let other = try fixture.ledger.startProvisioning(deviceIMEI: "352099001761481", iccid: fixture.iccid, plan: "2GB", actor: nil)
        let second = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: nil, plan: nil, actor: nil)
        #expect(try fixture.ledger.provisionings(imei: fixture.imei).map(\.id) == [second, first])
        #expect(try fixture.ledger.provisionings(iccid: fixture.iccid).map(\.id) == [other, first])
        #expect(try fixture.ledger.latestProvisioning(imei: fixture.imei)?.id == second)
        #expect(try fixture.ledger.provisionings(limit: 2).map(\.id) == [second, other])
    }

    @Test func deviceSeenEventOnlyOnFirstSightingOrChange() throws {
        let fixture = try LedgerFixture()
        let before = try fixture.ledger.eventCount()
        let id = try fixture.ledger.recordDevice(imei: fixture.imei, manufacturer: "huawei", model: "E5573", firmware: "21.1", port: "/dev/ttyUSB0", actor: nil)
        #expect(try fixture.ledger.eventCount() == before)
        let same = try fixture.ledger.recordDevice(imei: fixture.imei, manufacturer: nil, model: nil, firmware: nil, port: nil, actor: nil)
        #expect(same == id)
        #expect(try fixture.ledger.eventCount() == before)
        try fixture.ledger.recordDevice(imei: fixture.imei, manufacturer: "huawei", model: "E5573", firmware: "21.2", port: "/dev/ttyUSB2", actor: 1000)
        #expect(try fixture.ledger.eventCount() == before + 1)
        let event = try #require(try fixture.ledger.events(imei: fixture.imei).last)
        #expect(event.kind == "device.seen")
        #expect(event.detail == ["firmware": "21.2", "previous.firmware": "21.1", "port": "/dev/ttyUSB2", "previous.port": "/dev/ttyUSB0"])
        #expect(try fixture.ledger.device(imei: fixture.imei)?.firmware == "21.2")
    }

    @Test func simSeenEventOnlyOnFirstSightingOrChange() throws {
        let fixture = try LedgerFixture()
        let before = try fixture.ledger.eventCount()
        try fixture.ledger.recordSIM(iccid: fixture.iccid, imsi: "208011234567890", luhnValid: true, actor: nil)
        try fixture.ledger.recordSIM(iccid: fixture.iccid, imsi: nil, luhnValid: true, actor: nil)
        #expect(try fixture.ledger.eventCount() == before)
        try fixture.ledger.recordSIM(iccid: fixture.iccid, imsi: "208019999999999", luhnValid: true, actor: nil)
        #expect(try fixture.ledger.eventCount() == before + 1)
        #expect(try fixture.ledger.sim(iccid: fixture.iccid)?.imsi == "208019999999999")
    }

    @Test func eventsFilterBySIMTimeAndSeq() throws {
        let clockStore = ClockStore(Date(timeIntervalSince1970: 1_700_000_000))
        let ledger = try Ledger.temporary(clock: { clockStore.now })
        try ledger.recordDevice(imei: "111", manufacturer: nil, model: nil, firmware: nil, port: nil, actor: nil)
        try ledger.recordSIM(iccid: "8901", imsi: nil, luhnValid: true, actor: nil)
        clockStore.now = Date(timeIntervalSince1970: 1_700_000_100)
        try ledger.recordSIM(iccid: "8902", imsi: nil, luhnValid: true, actor: nil)
        #expect(try ledger.events(iccid: "8901").count == 1)
        #expect(try ledger.events(imei: "111").count == 1)
        #expect(try ledger.events(since: Date(timeIntervalSince1970: 1_700_000_050)).map(\.iccid) == ["8902"])
        #expect(try ledger.events(afterSeq: 1).map(\.seq) == [2, 3])
        #expect(try ledger.events(limit: 1).map(\.seq) == [1])
        #expect(try ledger.events().first?.at == Date(timeIntervalSince1970: 1_700_000_000))
    }

    @Test func timestampsAreFixedWidthUTCMilliseconds() {
        let date = Date(timeIntervalSince1970: 1_700_000_000.1234)
        #expect(LedgerTimestamp.format(date) == "2023-11-14T22:13:20.123Z")
        #expect(LedgerTimestamp.parse("2023-11-14T22:13:20.123Z") == Date(timeIntervalSince1970: 1_700_000_000.123))
        #expect(LedgerTimestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
        #expect(LedgerTimestamp.parse("2023-11-14 22:13:20") == nil)
    }

    @Test func canonicalJSONSortsKeysAndEscapesControls() {
        #expect(CanonicalJSON.encode(["b": "1", "a": "x\"y\\z\n\u{01}/é"]) == "{\"a\":\"x\\\"y\\\\z\\n\\u0001/é\",\"b\":\"1\"}")
        #expect(CanonicalJSON.decode(CanonicalJSON.encode(["k": "\u{1F}\t"])) == ["k": "\u{1F}\t"])
    }
}

/// A settable clock shared with the ledger's clock closure.
final class ClockStore: @unchecked Sendable {
    // @unchecked: tests set `now` only between ledger calls on one thread; the lock makes reads safe anyway.
    private let lock = NSLock()
    private var value: Date

    init(_ start: Date) { value = start }

    var now: Date {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
