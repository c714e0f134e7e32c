#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `GET /v1/report?from=&to=`: the end-of-day figures of the counter.
public struct DayReportInfo: Codable, Sendable, Equatable {
    /// One plan's line.
    public struct PlanLine: Codable, Sendable, Equatable {
        /// The plan.
        public var plan: String
        /// Vouchers applied during the period: what was sold.
        public var sold: Int
        /// `sold` × the plan's configured price, in cents; nil when the plan has no price.
        public var totalCents: Int?
        /// Vouchers the operator refused during the period.
        public var rejected: Int
        /// Vouchers held `unknown` now: sales a person must settle.
        public var unknown: Int
        /// Vouchers settled by hand during the period.
        public var manual: Int
        /// Vouchers of the plan still available now.
        public var vouchersLeft: Int
        /// Creates a line.
        public init(plan: String, sold: Int, totalCents: Int?, rejected: Int, unknown: Int, manual: Int, vouchersLeft: Int) {
            self.plan = plan
            self.sold = sold
            self.totalCents = totalCents
            self.rejected = rejected
            self.unknown = unknown
            self.manual = manual
            self.vouchersLeft = vouchersLeft
        }
    }

    /// One device handed over (a provisioning that succeeded).
    public struct HandOver: Codable, Sendable, Equatable {
        /// The provisioning's ledger id.
        public var provisioningID: Int64
        /// When it finished.
        public var at: Date
        /// The SIM (redacted to its last four digits unless revealed).
        public var iccid: String?
        /// The device (redacted unless revealed).
        public var imei: String
        /// The plan applied.
        public var plan: String?
        /// Who asked for it; nil when the station's policy did.
        public var technicianUID: Int?
        /// Creates a row.
        public init(provisioningID: Int64, at: Date, iccid: String?, imei: String, plan: String?, technicianUID: Int?) {
            self.provisioningID = provisioningID
            self.at = at
            self.iccid = iccid
            self.imei = imei
            self.plan = plan
            self.technicianUID = technicianUID
        }
    }

    /// Start of the period (included).
    public var from: Date
    /// End of the period (excluded).
    public var to: Date
    /// One line per plan, by name.
    public var plans: [PlanLine]
    /// Hand-overs, oldest first.
    public var handOvers: [HandOver]
    /// Provisionings that failed during the period.
    public var failedRuns: Int
    /// Creates a report.
    public init(from: Date, to: Date, plans: [PlanLine], handOvers: [HandOver], failedRuns: Int) {
        self.from = from
        self.to = to
        self.plans = plans
        self.handOvers = handOvers
        self.failedRuns = failedRuns
    }
}

/// `GET /v1/history/{ref}`: one provisioning of a device or SIM.
public struct HistoryEntryInfo: Codable, Sendable, Equatable {
    /// The provisioning's ledger id.
    public var provisioningID: Int64
    /// When it started.
    public var startedAt: Date
    /// When it ended; nil while it runs.
    public var finishedAt: Date?
    /// `running`, `succeeded` or `failed`.
    public var state: String
    /// The plan.
    public var plan: String?
    /// Why it failed.
    public var failureCode: String?
    /// The device (redacted unless revealed).
    public var imei: String?
    /// The SIM (redacted unless revealed).
    public var iccid: String?
    /// The Wi-Fi name it set (not secret: it is broadcast).
    public var wifiSSID: String?
    /// Who asked for it.
    public var actorUID: Int?
    /// The order it worked for.
    public var orderID: Int64?
    /// Creates an entry.
    public init(provisioningID: Int64, startedAt: Date, finishedAt: Date?, state: String, plan: String?, failureCode: String?,
                imei: String?, iccid: String?, wifiSSID: String?, actorUID: Int?, orderID: Int64?) {
        self.provisioningID = provisioningID
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.state = state
        self.plan = plan
        self.failureCode = failureCode
        self.imei = imei
        self.iccid = iccid
        self.wifiSSID = wifiSSID
        self.actorUID = actorUID
        self.orderID = orderID
    }
}
