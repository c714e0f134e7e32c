import FailureCodes
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB

/// Who asked for an order: the station's policy at plug-in, or a person through the API.
public enum OrderOrigin: String, Sendable, Codable, CaseIterable, Equatable {
    /// The default plan, applied to a SIM the ledger has never served.
    case policy
    /// A technician's `provision` of a SIM not yet served.
    case provision
    /// A technician's `provision --again`: credit and Wi-Fi again for a SIM already served.
    case again
    /// A technician's `topup`: credit only, the Wi-Fi left as it is.
    case topup
}

/// Where an order is.
public enum OrderState: String, Sendable, Codable, CaseIterable, Equatable {
    /// Placed and not yet done: a run works for it.
    case open
    /// Done: its credit was applied and its Wi-Fi (if it asked for one) set and read back.
    case fulfilled
    /// Withdrawn before its credit was applied (replaced by another order, or cancelled by a person).
    case cancelled
}

/// What an order's credit is, read from the vouchers reserved for it.
public enum OrderCredit: Sendable, Equatable {
    /// No voucher reached the operator for it (none reserved, or only refused ones).
    case notApplied
    /// A voucher is reserved, being sent or of unknown outcome: no other is reserved until it is settled.
    case pending(voucherID: Int64, state: VoucherState)
    /// A voucher was applied (or settled by hand): the order never takes another.
    case applied(voucherID: Int64)
}

/// One order as the ledger holds it.
public struct OrderRecord: Sendable, Equatable, Identifiable {
    /// Row id.
    public var id: Int64
    /// The SIM it credits.
    public var iccid: String
    /// The plan it buys.
    public var plan: String
    /// Who asked for it.
    public var origin: OrderOrigin
    /// Whether it sets the device's Wi-Fi (a top-up does not).
    public var setsWiFi: Bool
    /// A Wi-Fi name chosen by the technician (nil: the template's).
    public var wifiSSID: String?
    /// A Wi-Fi key chosen by the technician (secret; nil: a generated one).
    public var wifiKey: String?
    /// Open, fulfilled or cancelled.
    public var state: OrderState
    /// The run that fulfilled it.
    public var fulfilledByProvisioning: Int64?
    /// Unix uid of the caller who placed it; nil for the station's policy.
    public var actorUID: Int?
    /// When it was placed.
    public var createdAt: Date
    /// When it was fulfilled or cancelled.
    public var closedAt: Date?
    /// Its credit, from its vouchers.
    public var credit: OrderCredit
}

/// What a SIM has already received, as the ledger decides it.
public struct SIMService: Sendable, Equatable {
    /// Its open order, if any (at most one).
    public var openOrder: OrderRecord?
    /// Its newest fulfilled order, if any.
    public var lastFulfilled: OrderRecord?
    /// The run that served it last: the fulfilling run of `lastFulfilled`, or for a SIM credited before orders
    /// existed, the run that reserved that voucher.
    public var lastServedBy: ProvisioningRecord?
    /// Vouchers credited to the SIM with no order (written before orders existed): applied, manual, or still unsettled.
    public var creditsWithoutOrder: Int

    /// Whether the SIM was served: a fulfilled order, or credit received before orders existed.
    public var isServed: Bool { lastFulfilled != nil || creditsWithoutOrder > 0 }
}

/// What the caller asks for a SIM; the ledger decides what it gets (`OrderDecision`).
public struct OrderIntent: Sendable, Equatable {
    /// Who asks.
    public var origin: OrderOrigin
    /// The plan asked for explicitly; nil resumes an open order whatever its plan.
    public var plan: String?
    /// The plan a new order gets when none is asked for explicitly (the station's default plan); nil: none.
    public var defaultPlan: String?
    /// Whether the order sets the Wi-Fi.
    public var setsWiFi: Bool
    /// A technician's Wi-Fi name.
    public var wifiSSID: String?
    /// A technician's Wi-Fi key (secret).
    public var wifiKey: String?

    /// The plan a new order would get.
    public var planForNewOrder: String? { plan ?? defaultPlan }

    /// Creates an intent; a top-up never sets the Wi-Fi.
    public init(origin: OrderOrigin, plan: String?, defaultPlan: String? = nil, wifiSSID: String? = nil, wifiKey: String? = nil) {
        self.origin = origin
        self.plan = plan
        self.defaultPlan = defaultPlan
        self.setsWiFi = origin != .topup
        self.wifiSSID = wifiSSID
        self.wifiKey = wifiKey
    }
}

