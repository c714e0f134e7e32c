import Foundation
import Testing
@testable import Ledger

/// The counter's queries on a real SQLite ledger: last-digit matches, the newest events, the day's figures.
@Suite struct LedgerReportTests {
    @Test func recentEventsKeepTheNewestInTimeOrder() throws {
        let fixture = try LedgerFixture()
        try fixture.importVouchers(3)
        let all = try fixture.ledger.events(limit: 10_000)
        #expect(all.count >= 3)
        let newest = try fixture.ledger.recentEvents(limit: 2)
        #expect(newest.map(\.seq) == Array(all.suffix(2)).map(\.seq))
        #expect(newest[0].seq < newest[1].seq)
    }

    @Test func identifiersMatchByTheirLastDigitsOnly() throws {
        let fixture = try LedgerFixture()   // ICCID 89860012345678901234, IMEI 861234567890123
        let id = try fixture.voucher(in: .applied)
        let byICCID = try fixture.ledger.recentEvents(iccidSuffix: "1234")
        #expect(!byICCID.isEmpty)
        #expect(byICCID.allSatisfy { $0.iccid == fixture.iccid })
        #expect(byICCID.contains { $0.voucherID == id })
        // Digits in the middle are not a suffix; a wildcard is a plain character.
        #expect(try fixture.ledger.recentEvents(iccidSuffix: "4567").isEmpty)
        #expect(try fixture.ledger.recentEvents(iccidSuffix: "%").isEmpty)
        #expect(try fixture.ledger.recentEvents(iccidSuffix: fixture.iccid).count == byICCID.count)
        #expect(!(try fixture.ledger.recentEvents(imeiSuffix: "0123")).isEmpty)
        #expect(try fixture.ledger.history(identifierSuffix: "1234").count == 1)
        #expect(try fixture.ledger.history(identifierSuffix: "0123").count == 1)
        #expect(try fixture.ledger.history(identifierSuffix: "9999").isEmpty)
    }

    @Test func theDayReportCountsTheDaysSalesAndHandOvers() throws {
        let fixture = try LedgerFixture()
        let start = Date(timeIntervalSinceNow: -3600)
        let end = Date(timeIntervalSinceNow: 3600)
        let sold = try fixture.voucher(in: .applied)
        _ = try fixture.voucher(in: .rejected)
        _ = try fixture.voucher(in: .unknown)
        guard let soldVoucher = try fixture.ledger.vouchers(state: .applied, limit: 10).first(where: { $0.id == sold }),
              let provisioning = soldVoucher.provisioningID else {
            Issue.record("the applied voucher has no provisioning")
            return
        }
        try fixture.ledger.finishProvisioning(id: provisioning, outcome: .succeeded, wifiSSID: "Net-1234", wifiKey: "k",
                                              actor: 1001)
        try fixture.importVouchers(4, plan: "500MB")
        let report = try fixture.ledger.dayReport(from: start, to: end)
        #expect(report.plans.reduce(0) { $0 + $1.sold } == 1)
        #expect(report.plans.reduce(0) { $0 + $1.rejected } == 1)
        #expect(report.plans.reduce(0) { $0 + $1.unknown } == 1)
        #expect(report.plans.first { $0.plan == "500MB" }?.left == 4)
        #expect(report.handOvers.count == 1)
        #expect(report.handOvers.first?.iccid == fixture.iccid)
        #expect(report.handOvers.first?.provisioningID == provisioning)
        // Another day sees none of it, but still the stock left.
        let yesterday = try fixture.ledger.dayReport(from: start.addingTimeInterval(-86_400), to: start)
        #expect(yesterday.plans.allSatisfy { $0.sold == 0 && $0.rejected == 0 })
        #expect(yesterday.handOvers.isEmpty)
        #expect(yesterday.plans.first { $0.plan == "500MB" }?.left == 4)
    }

    @Test func vouchersChangedSinceLeaveOutOlderChanges() throws {
        let fixture = try LedgerFixture()
        try fixture.importVouchers(2)
        #expect(try fixture.ledger.vouchers(changedSince: Date(timeIntervalSinceNow: -60)).count == 2)
        #expect(try fixture.ledger.vouchers(changedSince: Date(timeIntervalSinceNow: 60)).isEmpty)
    }
}
