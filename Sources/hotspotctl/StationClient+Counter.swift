import Foundation
import StationAPI

extension StationClient {
    /// `GET /v1/ledger`: the newest `limit` events matching the filters (oldest first); identifiers by last digits.
    func recentLedger(iccid: String?, imei: String?, since: Date?, until: Date?, limit: Int?) async throws(HotspotctlError) -> [LedgerEventInfo] {
        var query: [String: String] = [:]
        if let iccid { query["iccid"] = iccid }
        if let imei { query["imei"] = imei }
        if let since { query["since"] = since.formatted(.iso8601) }
        if let until { query["until"] = until.formatted(.iso8601) }
        if let limit { query["limit"] = String(limit) }
        return try await get(StationRoute.ledger, query: query, as: [LedgerEventInfo].self)
    }

    /// `GET /v1/report?from=&to=`.
    func report(from: Date, to: Date) async throws(HotspotctlError) -> DayReportInfo {
        try await get(StationRoute.report, query: ["from": from.formatted(.iso8601), "to": to.formatted(.iso8601)],
                      as: DayReportInfo.self)
    }

    /// `GET /v1/history/{ref}`.
    func history(_ ref: String, limit: Int?) async throws(HotspotctlError) -> [HistoryEntryInfo] {
        var query: [String: String] = [:]
        if let limit { query["limit"] = String(limit) }
        return try await get(StationRoute.history(ref), query: query, as: [HistoryEntryInfo].self)
    }

    /// `GET /v1/vouchers?since=`: vouchers whose state changed since then.
    func vouchers(state: String?, since: Date) async throws(HotspotctlError) -> [VoucherInfo] {
        var query = ["since": since.formatted(.iso8601)]
        if let state { query["state"] = state }
        return try await get(StationRoute.vouchers, query: query, as: [VoucherInfo].self)
    }
}