/// The ledger's answer to an intent: the rule "one sale, one credit" as a pure function of what the SIM received.
public enum OrderDecision: Sendable, Equatable {
    /// Work for this open order (the run skips the credit if the order already has it).
    case resume(OrderRecord)
    /// Place a new order.
    case place
    /// Cancel this open order (its credit was never applied) and place the new one.
    case replace(OrderRecord)
    /// The SIM is served and nothing asks for more: no order, no money.
    case alreadyServed(SIMService)
    /// A policy with no default plan and no open order: wait for a technician.
    case nothingToDo
    /// Refused, with a stable code and a sentence saying what to do instead.
    case refused(code: FailureCode, message: String)

    /// Whether a person's request asks what the open order already asks (what it leaves out, it leaves to the order).
    private static func asksTheSame(_ intent: OrderIntent, as open: OrderRecord) -> Bool {
        let plan: Bool = intent.plan == nil || intent.plan == open.plan
        let ssid: Bool = intent.wifiSSID == nil || intent.wifiSSID == open.wifiSSID
        let key: Bool = intent.wifiKey == nil || intent.wifiKey == open.wifiKey
        return plan && ssid && key && intent.setsWiFi == open.setsWiFi
    }

    /// Decides what `intent` gets for a SIM whose service is `service`.
    ///
    /// - A policy (plug-in, restart, re-plug) resumes the open order, never places one for a served SIM, and places
    ///   one with the default plan for a SIM never served.
    /// - `provision` does the same for a technician, but is refused for a served SIM: more credit needs `topup` or
    ///   `provision --again`. `again` and `topup` place a new order whatever the SIM received.
    /// - A person's request meeting an open order resumes it when it asks the same; an open order whose credit was
    ///   never applied is replaced by a different request; one whose credit is applied or pending is refused, since
    ///   the new request would buy a second credit while the first is not finished.
    public static func decide(_ intent: OrderIntent, service: SIMService) -> OrderDecision {
        if let open = service.openOrder {
            if intent.origin == .policy { return .resume(open) }
            if asksTheSame(intent, as: open) { return .resume(open) }
            guard intent.plan != nil else { return .resume(open) }
            switch open.credit {
            case .notApplied:
                return .replace(open)
            case .pending(let voucherID, let state):
                return .refused(code: .orderOpen, message: "Order \(open.id) (plan \(open.plan)) has voucher \(voucherID) "
                    + "\(state.rawValue): settle it before asking for something else.")
            case .applied:
                return .refused(code: .orderOpen, message: "Order \(open.id) (plan \(open.plan)) already has its credit "
                    + "and is not finished: run `provision` without options to finish it, then ask for more.")
            }
        }
        let canPlace = intent.planForNewOrder != nil
        switch intent.origin {
        case .policy:
            if service.isServed { return .alreadyServed(service) }
            return canPlace ? .place : .nothingToDo
        case .provision:
            if service.isServed {
                let by = service.lastFulfilled.map { "order \($0.id)" } ?? "a voucher applied earlier"
                return .refused(code: .alreadyServed, message: "This SIM was already served (\(by)): use `topup` for "
                    + "more credit, or `provision --again` for credit and a new Wi-Fi key.")
            }
            return canPlace ? .place : .nothingToDo
        case .again, .topup:
            return canPlace ? .place : .nothingToDo
        }
    }
}

/// What `placeOrder` did.
public enum OrderPlacement: Sendable, Equatable {
    /// Work for this order (new, resumed or replacing another).
    case run(OrderRecord)
    /// The SIM is served and nothing was ordered.
    case alreadyServed(SIMService)
    /// No order and nothing to do (a policy without a default plan).
    case nothingToDo
    /// Refused, nothing written.
    case refused(code: FailureCode, message: String)
}

