import Foundation
import GRDB
import Testing
@testable import Ledger

/// One voucher operation, applied to a voucher whatever its state, to try it everywhere.
enum VoucherOperation: String, CaseIterable, CustomTestStringConvertible {
    case release, markSending, markApplied, markRejected, markUnknown, settleApplied, settleRejected, settleManual

    var testDescription: String { rawValue }

    /// The state it moves to, and the states it is legal from.
    var target: (to: VoucherState, from: Set<VoucherState>) {
        switch self {
        case .release: (.available, [.reserved])
        case .markSending: (.sending, [.reserved])
        case .markApplied: (.applied, [.sending])
        case .markRejected: (.rejected, [.sending])
        case .markUnknown: (.unknown, [.sending])
        case .settleApplied: (.applied, [.unknown])
        case .settleRejected: (.rejected, [.unknown])
        case .settleManual: (.manual, [.unknown])
        }
    }

    func apply(_ ledger: Ledger, id: Int64) throws(LedgerError) {
        switch self {
        case .release: try ledger.releaseVoucher(id: id, actor: 1000)
        case .markSending: try ledger.markSending(id: id, actor: nil)
        case .markApplied: try ledger.markApplied(id: id, balanceBeforeMB: 10, balanceAfterMB: 2058, rawReply: "Recharge OK", actor: nil)
        case .markRejected: try ledger.markRejected(id: id, rawReply: "Invalid voucher", actor: nil)
        case .markUnknown: try ledger.markUnknown(id: id, reason: "timeout", actor: nil)
        case .settleApplied: try ledger.settle(id: id, outcome: .applied, note: "balance rose by 2048 MB", actor: 1000)
        case .settleRejected: try ledger.settle(id: id, outcome: .rejected, note: "balance unchanged", actor: 1000)
        case .settleManual: try ledger.settle(id: id, outcome: .manual, note: "refunded at the counter", actor: 1000)
        }
    }
}

@Suite struct VoucherStateMachineTests {
    @Test(arguments: VoucherState.allCases, VoucherOperation.allCases)
    func operationMovesOnlyFromItsLegalStates(start: VoucherState, operation: VoucherOperation) throws {
        let fixture = try LedgerFixture()
        let id = try fixture.voucher(in: start)
        let eventsBefore = try fixture.ledger.eventCount()
        let error = ledgerError { try operation.apply(fixture.ledger, id: id) }
        let after = try #require(try fixture.ledger.voucher(id: id))
        if operation.target.from.contains(start) {
            #expect(error == nil)
            #expect(after.state == operation.target.to)
            #expect(try fixture.ledger.eventCount() == eventsBefore + 1)
            let event = try #require(try fixture.ledger.events(voucherID: id).last)
            #expect(event.detail["from"] == start.rawValue)
            #expect(event.detail["to"] == operation.target.to.rawValue)
        } else {
            #expect(error?.code == .illegalTransition)
            #expect(after.state == start)
            #expect(try fixture.ledger.eventCount() == eventsBefore)
        }
        #expect(try fixture.ledger.verifyChain().isValid)
    }

    @Test func codeMachineAndSchemaTriggerAgreeOnEveryPair() throws {
        let fixture = try LedgerFixture()
        var simNumber = 0
        for from in VoucherState.allCases {
            for to in VoucherState.allCases where to != from {
                simNumber += 1
                let id = try fixture.voucher(in: from, iccid: "8900000000000000\(1000 + simNumber)")
                let accepted: Bool
                do {
                    try fixture.ledger.pool.write { db in
                        // Bypass the Swift checks: only the schema decides here.
                        let clearsReservation = to == .available
                        try db.execute(sql: """
                            UPDATE vouchers SET state = ?,
                                reserved_by_provisioning = CASE WHEN ? THEN NULL ELSE reserved_by_provisioning END,
                                iccid = CASE WHEN ? THEN NULL ELSE iccid END
                            WHERE id = ?
                            """, arguments: [to.rawValue, clearsReservation, clearsReservation, id])
                    }
                    accepted = true
                } catch {
                    accepted = false
                }
                // available→reserved also needs a provisioning and SIM, which a raw UPDATE lacks.
                if from == .available && to == .reserved { continue }
                #expect(accepted == from.canMove(to: to), "schema and code disagree on \(from.rawValue) → \(to.rawValue)")
            }
        }
    }

