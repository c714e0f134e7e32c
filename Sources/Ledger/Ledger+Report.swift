#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// What the counter asks the ledger at the end of a day, and when it looks someone up by the digits printed on a box.
///
/// Identifiers are matched by their last digits (`substr(x, -n) = ?`, never `LIKE`, so no character of a query is a
/// wildcard), case-insensitively for the `F` filler some SIMs report.
public struct LedgerDayReport: Sendable, Equatable, Codable {
    /// Voucher figures of one plan over the day.
    public struct PlanFigures: Sendable, Equatable, Codable {
        /// The plan's name as the vouchers carry it.
        public var plan: String
        /// Vouchers applied (credited) during the day: what was sold.
        public var sold: Int
        /// Vouchers the operator refused during the day.
        public var rejected: Int
        /// Vouchers held `unknown` now (whenever they became so): sales that need a person's settlement.
        public var unknown: Int
        /// Vouchers settled by hand (`manual`) during the day.
        public var manual: Int
        /// Vouchers still available now.
        public var left: Int
        /// Creates the figures.
        public init(plan: String, sold: Int = 0, rejected: Int = 0, unknown: Int = 0, manual: Int = 0, left: Int = 0) {
            self.plan = plan
            self.sold = sold
            self.rejected = rejected
            self.unknown = unknown
            self.manual = manual
            self.left = left
        }
    }

    /// One device handed over: a provisioning that succeeded during the day.
    public struct HandOver: Sendable, Equatable, Codable {
        /// The provisioning's ledger id.
        public var provisioningID: Int64
        /// When it finished.
        public var at: Date
        /// The SIM's ICCID (full: the caller redacts).
        public var iccid: String?
        /// The device's IMEI (full: the caller redacts).
        public var imei: String
        /// The plan applied.
        public var plan: String?
        /// The uid of the technician who asked for it (the run's, else its order's); nil for the station's policy.
        public var actorUID: Int?
        /// Creates a hand-over row.
        public init(provisioningID: Int64, at: Date, iccid: String?, imei: String, plan: String?, actorUID: Int?) {
            self.provisioningID = provisioningID
            self.at = at
            self.iccid = iccid
            self.imei = imei
            self.plan = plan
            self.actorUID = actorUID
        }
    }

    /// Per plan, sorted by name; every plan that has a voucher in the ledger appears, even with no sale.
    public var plans: [PlanFigures]
    /// Hand-overs, oldest first.
    public var handOvers: [HandOver]
    /// Provisionings that failed during the day.
    public var failedRuns: Int
}

extension LedgerReading {
    /// The newest `limit` events matching every filter, returned oldest first (a table reads downwards in time).
    ///
    /// `iccidSuffix` and `imeiSuffix` match the whole identifier or its last digits; `since` and `until` bound `at`
    /// (`until` excluded).
    public func recentEvents(iccidSuffix: String? = nil, imeiSuffix: String? = nil, since: Date? = nil, until: Date? = nil,
                             limit: Int = 1000) throws(LedgerError) -> [LedgerEvent] {
        try read("read recent events") { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let iccidSuffix {
                clauses.append("upper(substr(iccid, -?)) = upper(?)")
                arguments += [iccidSuffix.count, iccidSuffix]
            }
            if let imeiSuffix {
                clauses.append("substr(device_imei, -?) = ?")
                arguments += [imeiSuffix.count, imeiSuffix]
            }
            if let since {
                clauses.append("at >= ?")
                arguments += [LedgerTimestamp.format(since)]
            }
            if let until {
                clauses.append("at < ?")
                arguments += [LedgerTimestamp.format(until)]
            }
            let whereClause = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
            arguments += [max(0, limit)]
            let newestFirst = try Row.fetchAll(
                db, sql: "SELECT \(EventChain.selectColumns) FROM events\(whereClause) ORDER BY seq DESC LIMIT ?",
                arguments: arguments).map(Ledger.eventRecord)
            return Array(newestFirst.reversed())
        }
    }

    /// The day's figures between `start` (included) and `end` (excluded), in one read transaction.
    public func dayReport(from start: Date, to end: Date) throws(LedgerError) -> LedgerDayReport {
        let from = LedgerTimestamp.format(start)
        let to = LedgerTimestamp.format(end)
        return try read("read the day's report") { db in
            var figures: [String: LedgerDayReport.PlanFigures] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT plan,
                       SUM(state = 'applied' AND updated_at >= ?1 AND updated_at < ?2) AS sold,
                       SUM(state = 'rejected' AND updated_at >= ?1 AND updated_at < ?2) AS rejected,
                       SUM(state = 'unknown') AS unknown,
                       SUM(state = 'manual' AND updated_at >= ?1 AND updated_at < ?2) AS manual,
                       SUM(state = 'available') AS available
                FROM vouchers GROUP BY plan ORDER BY plan
                """, arguments: [from, to])
            for row in rows {
                let plan: String = row["plan"]
                figures[plan] = LedgerDayReport.PlanFigures(plan: plan, sold: row["sold"] ?? 0, rejected: row["rejected"] ?? 0,
                                                            unknown: row["unknown"] ?? 0, manual: row["manual"] ?? 0,
                                                            left: row["available"] ?? 0)
            }
            let handOvers = try Row.fetchAll(db, sql: """
                SELECT p.id, p.finished_at, p.iccid, d.imei, p.plan, COALESCE(p.actor_uid, o.actor_uid) AS uid
                FROM provisionings p JOIN devices d ON d.id = p.device_id LEFT JOIN orders o ON o.id = p.order_id
                WHERE p.state = 'succeeded' AND p.finished_at >= ? AND p.finished_at < ?
                ORDER BY p.finished_at, p.id
                """, arguments: [from, to]).map { row in
                let uid: Int64? = row["uid"]
                return LedgerDayReport.HandOver(provisioningID: row["id"], at: Ledger.date(row["finished_at"]), iccid: row["iccid"],
                                                imei: row["imei"], plan: row["plan"], actorUID: uid.map { Int($0) })
            }
            let failed = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM provisionings WHERE state = 'failed' AND finished_at >= ? AND finished_at < ?
                """, arguments: [from, to]) ?? 0
            return LedgerDayReport(plans: figures.values.sorted { $0.plan < $1.plan }, handOvers: handOvers, failedRuns: failed)
        }
    }

    /// The provisionings of a device or SIM, newest first: `suffix` is the IMEI's or the ICCID's last digits (or all).
    public func history(identifierSuffix suffix: String, limit: Int = 100) throws(LedgerError) -> [ProvisioningRecord] {
        try read("read a device's history") { db in
            try Row.fetchAll(db, sql: Ledger.provisioningSelect + """
                 WHERE substr(d.imei, -?1) = ?2 OR upper(substr(p.iccid, -?1)) = upper(?2)
                 ORDER BY p.id DESC LIMIT ?3
                """, arguments: [suffix.count, suffix, max(0, limit)]).map(Ledger.provisioningRecord)
        }
    }

    /// Vouchers whose state changed at or after `since`, newest change last, at most `limit`.
    public func vouchers(changedSince since: Date, state: VoucherState? = nil, limit: Int = 1000) throws(LedgerError) -> [Voucher] {
        try read("read vouchers changed since") { db in
            var sql = "SELECT * FROM vouchers WHERE updated_at >= ?"
            var arguments: StatementArguments = [LedgerTimestamp.format(since)]
            if let state {
                sql += " AND state = ?"
                arguments += [state.rawValue]
            }
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: sql + " ORDER BY updated_at, id LIMIT ?", arguments: arguments).map(Ledger.voucherRecord)
        }
    }
}