extension Ledger {
    /// Decides, in one transaction, what `intent` gets for SIM `iccid` and writes it: a new order (event
    /// `order.placed`), an open order replaced (`order.cancelled` then `order.placed`), or nothing.
    ///
    /// The SIM must have been recorded (`recordSIM`). The decision is `OrderDecision.decide` over what the ledger
    /// holds for the SIM at that moment, so two callers cannot both place an order (one open order per SIM is also a
    /// UNIQUE index).
    public func placeOrder(iccid: String, intent: OrderIntent, actor: Int?) throws(LedgerError) -> OrderPlacement {
        try LedgerInput.text(iccid, "ICCID", max: 32)
        try LedgerInput.optionalText(intent.plan, "plan", max: 64)
        try LedgerInput.optionalText(intent.defaultPlan, "default plan", max: 64)
        try LedgerInput.optionalText(intent.wifiSSID, "Wi-Fi SSID", max: 64)
        try LedgerInput.optionalText(intent.wifiKey, "Wi-Fi key", max: 64)
        return try write("place order") { db, now in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM sims WHERE iccid = ?", arguments: [iccid]) != nil else {
                throw LedgerError(.notFound, "no SIM with ICCID …\(iccid.suffix(4)) was recorded; call recordSIM first")
            }
            let service = try Ledger.simService(db, iccid: iccid)
            switch OrderDecision.decide(intent, service: service) {
            case .resume(let order):
                return .run(order)
            case .alreadyServed(let service):
                return .alreadyServed(service)
            case .nothingToDo:
                return .nothingToDo
            case .refused(let code, let message):
                return .refused(code: code, message: message)
            case .replace(let old):
                try Ledger.closeOrder(db, id: old.id, as: .cancelled, provisioningID: nil, now: now, actor: actor,
                                      detail: ["reason": "replaced by a new \(intent.origin.rawValue) order"])
                return .run(try Ledger.insertOrder(db, iccid: iccid, intent: intent, now: now, actor: actor))
            case .place:
                return .run(try Ledger.insertOrder(db, iccid: iccid, intent: intent, now: now, actor: actor))
            }
        }
    }

    // MARK: - Inside transactions

    static func simService(_ db: Database, iccid: String) throws -> SIMService {
        let open = try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE iccid = ? AND state = 'open'", arguments: [iccid])
            .map { try orderRecord(db, row: $0) }
        let fulfilled = try Row.fetchOne(db, sql: """
            SELECT * FROM orders WHERE iccid = ? AND state = 'fulfilled' ORDER BY id DESC LIMIT 1
            """, arguments: [iccid]).map { try orderRecord(db, row: $0) }
        let withoutOrder = try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM vouchers WHERE iccid = ? AND order_id IS NULL
              AND state IN ('sending', 'applied', 'unknown', 'manual')
            """, arguments: [iccid]) ?? 0
        var servedBy: ProvisioningRecord?
        if let run = fulfilled?.fulfilledByProvisioning {
            servedBy = try Row.fetchOne(db, sql: provisioningSelect + " WHERE p.id = ?", arguments: [run]).map(provisioningRecord)
        } else if withoutOrder > 0 {
            servedBy = try Row.fetchOne(db, sql: provisioningSelect + """
                 WHERE p.id = (SELECT reserved_by_provisioning FROM vouchers WHERE iccid = ? AND order_id IS NULL
                   AND state IN ('sending', 'applied', 'unknown', 'manual') ORDER BY id DESC LIMIT 1)
                """, arguments: [iccid]).map(provisioningRecord)
            // The run that finished the SIM's set-up (Wi-Fi) may be a later one that skipped the money.
            if let credited = servedBy, let later = try Row.fetchOne(db, sql: provisioningSelect + """
                 WHERE p.iccid = ? AND p.state = 'succeeded' AND p.id >= ? ORDER BY p.id DESC LIMIT 1
                """, arguments: [iccid, credited.id]).map(provisioningRecord) {
                servedBy = later
            }
        }
        return SIMService(openOrder: open, lastFulfilled: fulfilled, lastServedBy: servedBy, creditsWithoutOrder: withoutOrder)
    }

    static func orderRecord(_ db: Database, id: Int64) throws -> OrderRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE id = ?", arguments: [id]).map { try orderRecord(db, row: $0) }
    }

    static func orderRecord(_ db: Database, row: Row) throws -> OrderRecord {
        let id: Int64 = row["id"]
        let credit: OrderCredit
        if let voucher = try Row.fetchOne(db, sql: """
            SELECT id, state FROM vouchers WHERE order_id = ? AND state NOT IN ('rejected', 'available') ORDER BY id DESC LIMIT 1
            """, arguments: [id]) {
            let voucherID: Int64 = voucher["id"]
            let state = VoucherState(rawValue: voucher["state"]) ?? .unknown
            credit = [.applied, .manual].contains(state) ? .applied(voucherID: voucherID) : .pending(voucherID: voucherID, state: state)
        } else {
            credit = .notApplied
        }
        let setsWiFi: Int64 = row["sets_wifi"]
        let actor: Int64? = row["actor_uid"]
        return OrderRecord(id: id, iccid: row["iccid"], plan: row["plan"],
                           origin: OrderOrigin(rawValue: row["origin"]) ?? .policy, setsWiFi: setsWiFi == 1,
                           wifiSSID: row["wifi_ssid"], wifiKey: row["wifi_key"],
                           state: OrderState(rawValue: row["state"]) ?? .cancelled,
                           fulfilledByProvisioning: row["fulfilled_by_provisioning"], actorUID: actor.map { Int($0) },
                           createdAt: date(row["created_at"]), closedAt: (row["closed_at"] as String?).map { date($0) },
                           credit: credit)
    }

    private static func insertOrder(_ db: Database, iccid: String, intent: OrderIntent, now: String, actor: Int?) throws -> OrderRecord {
        guard let plan = intent.planForNewOrder else { throw LedgerError(.invalidArgument, "an order needs a plan") }
        try db.execute(sql: """
            INSERT INTO orders (iccid, plan, origin, sets_wifi, wifi_ssid, wifi_key, state, actor_uid, created_at)
            VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)
            """, arguments: [iccid, plan, intent.origin.rawValue, intent.setsWiFi ? 1 : 0, intent.wifiSSID, intent.wifiKey,
                             actor, now])
        let id = db.lastInsertedRowID
        var detail = ["order": String(id), "plan": plan, "origin": intent.origin.rawValue,
                      "sets_wifi": intent.setsWiFi ? "true" : "false"]
        detail["wifi_ssid"] = intent.wifiSSID
        if intent.wifiKey != nil { detail["wifi_key_chosen"] = "true" }
        try EventChain.append(EventDraft(kind: "order.placed", iccid: iccid, actorUID: actor, detail: detail), at: now, in: db)
        guard let order = try orderRecord(db, id: id) else { throw LedgerError(.io, "order \(id) vanished after its insert") }
        return order
    }

    /// Closes an open order as fulfilled (by `provisioningID`) or cancelled, with its event.
    static func closeOrder(_ db: Database, id: Int64, as state: OrderState, provisioningID: Int64?, now: String, actor: Int?,
                           detail: [String: String] = [:]) throws {
        guard let order = try orderRecord(db, id: id) else { throw LedgerError(.notFound, "no order \(id)") }
        try db.execute(sql: """
            UPDATE orders SET state = ?, fulfilled_by_provisioning = ?, closed_at = ? WHERE id = ? AND state = 'open'
            """, arguments: [state.rawValue, provisioningID, now, id])
        guard db.changesCount == 1 else {
            throw LedgerError(.illegalTransition, "order \(id) is \(order.state.rawValue); only an open order is closed")
        }
        var detail = detail
        detail["order"] = String(id)
        detail["plan"] = order.plan
        try EventChain.append(EventDraft(kind: state == .fulfilled ? "order.fulfilled" : "order.cancelled",
                                         provisioningID: provisioningID, iccid: order.iccid, actorUID: actor, detail: detail),
                              at: now, in: db)
    }

    /// Refuses a reservation the order cannot take: closed, of another SIM or plan, or already holding its voucher.
    ///
    /// The schema's triggers refuse the same; this says it in the ledger's own words first.
    static func checkOrderTakesVoucher(_ db: Database, orderID: Int64, iccid: String, plan: String) throws {
        guard let order = try orderRecord(db, id: orderID) else { throw LedgerError(.notFound, "no order \(orderID)") }
        guard order.state == .open else {
            throw LedgerError(.orderClosed, "order \(orderID) is \(order.state.rawValue); it takes no voucher")
        }
        guard order.iccid == iccid, order.plan == plan else {
            throw LedgerError(.invalidArgument, "order \(orderID) is for plan \(order.plan) on SIM …\(order.iccid.suffix(4))")
        }
        switch order.credit {
        case .notApplied:
            return
        case .pending(let voucherID, let state):
            throw LedgerError(.orderHasCredit, "order \(orderID) already has voucher #\(voucherID) \(state.rawValue)")
        case .applied(let voucherID):
            throw LedgerError(.orderHasCredit, "order \(orderID) was already credited by voucher #\(voucherID)")
        }
    }
}

extension LedgerReading {
    /// The order with this id, or nil.
    public func order(id: Int64) throws(LedgerError) -> OrderRecord? {
        try read("read order") { db in try Ledger.orderRecord(db, id: id) }
    }

    /// Orders of a SIM and/or in one state (nil: all), newest first.
    public func orders(iccid: String? = nil, state: OrderState? = nil, limit: Int = 100) throws(LedgerError) -> [OrderRecord] {
        try read("read orders") { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let iccid {
                clauses.append("iccid = ?")
                arguments += [iccid]
            }
            if let state {
                clauses.append("state = ?")
                arguments += [state.rawValue]
            }
            arguments += [max(0, limit)]
            let whereClause = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM orders" + whereClause + " ORDER BY id DESC LIMIT ?",
                                    arguments: arguments).map { try Ledger.orderRecord(db, row: $0) }
        }
    }

    /// What SIM `iccid` already received: its open order, its last fulfilled one, credits from before orders.
    public func simService(iccid: String) throws(LedgerError) -> SIMService {
        try read("read SIM service") { db in try Ledger.simService(db, iccid: iccid) }
    }
}
