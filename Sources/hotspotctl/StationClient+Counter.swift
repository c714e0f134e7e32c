import Foundation
import StationAPI

extension StationClient {
    /// `GET /v1/ledger`: the newest `limit` events matching the filters (oldest first); identifiers by last digits.
    func recentLedger(iccid: String?, imei: String?, since: Date?, until: Date?, limit: Int?) async throws(HotspotctlError) -> [LedgerEventInfo] {
        try await get(.ledger(.init(iccid: iccid, imei: imei, since: since, until: until, limit: limit)), as: [LedgerEventInfo].self)
    }

    /// `GET /v1/report?from=&to=`.
    func report(from: Date, to: Date) async throws(HotspotctlError) -> DayReportInfo {
        try await get(.report(from: from, to: to), as: DayReportInfo.self)
    }

    /// `GET /v1/history/{ref}`.
    func history(_ ref: String, limit: Int?) async throws(HotspotctlError) -> [HistoryEntryInfo] {
        try await get(.history(ref, limit: limit), as: [HistoryEntryInfo].self)
    }

    /// `GET /v1/vouchers?since=`: vouchers whose state changed since then.
    func vouchers(state: String?, since: Date) async throws(HotspotctlError) -> [VoucherInfo] {
        try await get(.vouchers(state: state, limit: nil, since: since), as: [VoucherInfo].self)
    }
}
