import Foundation
@testable import Ledger
import Testing

/// SIMs read in card readers are registered in the chain; orders are cancelled only while no money moved for them.
@Suite struct SIMRegistryLedgerTests {
    static let iccid = "8944101234567890128"

    @Test func everyReadIsAnEventAndTheSIMRowKeepsWhatWasLearnt() throws {
        let fixture = try LedgerFixture()
        let registration = SIMRegistration(iccid: Self.iccid, luhnValid: true, imsi: nil, reader: "ACS ACR39U 00 00", cardType: "UICC")
        try fixture.ledger.registerSIM(registration, actor: nil)
        var unlocked = registration
        unlocked.imsi = "234150123456789"
        try fixture.ledger.registerSIM(unlocked, actor: 3000)
        try fixture.ledger.registerSIM(registration, actor: nil)
        let events = try fixture.ledger.events(iccid: Self.iccid).filter { $0.kind == "sim.registered" }
        #expect(events.count == 3)
        #expect(events[0].detail["first"] == "true" && events[1].detail["first"] == nil)
        #expect(events[1].detail["imsi"] == "234150123456789" && events[1].actorUID == 3000)
        #expect(events.allSatisfy { $0.detail["reader"] == "ACS ACR39U 00 00" && $0.deviceIMEI == nil })
        // The SIM is known to the orders: a pre-order can be placed for it, and a later read without IMSI keeps it.
        guard case .run = try fixture.ledger.placeOrder(iccid: Self.iccid, intent: OrderIntent(origin: .provision, plan: "2GB"),
                                                        actor: 3000) else {
            Issue.record("a registered SIM takes an order")
            return
        }
        #expect(try fixture.ledger.verifyChain().isValid)
    }

    @Test func anOpenOrderWithoutCreditIsCancelledWithTheCallersUIDOnlyOnce() throws {
        let fixture = try LedgerFixture()
        try fixture.ledger.recordSIM(iccid: fixture.iccid, imsi: nil, luhnValid: true, actor: nil)
        guard case .run(let order) = try fixture.ledger.placeOrder(iccid: fixture.iccid, intent: OrderIntent(origin: .provision, plan: "2GB"),
                                                                  actor: 3000) else { throw LedgerError(.notFound, "no order") }
        let cancelled = try fixture.ledger.cancelOrder(id: order.id, actor: 1002)
        #expect(cancelled.state == .cancelled && cancelled.closedAt != nil)
        let event = try #require(try fixture.ledger.events(iccid: fixture.iccid).last)
        #expect(event.kind == "order.cancelled" && event.actorUID == 1002)
        #expect(throws: LedgerError.self) { try fixture.ledger.cancelOrder(id: order.id, actor: 1002) }
        #expect(throws: LedgerError.self) { try fixture.ledger.cancelOrder(id: 999, actor: 1002) }
    }

    @Test func anOrderWhoseVoucherIsReservedOrAppliedIsNeverCancelled() throws {
        let fixture = try LedgerFixture()
        try fixture.ledger.recordSIM(iccid: fixture.iccid, imsi: nil, luhnValid: true, actor: nil)
        guard case .run(let order) = try fixture.ledger.placeOrder(iccid: fixture.iccid, intent: OrderIntent(origin: .policy, plan: "2GB"),
                                                                  actor: nil) else { throw LedgerError(.notFound, "no order") }
        let run = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: fixture.iccid, plan: "2GB", orderID: order.id, actor: nil)
        try fixture.ledger.importVouchers([(code: "2222333344445555", plan: "2GB")], actor: nil)
        let voucher = try #require(try fixture.ledger.reserveVoucher(plan: "2GB", provisioningID: run, iccid: fixture.iccid, actor: nil))
        do {
            try fixture.ledger.cancelOrder(id: order.id, actor: 1002)
            Issue.record("an order with a reserved voucher was cancelled")
        } catch {
            #expect(error.code == .orderHasCredit)
        }
        try fixture.ledger.markSending(id: voucher.id, actor: nil)
        #expect(throws: LedgerError.self) { try fixture.ledger.cancelOrder(id: order.id, actor: 1002) }
        #expect(try fixture.ledger.order(id: order.id)?.state == .open)
    }
}
