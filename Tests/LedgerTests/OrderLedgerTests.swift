import Foundation
import GRDB
@testable import Ledger
import Testing

/// Orders: the ledger decides what a SIM is owed, and the schema refuses a second credit for one order.
@Suite struct OrderLedgerTests {
    private func served(_ fixture: LedgerFixture) throws -> OrderRecord {
        guard case .run(let order) = try fixture.ledger.placeOrder(iccid: fixture.iccid, intent: OrderIntent(origin: .policy, plan: "2GB"),
                                                                  actor: nil) else { throw LedgerError(.notFound, "no order") }
        let run = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: fixture.iccid, plan: "2GB", orderID: order.id, actor: nil)
        try fixture.ledger.importVouchers([(code: "2222333344445555", plan: "2GB")], actor: nil)
        let voucher = try #require(try fixture.ledger.reserveVoucher(plan: "2GB", provisioningID: run, iccid: fixture.iccid, actor: nil))
        #expect(voucher.orderID == order.id)
        try fixture.ledger.markSending(id: voucher.id, actor: nil)
        try fixture.ledger.markApplied(id: voucher.id, balanceBeforeMB: 0, balanceAfterMB: 2048, rawReply: "ok", actor: nil)
        try fixture.ledger.finishProvisioning(id: run, outcome: .succeeded, wifiSSID: "Connexion-1234", wifiKey: "abcdefghjkmn", actor: nil)
        return try #require(try fixture.ledger.order(id: order.id))
    }

    @Test func aRunThatSucceedsFulfilsItsOrderAndAPolicyNeverPlacesAnotherForThatSIM() throws {
        let fixture = try LedgerFixture()
        let order = try served(fixture)
        #expect(order.state == .fulfilled && order.credit == .applied(voucherID: 1))
        let again = try fixture.ledger.placeOrder(iccid: fixture.iccid, intent: OrderIntent(origin: .policy, plan: "2GB"), actor: nil)
        guard case .alreadyServed(let service) = again else { Issue.record("expected already served, got \(again)"); return }
        #expect(service.lastServedBy?.wifiKey == "abcdefghjkmn", "the card's key is what the station shows")
        let provision = try fixture.ledger.placeOrder(iccid: fixture.iccid, intent: OrderIntent(origin: .provision, plan: "2GB"), actor: 1000)
        guard case .refused(let code, _) = provision else { Issue.record("expected refused, got \(provision)"); return }
        #expect(code == "already-served")
        let topUp = try fixture.ledger.placeOrder(iccid: fixture.iccid, intent: OrderIntent(origin: .topup, plan: "2GB"), actor: 1000)
        guard case .run(let next) = topUp else { Issue.record("expected a new order, got \(topUp)"); return }
        #expect(next.origin == .topup && !next.setsWiFi && next.actorUID == 1000 && next.state == .open)
        let kinds = try fixture.ledger.events(iccid: fixture.iccid).map(\.kind)
        #expect(kinds.filter { $0 == "order.placed" }.count == 2 && kinds.contains("order.fulfilled"))
        #expect(try fixture.ledger.verifyChain().isValid)
    }

    @Test func theSchemaRefusesASecondVoucherForOneOrderAndAClosedOrder() throws {
        let fixture = try LedgerFixture()
        let order = try served(fixture)
        try fixture.ledger.importVouchers([(code: "7777888899990000", plan: "2GB")], actor: nil)
        // Bypassing the Swift checks: the triggers still refuse.
        let queue = try LedgerFixture.rawQueue(fixture.ledger.path)
        #expect(throws: (any Error).self) {
            try queue.write { db in
                try db.execute(sql: """
                    UPDATE vouchers SET state = 'reserved', reserved_by_provisioning = 1, iccid = ?, order_id = ?
                    WHERE code = '7777888899990000'
                    """, arguments: [fixture.iccid, order.id])
            }
        }
        #expect(throws: (any Error).self) {
            try queue.write { db in try db.execute(sql: "UPDATE orders SET plan = '500MB' WHERE id = ?", arguments: [order.id]) }
        }
        #expect(throws: (any Error).self) {
            try queue.write { db in try db.execute(sql: "DELETE FROM orders WHERE id = ?", arguments: [order.id]) }
        }
        // And through the API: a run of a fulfilled order cannot start.
        #expect(ledgerError { _ = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: fixture.iccid, plan: "2GB",
                                                                       orderID: order.id, actor: nil) }?.code == .orderClosed)
    }

    @Test func anOpenOrderIsResumedAndItsCreditIsNeverBoughtTwice() throws {
        let fixture = try LedgerFixture()
        guard case .run(let order) = try fixture.ledger.placeOrder(iccid: fixture.iccid, intent: OrderIntent(origin: .policy, plan: "2GB"),
                                                                  actor: nil) else { Issue.record("no order"); return }
        let run = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: fixture.iccid, plan: "2GB", orderID: order.id, actor: nil)
        try fixture.ledger.importVouchers([(code: "2222333344445555", plan: "2GB"), (code: "3333444455556666", plan: "2GB")], actor: nil)
        let voucher = try #require(try fixture.ledger.reserveVoucher(plan: "2GB", provisioningID: run, iccid: fixture.iccid, actor: nil))
        try fixture.ledger.markSending(id: voucher.id, actor: nil)
        try fixture.ledger.markApplied(id: voucher.id, balanceBeforeMB: 0, balanceAfterMB: 2048, rawReply: "ok", actor: nil)
        try fixture.ledger.finishProvisioning(id: run, outcome: .failed(code: "wifi-refused", message: "no"), wifiSSID: nil, wifiKey: nil, actor: nil)
        // A restart: the policy resumes the open order, whose credit is applied.
        let resumed = try fixture.ledger.placeOrder(iccid: fixture.iccid, intent: OrderIntent(origin: .policy, plan: "2GB"), actor: nil)
        #expect(resumed == .run(try #require(try fixture.ledger.order(id: order.id))))
        #expect(try fixture.ledger.order(id: order.id)?.credit == .applied(voucherID: voucher.id))
        let retry = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: fixture.iccid, plan: "2GB", orderID: order.id, actor: nil)
        #expect(ledgerError { _ = try fixture.ledger.reserveVoucher(plan: "2GB", provisioningID: retry, iccid: fixture.iccid, actor: nil) }?.code
                == .orderHasCredit)
        // Another plan while the credit is applied would be a second sale: refused.
        let other = try fixture.ledger.placeOrder(iccid: fixture.iccid, intent: OrderIntent(origin: .provision, plan: "500MB"), actor: 1000)
        guard case .refused(let code, _) = other else { Issue.record("expected refused, got \(other)"); return }
        #expect(code == "order-open")
    }

    @Test func aProvisionWithoutAPlanResumesTheOpenOrderInsteadOfReplacingItWithTheDefault() throws {
        let fixture = try LedgerFixture()
        guard case .run(let order) = try fixture.ledger.placeOrder(
            iccid: fixture.iccid, intent: OrderIntent(origin: .provision, plan: "2GB"), actor: 1000) else { Issue.record("no order"); return }
        let again = try fixture.ledger.placeOrder(iccid: fixture.iccid,
                                                  intent: OrderIntent(origin: .provision, plan: nil, defaultPlan: "500MB"), actor: 1000)
        #expect(again == .run(order))
        // Naming another plan before any voucher was sent replaces the order, with an event saying so.
        let other = try fixture.ledger.placeOrder(iccid: fixture.iccid, intent: OrderIntent(origin: .provision, plan: "500MB"), actor: 1001)
        guard case .run(let replacement) = other else { Issue.record("expected a new order, got \(other)"); return }
        #expect(replacement.plan == "500MB" && replacement.id != order.id)
        #expect(try fixture.ledger.order(id: order.id)?.state == .cancelled)
        // A SIM never served, no plan named: the default plan.
        let fresh = "89860012345678901242"
        try fixture.ledger.recordSIM(iccid: fresh, imsi: nil, luhnValid: true, actor: nil)
        let placed = try fixture.ledger.placeOrder(iccid: fresh, intent: OrderIntent(origin: .provision, plan: nil, defaultPlan: "500MB"), actor: 1)
        guard case .run(let defaulted) = placed else { Issue.record("expected an order, got \(placed)"); return }
        #expect(defaulted.plan == "500MB")
    }

    @Test func recoverySettlesASendingVoucherFromItsRecordedAcceptance() throws {
        let fixture = try LedgerFixture()
        let accepted = try fixture.voucher(in: .sending)
        let run = try #require(try fixture.ledger.voucher(id: accepted)?.provisioningID)
        try fixture.ledger.recordStep(provisioningID: run, step: "recharge", status: .succeeded, detail: ["reply": "Recharge OK"], actor: nil)
        #expect(try fixture.ledger.recoverSending(id: accepted, actor: nil) == .applied)
        let voucher = try #require(try fixture.ledger.voucher(id: accepted))
        #expect(voucher.state == .applied && voucher.rawReply == "Recharge OK")
        #expect(try fixture.ledger.events(voucherID: accepted).last?.detail["note"]?.contains("recorded before") == true)

        let silent = try fixture.voucher(in: .sending)
        #expect(try fixture.ledger.recoverSending(id: silent, actor: nil) == .unknown)
        #expect(try fixture.ledger.verifyChain().isValid)
    }

    @Test func aLedgerWrittenBeforeOrdersMigratesAndKeepsItsRows() throws {
        let fixture = try LedgerFixture()
        let path = fixture.path("v1.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1-initial") { db in try db.execute(sql: LedgerSchema.v1Initial) }
            try migrator.migrate(queue)
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO devices (imei, first_seen, last_seen) VALUES ('861234567890123', '2026-01-01', '2026-01-01')
                    """)
            }
        }
        let ledger = try Ledger(path: path)
        #expect(try ledger.appliedMigrations() == ["v1-initial", "v2-orders"])
        #expect(try ledger.device(imei: "861234567890123") != nil)
        #expect(try ledger.simService(iccid: "89860012345678901234").isServed == false)
    }

    @Test func handlingAPortTwiceWithoutEndingQuarantinesItUntilReleased() throws {
        let fixture = try LedgerFixture()
        #expect(try fixture.ledger.beginHandling(port: "/dev/ttyUSB2") == nil)
        try fixture.ledger.endHandling(port: "/dev/ttyUSB2")
        #expect(try fixture.ledger.beginHandling(port: "/dev/ttyUSB2") == nil)
        #expect(try fixture.ledger.beginHandling(port: "/dev/ttyUSB2") == nil)
        #expect(try fixture.ledger.beginHandling(port: "/dev/ttyUSB2") == 2)
        #expect(try fixture.ledger.beginHandling(port: "/dev/ttyUSB3") == nil, "per port")
        try fixture.ledger.endHandling(port: "/dev/ttyUSB2")
        #expect(try fixture.ledger.beginHandling(port: "/dev/ttyUSB2") == nil)
    }
}

extension OrderPlacement: CustomStringConvertible {
    public var description: String {
        switch self {
        case .run(let order): return "run(order \(order.id))"
        case .alreadyServed: return "alreadyServed"
        case .nothingToDo: return "nothingToDo"
        case .refused(let code, _): return "refused(\(code))"
        }
    }
}
