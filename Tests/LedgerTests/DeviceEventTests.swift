import Foundation
import GRDB
import Testing
@testable import Ledger

/// `recordDeviceEvent`: unplug and re-plug events join the hash chain like every other event.
@Suite struct DeviceEventTests {
    @Test func recordsAnUnplugInTheChainWithItsIdentifiersAndDetail() throws {
        let fixture = try LedgerFixture()
        let headBefore = try fixture.ledger.headHash()
        let seq = try fixture.ledger.recordDeviceEvent(
            imei: fixture.imei, iccid: fixture.iccid, kind: .unplugged,
            detail: ["device_id": "d1", "port": "/dev/ttyUSB2", "reason": "unplugged from USB 1-1", "state": "awaiting-plan"],
            actor: nil)
        #expect(seq == headBefore.seq + 1)
        let event = try #require(try fixture.ledger.events(imei: fixture.imei).last)
        #expect(event.seq == seq && event.kind == "device.unplugged")
        #expect(event.iccid == fixture.iccid && event.deviceIMEI == fixture.imei && event.actorUID == nil)
        #expect(event.detail == ["device_id": "d1", "port": "/dev/ttyUSB2", "reason": "unplugged from USB 1-1", "state": "awaiting-plan"])
        #expect(event.prevHash == headBefore.hash)
        #expect(try fixture.ledger.events(iccid: fixture.iccid).last?.seq == seq)

        let head = try fixture.ledger.headHash()
        #expect(head.seq == seq && head.hash == event.hash)
        let verified = try fixture.ledger.verifyChain(anchor: head)
        #expect(verified.isValid && verified.rowsChecked == Int(seq))
    }

    @Test func recordsAReplugWithoutASIMAndLinksAProvisioning() throws {
        let fixture = try LedgerFixture()
        let provisioning = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: nil, plan: "2GB", actor: 1000)
        let seq = try fixture.ledger.recordDeviceEvent(imei: fixture.imei, iccid: nil, kind: .replugged,
                                                       detail: ["device_id": "d2", "previous_id": "d1"],
                                                       provisioningID: provisioning, actor: 1000)
        let event = try #require(try fixture.ledger.events(provisioningID: provisioning).last)
        #expect(event.seq == seq && event.kind == "device.replugged" && event.iccid == nil && event.actorUID == 1000)
        #expect(try fixture.ledger.verifyChain().isValid)
    }

    @Test func aChangedUnplugEventBreaksTheChainAtIt() throws {
        let fixture = try LedgerFixture()
        let seq = try fixture.ledger.recordDeviceEvent(imei: fixture.imei, iccid: fixture.iccid, kind: .unplugged,
                                                       detail: ["device_id": "d1"], actor: nil)
        try fixture.importVouchers(1)
        try LedgerFixture.rawQueue(fixture.ledger.path).write { db in
            try db.execute(sql: "DROP TRIGGER events_no_update")
            try db.execute(sql: "UPDATE events SET detail = '{\"device_id\":\"d9\"}' WHERE seq = ?", arguments: [seq])
        }
        let result = try fixture.ledger.verifyChain()
        #expect(result.failure?.seq == seq && result.failure?.reason == .hashMismatch)
    }

    @Test func refusesAnEventWithoutIdentifiersOrWithAnOversizedDetailAndWritesNothing() throws {
        let fixture = try LedgerFixture()
        let count = try fixture.ledger.eventCount()
        #expect(ledgerError { try fixture.ledger.recordDeviceEvent(imei: nil, iccid: nil, kind: .unplugged, actor: nil) }?.code
            == .invalidArgument)
        let big = String(repeating: "x", count: Ledger.deviceEventDetailValueLimit + 1)
        #expect(ledgerError { try fixture.ledger.recordDeviceEvent(imei: fixture.imei, iccid: nil, kind: .unplugged,
                                                                   detail: ["reason": big], actor: nil) }?.code == .invalidArgument)
        let many = Dictionary(uniqueKeysWithValues: (0...Ledger.deviceEventDetailKeyLimit).map { ("k\($0)", "v") })
        #expect(ledgerError { try fixture.ledger.recordDeviceEvent(imei: fixture.imei, iccid: nil, kind: .unplugged,
                                                                   detail: many, actor: nil) }?.code == .invalidArgument)
        #expect(ledgerError { try fixture.ledger.recordDeviceEvent(imei: "86123\n", iccid: nil, kind: .unplugged, actor: nil) }?.code
            == .invalidArgument)
        #expect(ledgerError { try fixture.ledger.recordDeviceEvent(imei: fixture.imei, iccid: nil, kind: .replugged,
                                                                   provisioningID: 999, actor: nil) }?.code == .notFound)
        #expect(try fixture.ledger.eventCount() == count)
    }
}
