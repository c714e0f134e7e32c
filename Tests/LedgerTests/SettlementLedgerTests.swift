import Foundation
import Testing
@testable import Ledger

/// What the ledger keeps for settling unknown vouchers: the balance before, the queue, the checks.
@Suite struct SettlementLedgerTests {
    /// A voucher sent by a provisioning whose balance-before step read `balance` MB; returns its id.
    func sentVoucher(_ fixture: LedgerFixture, balance: Int?) throws -> Int64 {
        try fixture.ledger.importVouchers([(code: "SETTLE0001", plan: "500MB")], actor: 1000)
        let provisioning = try fixture.ledger.startProvisioning(deviceIMEI: fixture.imei, iccid: fixture.iccid, plan: "500MB", actor: nil)
        if let balance {
            try fixture.ledger.recordStep(provisioningID: provisioning, step: "balance-before", status: .started, actor: nil)
            try fixture.ledger.recordStep(provisioningID: provisioning, step: "balance-before", status: .succeeded,
                                          detail: ["balance.mb": String(balance)], actor: nil)
        }
        let voucher = try #require(try fixture.ledger.reserveVoucher(plan: "500MB", provisioningID: provisioning,
                                                                      iccid: fixture.iccid, actor: nil))
        try fixture.ledger.markSending(id: voucher.id, actor: nil)
        return voucher.id
    }

    @Test func markSendingCopiesTheBalanceReadBeforeOntoTheVoucher() throws {
        let fixture = try LedgerFixture()
        let id = try sentVoucher(fixture, balance: 1234)
        #expect(try fixture.ledger.voucher(id: id)?.balanceBeforeMB == 1234)
        let sending = try #require(try fixture.ledger.events(voucherID: id).last)
        #expect(sending.kind == "voucher.sending" && sending.detail["balance_before_mb"] == "1234")
        #expect(try fixture.ledger.verifyChain().isValid)
    }

    @Test func markSendingWithoutABalanceStepLeavesItEmpty() throws {
        let fixture = try LedgerFixture()
        let id = try sentVoucher(fixture, balance: nil)
        #expect(try fixture.ledger.voucher(id: id)?.balanceBeforeMB == nil)
        #expect(try fixture.ledger.events(voucherID: id).last?.detail["balance_before_mb"] == nil)
    }

    @Test func listsUnknownVouchersWithSinceReasonBalanceAndChecks() throws {
        let fixture = try LedgerFixture()
        let id = try sentVoucher(fixture, balance: 800)
        try fixture.ledger.markUnknown(id: id, reason: "no answer to AT+CUSD in time", actor: nil)
        _ = try fixture.voucher(in: .applied, iccid: "89860012345678901235")
        try fixture.ledger.recordSettlementCheck(id: id, balanceBeforeMB: 800, balanceAfterMB: 790,
                                                 result: "balance went from 800 to 790 MB", actor: nil)
        let waiting = try fixture.ledger.vouchersNeedingSettlement()
        #expect(waiting.count == 1)
        let item = try #require(waiting.first)
        #expect(item.voucher.id == id && item.voucher.state == .unknown)
        #expect(item.reason == "no answer to AT+CUSD in time")
        #expect(item.balanceBeforeMB == 800 && item.checks == 1)
        let unknownEvent = try #require(try fixture.ledger.events(voucherID: id).first { $0.kind == "voucher.unknown" })
        #expect(abs(item.since.timeIntervalSince(unknownEvent.at)) < 0.001)
        let check = try #require(try fixture.ledger.events(voucherID: id).last)
        #expect(check.kind == "voucher.checked" && check.iccid == fixture.iccid && check.actorUID == nil)
        #expect(check.detail["balance_after_mb"] == "790")
        #expect(try fixture.ledger.voucher(id: id)?.state == .unknown)
    }

    @Test func onlyAnUnknownVoucherIsChecked() throws {
        let fixture = try LedgerFixture()
        let id = try sentVoucher(fixture, balance: 10)
        #expect(ledgerError { try fixture.ledger.recordSettlementCheck(id: id, balanceBeforeMB: 10, balanceAfterMB: 10, result: "x", actor: nil) }?.code
                == .illegalTransition)
        #expect(ledgerError { try fixture.ledger.recordSettlementCheck(id: 999, balanceBeforeMB: nil, balanceAfterMB: nil, result: "x", actor: nil) }?.code
                == .notFound)
        try fixture.ledger.markUnknown(id: id, reason: "unplugged", actor: nil)
        #expect(ledgerError { try fixture.ledger.recordSettlementCheck(id: id, balanceBeforeMB: nil, balanceAfterMB: nil, result: "", actor: nil) }?.code
                == .invalidArgument)
    }

    @Test func settlementByAPersonRecordsTheirUID() throws {
        let fixture = try LedgerFixture()
        let id = try fixture.voucher(in: .unknown)
        try fixture.ledger.settle(id: id, outcome: .rejected, note: "operator: never redeemed", actor: 4242)
        let event = try #require(try fixture.ledger.events(voucherID: id).last)
        #expect(event.kind == "voucher.settled" && event.actorUID == 4242 && event.detail["note"] == "operator: never redeemed")
        #expect(try fixture.ledger.vouchersNeedingSettlement().isEmpty)
    }
}