    @Test func reserveHoldsTheOldestAvailableVoucherForTheProvisioningAndSIM() throws {
        let fixture = try LedgerFixture()
        let codes = try fixture.importVouchers(3)
        let provisioning = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: fixture.iccid, plan: "2GB", actor: nil)
        let voucher = try #require(try fixture.ledger.reserveVoucher(plan: "2GB", provisioningID: provisioning, iccid: fixture.iccid, actor: 1000))
        #expect(voucher.code == codes[0])
        #expect(voucher.state == .reserved)
        #expect(voucher.iccid == fixture.iccid)
        #expect(voucher.provisioningID == provisioning)
        let event = try #require(try fixture.ledger.events(voucherID: voucher.id).last)
        #expect(event.kind == "voucher.reserved")
        #expect(event.actorUID == 1000)
        #expect(event.deviceIMEI == fixture.imei)
    }

    @Test func reserveReturnsNilAndWritesNothingWhenThePlanIsEmpty() throws {
        let fixture = try LedgerFixture()
        try fixture.importVouchers(1, plan: "500MB")
        let provisioning = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: fixture.iccid, plan: "2GB", actor: nil)
        let before = try fixture.ledger.eventCount()
        #expect(try fixture.ledger.reserveVoucher(plan: "2GB", provisioningID: provisioning, iccid: fixture.iccid, actor: nil) == nil)
        #expect(try fixture.ledger.eventCount() == before)
    }

    @Test(arguments: [VoucherState.sending, .unknown])
    func simWithAnUnsettledVoucherCannotReserveAnother(unsettled: VoucherState) throws {
        let fixture = try LedgerFixture()
        let held = try fixture.voucher(in: unsettled)
        try fixture.importVouchers(2)
        let provisioning = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: fixture.iccid, plan: "2GB", actor: nil)
        let error = ledgerError {
            _ = try fixture.ledger.reserveVoucher(plan: "2GB", provisioningID: provisioning, iccid: fixture.iccid, actor: nil)
        }
        #expect(error?.code == .simHasUnsettledVoucher)
        #expect(try fixture.ledger.voucherCounts()["2GB"]?[.available] == 2)
        // Another SIM is not held back.
        try fixture.ledger.recordSIM(iccid: "89860099999999999999", imsi: nil, luhnValid: false, actor: nil)
        #expect(try fixture.ledger.reserveVoucher(plan: "2GB", provisioningID: provisioning, iccid: "89860099999999999999", actor: nil) != nil)
        // Once settled, the first SIM may reserve again.
        if unsettled == .sending {
            try fixture.ledger.markUnknown(id: held, reason: "daemon restarted while sending", actor: nil)
        }
        try fixture.ledger.settle(id: held, outcome: .rejected, note: "balance unchanged after 10 min", actor: 0)
        #expect(try fixture.ledger.reserveVoucher(plan: "2GB", provisioningID: provisioning, iccid: fixture.iccid, actor: nil) != nil)
    }

    @Test func schemaRefusesASecondReservationForASIMWithAnUnknownVoucher() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.voucher(in: .unknown)
        let provisioning = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: fixture.iccid, plan: "2GB", actor: nil)
        try fixture.importVouchers(1)
        #expect(throws: DatabaseError.self) {
            try fixture.ledger.pool.write { db in
                try db.execute(sql: "UPDATE vouchers SET state = 'reserved', reserved_by_provisioning = ?, iccid = ? WHERE plan = '2GB'",
                               arguments: [provisioning, fixture.iccid])
            }
        }
    }

    @Test func unsettledVouchersListsSendingAndUnknownForStartupRecovery() throws {
        let fixture = try LedgerFixture()
        let sending = try fixture.voucher(in: .sending, iccid: "89000000000000000001")
        let unknown = try fixture.voucher(in: .unknown, iccid: "89000000000000000002")
        _ = try fixture.voucher(in: .applied, iccid: "89000000000000000003")
        _ = try fixture.voucher(in: .reserved, iccid: "89000000000000000004")
        #expect(try fixture.ledger.unsettledVouchers().map(\.id) == [sending, unknown])
        for voucher in try fixture.ledger.unsettledVouchers() where voucher.state == .sending {
            try fixture.ledger.markUnknown(id: voucher.id, reason: "daemon restarted while sending", actor: nil)
        }
        #expect(try fixture.ledger.unsettledVouchers().map(\.state) == [.unknown, .unknown])
        let event = try #require(try fixture.ledger.events(voucherID: sending).last)
        #expect(event.detail["reason"] == "daemon restarted while sending")
    }

    @Test func markAppliedRecordsBalancesAndMasksAnEchoedCode() throws {
        let fixture = try LedgerFixture()
        let id = try fixture.voucher(in: .sending)
        let code = try #require(try fixture.ledger.voucher(id: id)).code
        try fixture.ledger.markApplied(id: id, balanceBeforeMB: 12, balanceAfterMB: 2060,
                                       rawReply: "Voucher \(code) applied. Balance 2060MB", actor: nil)
        let voucher = try #require(try fixture.ledger.voucher(id: id))
        #expect(voucher.balanceBeforeMB == 12)
        #expect(voucher.balanceAfterMB == 2060)
        #expect(voucher.rawReply == "Voucher \(Voucher.redact(code)) applied. Balance 2060MB")
        let eventTexts = try fixture.ledger.events().map { "\($0.detail)" }.joined()
        #expect(!eventTexts.contains(code))
    }

    @Test func settleRecordsTheNoteAndOnlyLeavesUnknown() throws {
        let fixture = try LedgerFixture()
        let id = try fixture.voucher(in: .unknown)
        try fixture.ledger.settle(id: id, outcome: .applied, note: "balance 0 → 2048 MB", balanceBeforeMB: 0, balanceAfterMB: 2048, actor: 1000)
        let voucher = try #require(try fixture.ledger.voucher(id: id))
        #expect(voucher.state == .applied)
        #expect(voucher.settledNote == "balance 0 → 2048 MB")
        #expect(voucher.balanceAfterMB == 2048)
        let event = try #require(try fixture.ledger.events(voucherID: id).last)
        #expect(event.kind == "voucher.settled")
        #expect(event.detail["outcome"] == "applied")
        #expect(event.actorUID == 1000)
    }

    @Test func missingVoucherIsNotFound() throws {
        let fixture = try LedgerFixture()
        #expect(ledgerError { try fixture.ledger.markSending(id: 999, actor: nil) }?.code == .notFound)
        #expect(try fixture.ledger.voucher(id: 999) == nil)
    }

    @Test func redactedCodeShowsOnlyTheLastFourCharacters() {
        let voucher = Voucher(id: 1, code: "123456789012", plan: "2GB", state: .available, iccid: nil, provisioningID: nil,
                              balanceBeforeMB: nil, balanceAfterMB: nil, rawReply: nil, settledNote: nil,
                              createdAt: Date(), updatedAt: Date())
        #expect(voucher.redactedCode == "••••9012")
        #expect(!"\(voucher)".contains("12345678"))
    }
}
