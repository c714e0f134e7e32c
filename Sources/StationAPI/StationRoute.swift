import FailureCodes
import Foundation

/// One request of the control API, with its path parameters and query, in one place for daemon and CLI.
///
/// The CLI renders a route (`method`, `path`, `query`); the daemon parses a request back into the same case
/// (`parse(method:path:query:)`) and answers it in an exhaustive `switch`, so a route the CLI can build is a route
/// the daemon answers. Each route also says who may call it (`Kind.access`) and whether it moves money
/// (`Kind.isMoneyOperation`). `reveal=` is not part of a route: it is an option of every request (see `RevealScope`).
public enum StationRoute: Hashable, Sendable {
    /// `GET /v1/health`: readiness.
    case health
    /// `GET /v1/devices`: every device.
    case devices
    /// `POST /v1/devices`: attach a serial port by path, or a unit by URL (`AttachRequest`).
    case attach
    /// `GET /v1/devices/{ref}`: one device or SIM reader by id, IMEI, ICCID (full or unique last digits) or port.
    case device(String)
    /// `GET /v1/devices/{ref}/card`: what the beneficiary's hand-over card shows.
    case card(String)
    /// `DELETE /v1/devices/{ref}`: detach a device, releasing its port.
    case detach(String)
    /// `POST /v1/devices/{ref}/provision`: start or retry provisioning (`ProvisionRequest`).
    case provision(String)
    /// `POST /v1/devices/{ref}/topup`: more credit for the SIM in a device (`TopUpRequest`).
    case topUp(String)
    /// `POST /v1/devices/{ref}/unlock`: one SIM PIN attempt (`UnlockRequest`).
    case unlock(String)
    /// `POST /v1/config/reload`: read the configuration file again.
    case reloadConfiguration
    /// `GET /v1/orders?state=&limit=`.
    case orders(state: String?, limit: Int?)
    /// `POST /v1/orders/{id}/cancel`: cancel an open order whose credit was never applied.
    case cancelOrder(Int64)
    /// `GET /v1/events`: live progress events as NDJSON.
    case events
    /// `GET /v1/plans`.
    case plans
    /// `GET /v1/vouchers?state=&limit=&since=`: vouchers, or with `since` those whose state changed since then.
    case vouchers(state: String?, limit: Int?, since: Date?)
    /// `POST /v1/vouchers/import`: a voucher CSV file (`VoucherImportRequest`).
    case importVouchers
    /// `GET /v1/vouchers/unknown`: vouchers whose outcome a person must decide.
    case unknownVouchers
    /// `POST /v1/vouchers/{id}/settle`: settle one unknown voucher (`VoucherSettleRequest`).
    case settleVoucher(Int64)
    /// `GET /v1/ledger?iccid=&imei=&since=&until=&limit=`: the newest events matching the filters.
    case ledger(LedgerQuery)
    /// `GET /v1/ledger/verify?anchor=SEQ:HASH`: walk the hash chain (the anchor also proves no tail was cut).
    case verifyLedger(anchor: LedgerAnchorInfo?)
    /// `GET /v1/ledger/anchor`: the head of the chain, to keep elsewhere.
    case ledgerAnchor
    /// `GET /v1/ledger/export?format=csv|jsonl`: every event, streamed (`jsonl` when absent).
    case exportLedger(format: String?)
    /// `POST /v1/ledger/backup`: an online backup to a path on the daemon's machine (`LedgerBackupRequest`).
    case backupLedger
    /// `GET /v1/report?from=&to=`: the end-of-day figures (the last day when absent).
    case report(from: Date?, to: Date?)
    /// `GET /v1/history/{ref}?limit=`: the provisionings of a device or SIM.
    case history(String, limit: Int?)

    /// The filters of `GET /v1/ledger`; identifiers match by their last digits.
    public struct LedgerQuery: Hashable, Sendable {
        /// Events of this SIM (full ICCID or last digits).
        public var iccid: String?
        /// Events of this device (full IMEI or last digits).
        public var imei: String?
        /// Events at or after this time.
        public var since: Date?
        /// Events before this time.
        public var until: Date?
        /// At most this many (the newest).
        public var limit: Int?

        /// Creates filters; absent ones do not filter.
        public init(iccid: String? = nil, imei: String? = nil, since: Date? = nil, until: Date? = nil, limit: Int? = nil) {
            self.iccid = iccid
            self.imei = imei
            self.since = since
            self.until = until
            self.limit = limit
        }
    }
}

// MARK: - What a route is: kind, method, access, money

extension StationRoute {
    /// A route without its parameters: what the access policy and the rate limiter decide on.
    public enum Kind: String, CaseIterable, Sendable {
        case health, devices, attach, device, card, detach, provision, topUp, unlock, reloadConfiguration
        case orders, cancelOrder, events, plans, vouchers, importVouchers, unknownVouchers, settleVoucher
        case ledger, verifyLedger, ledgerAnchor, exportLedger, backupLedger, report, history

        /// The HTTP method.
        public var method: String {
            switch self {
            case .health, .devices, .device, .card, .orders, .events, .plans, .vouchers, .unknownVouchers, .ledger,
                 .verifyLedger, .ledgerAnchor, .exportLedger, .report, .history:
                return "GET"
            case .attach, .provision, .topUp, .unlock, .reloadConfiguration, .cancelOrder, .importVouchers, .settleVoucher,
                 .backupLedger:
                return "POST"
            case .detach:
                return "DELETE"
            }
        }

        /// Who may call the route.
        ///
        /// Technicians watch, attach, provision, top up and unlock; revealing a device's Wi-Fi key (for the hand-over)
        /// is theirs too. Voucher files and settlements, orders, backups, exports, reloads, and revealing voucher codes
        /// or ledger identifiers, are a supervisor's.
        public var access: Access {
            switch self {
            case .health: return .anyone
            case .devices, .device, .card, .events, .plans: return .technician
            case .attach, .detach, .provision, .topUp, .unlock: return .technician
            case .verifyLedger, .ledgerAnchor: return .technician
            case .vouchers, .unknownVouchers, .report, .history, .ledger: return .technicianUnlessRevealing
            case .importVouchers, .settleVoucher, .exportLedger, .backupLedger: return .supervisor
            case .orders, .cancelOrder, .reloadConfiguration: return .supervisor
            }
        }

        /// Whether the route can change who holds what money (attach provisions by policy), or costs seconds of I/O
        /// and disk (a backup): such requests count against the caller's rate.
        public var isMoneyOperation: Bool {
            switch self {
            case .attach, .provision, .topUp, .importVouchers, .settleVoucher, .backupLedger: return true
            case .health, .devices, .device, .card, .detach, .unlock, .reloadConfiguration, .orders, .cancelOrder, .events,
                 .plans, .vouchers, .unknownVouchers, .ledger, .verifyLedger, .ledgerAnchor, .exportLedger, .report, .history:
                return false
            }
        }

        /// The kind a request's method and decoded path segments (`v1` first) name, by shape only (a malformed
        /// order or voucher id still names its route); nil when none does.
        public init?(method: String, segments: [String]) {
            guard segments.first == "v1" else { return nil }
            let route = Array(segments.dropFirst())
            let kind: Kind?
            switch (route.count, route.first) {
            case (1, "health"): kind = .health
            case (1, "devices"): kind = method == "POST" ? .attach : .devices
            case (2, "devices"): kind = method == "DELETE" ? .detach : .device
            case (3, "devices"):
                switch route[2] {
                case "card": kind = .card
                case "provision": kind = .provision
                case "topup": kind = .topUp
                case "unlock": kind = .unlock
                default: kind = nil
                }
            case (2, "config"): kind = route[1] == "reload" ? .reloadConfiguration : nil
            case (1, "orders"): kind = .orders
            case (3, "orders"): kind = route[2] == "cancel" ? .cancelOrder : nil
            case (1, "events"): kind = .events
            case (1, "plans"): kind = .plans
            case (1, "vouchers"): kind = .vouchers
            case (2, "vouchers"):
                switch route[1] {
                case "import": kind = .importVouchers
                case "unknown": kind = .unknownVouchers
                default: kind = nil
                }
            case (3, "vouchers"): kind = route[2] == "settle" ? .settleVoucher : nil
            case (1, "ledger"): kind = .ledger
            case (2, "ledger"):
                switch route[1] {
                case "verify": kind = .verifyLedger
                case "anchor": kind = .ledgerAnchor
                case "export": kind = .exportLedger
                case "backup": kind = .backupLedger
                default: kind = nil
                }
            case (1, "report"): kind = .report
            case (2, "history"): kind = .history
            default: kind = nil
            }
            guard let kind, kind.method == method else { return nil }
            self = kind
        }
    }

    /// Who may call a route.
    public enum Access: Sendable, Equatable {
        /// Anyone who can reach the socket.
        case anyone
        /// A technician (or a supervisor).
        case technician
        /// A technician, unless the request reveals secrets (voucher codes, full identifiers): then a supervisor.
        case technicianUnlessRevealing
        /// A supervisor.
        case supervisor

        /// The level needed by a request that reveals records' secrets (`revealsRecords`) or asks for identifiers
        /// explicitly (`revealsIdentifiers`, `reveal=ids`: a supervisor's on every route but health).
        public func level(revealsRecords: Bool, revealsIdentifiers: Bool) -> AccessLevel {
            switch self {
            case .anyone: return .anyone
            case _ where revealsIdentifiers: return .supervisor
            case .technician: return .technician
            case .technicianUnlessRevealing: return revealsRecords ? .supervisor : .technician
            case .supervisor: return .supervisor
            }
        }
    }

    /// The level a caller needs; each includes the ones before it.
    public enum AccessLevel: Int, Sendable, Comparable {
        /// Anyone who can reach the socket.
        case anyone
        /// A technician.
        case technician
        /// A supervisor.
        case supervisor

        public static func < (lhs: AccessLevel, rhs: AccessLevel) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The route's kind.
    public var kind: Kind {
        switch self {
        case .health: return .health
        case .devices: return .devices
        case .attach: return .attach
        case .device: return .device
        case .card: return .card
        case .detach: return .detach
        case .provision: return .provision
        case .topUp: return .topUp
        case .unlock: return .unlock
        case .reloadConfiguration: return .reloadConfiguration
        case .orders: return .orders
        case .cancelOrder: return .cancelOrder
        case .events: return .events
        case .plans: return .plans
        case .vouchers: return .vouchers
        case .importVouchers: return .importVouchers
        case .unknownVouchers: return .unknownVouchers
        case .settleVoucher: return .settleVoucher
        case .ledger: return .ledger
        case .verifyLedger: return .verifyLedger
        case .ledgerAnchor: return .ledgerAnchor
        case .exportLedger: return .exportLedger
        case .backupLedger: return .backupLedger
        case .report: return .report
        case .history: return .history
        }
    }
}

// MARK: - Rendering (the CLI's side)

extension StationRoute {
    /// The path prefix every route starts with (see `StationAPIVersion`).
    static let prefix = StationAPIVersion.prefix

    /// The HTTP method.
    public var method: String { kind.method }

    /// The path, each parameter percent-encoded (a `/` in a port path must not split the route).
    public var path: String {
        switch self {
        case .health: return Self.prefix + "/health"
        case .devices, .attach: return Self.prefix + "/devices"
        case .device(let ref), .detach(let ref): return Self.devicePath(ref)
        case .card(let ref): return Self.devicePath(ref) + "/card"
        case .provision(let ref): return Self.devicePath(ref) + "/provision"
        case .topUp(let ref): return Self.devicePath(ref) + "/topup"
        case .unlock(let ref): return Self.devicePath(ref) + "/unlock"
        case .reloadConfiguration: return Self.prefix + "/config/reload"
        case .orders: return Self.prefix + "/orders"
        case .cancelOrder(let id): return Self.prefix + "/orders/\(id)/cancel"
        case .events: return Self.prefix + "/events"
        case .plans: return Self.prefix + "/plans"
        case .vouchers: return Self.prefix + "/vouchers"
        case .importVouchers: return Self.prefix + "/vouchers/import"
        case .unknownVouchers: return Self.prefix + "/vouchers/unknown"
        case .settleVoucher(let id): return Self.prefix + "/vouchers/\(id)/settle"
        case .ledger: return Self.prefix + "/ledger"
        case .verifyLedger: return Self.prefix + "/ledger/verify"
        case .ledgerAnchor: return Self.prefix + "/ledger/anchor"
        case .exportLedger: return Self.prefix + "/ledger/export"
        case .backupLedger: return Self.prefix + "/ledger/backup"
        case .report: return Self.prefix + "/report"
        case .history(let ref, _): return Self.prefix + "/history/" + Self.percentEncode(ref)
        }
    }

    /// The query parameters the route carries, unencoded (`reveal` is added by the caller when it asks).
    public var query: [String: String] {
        var query: [String: String] = [:]
        switch self {
        case .orders(let state, let limit):
            query["state"] = state
            query["limit"] = limit.map(String.init)
        case .vouchers(let state, let limit, let since):
            query["state"] = state
            query["limit"] = limit.map(String.init)
            query["since"] = since.map(Self.render)
        case .ledger(let filter):
            query["iccid"] = filter.iccid
            query["imei"] = filter.imei
            query["since"] = filter.since.map(Self.render)
            query["until"] = filter.until.map(Self.render)
            query["limit"] = filter.limit.map(String.init)
        case .verifyLedger(let anchor):
            query["anchor"] = anchor?.text
        case .exportLedger(let format):
            query["format"] = format
        case .report(let from, let to):
            query["from"] = from.map(Self.render)
            query["to"] = to.map(Self.render)
        case .history(_, let limit):
            query["limit"] = limit.map(String.init)
        case .health, .devices, .attach, .device, .card, .detach, .provision, .topUp, .unlock, .reloadConfiguration,
             .cancelOrder, .events, .plans, .importVouchers, .unknownVouchers, .settleVoucher, .ledgerAnchor, .backupLedger:
            break
        }
        return query
    }

    /// Percent-encodes one path segment (a `/` in a port path must not split the route).
    public static func percentEncode(_ segment: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }

    private static func devicePath(_ ref: String) -> String { prefix + "/devices/" + percentEncode(ref) }

    /// A date as the query carries it: ISO 8601 in UTC, to the second.
    static func render(_ date: Date) -> String { date.formatted(.iso8601) }
}

// MARK: - Parsing (the daemon's side)

/// Why a request names no route, or names one with parameters the route refuses.
public struct StationRouteError: Error, Sendable, Equatable {
    /// What is wrong.
    public enum Reason: Sendable, Equatable {
        /// No route has this method and path.
        case noSuchRoute
        /// The route exists but the order or voucher its path names cannot exist (not a positive number).
        case noSuchResource
        /// A query parameter is malformed or out of range.
        case invalidQuery
    }

    /// What is wrong.
    public var reason: Reason
    /// Stable code.
    public var code: FailureCode
    /// A sentence for people.
    public var message: String

    /// Creates an error.
    public init(_ reason: Reason, code: FailureCode, message: String) {
        self.reason = reason
        self.code = code
        self.message = message
    }
}

extension StationRoute {
    /// The largest `limit` a list accepts.
    public static let maximumLimit = 100_000

    /// The route a request names: `path` as sent (it is split on `/` and each segment percent-decoded), `query`
    /// already decoded. Query values are checked in the order the route lists them; the first bad one is reported.
    public static func parse(method: String, path: String, query: [String: String]) throws(StationRouteError) -> StationRoute {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map {
            String($0).removingPercentEncoding ?? String($0)
        }
        return try parse(method: method, segments: segments, path: path, query: query)
    }

    /// The route a request names, from its decoded path segments (`v1` first); `path` is only quoted in the error.
    public static func parse(method: String, segments: [String], path: String, query: [String: String])
        throws(StationRouteError) -> StationRoute {
        guard segments.first == "v1" else {
            throw StationRouteError(.noSuchRoute, code: .noSuchRoute, message: "Routes start with /v1.")
        }
        guard let kind = Kind(method: method, segments: segments) else {
            throw StationRouteError(.noSuchRoute, code: .noSuchRoute, message: "No route for \(method) \(path).")
        }
        let parameters = Array(segments.dropFirst(2))
        let reference = parameters.first ?? ""
        switch kind {
        case .health: return .health
        case .devices: return .devices
        case .attach: return .attach
        case .device: return .device(reference)
        case .card: return .card(reference)
        case .detach: return .detach(reference)
        case .provision: return .provision(reference)
        case .topUp: return .topUp(reference)
        case .unlock: return .unlock(reference)
        case .reloadConfiguration: return .reloadConfiguration
        case .orders: return .orders(state: query["state"], limit: try limit(query))
        case .cancelOrder:
            guard let id = Int64(reference), id > 0 else {
                throw StationRouteError(.noSuchResource, code: .orderNotFound, message: "No order \(reference).")
            }
            return .cancelOrder(id)
        case .events: return .events
        case .plans: return .plans
        case .vouchers:
            let limit = try limit(query)
            return .vouchers(state: query["state"], limit: limit, since: try date(query["since"]))
        case .importVouchers: return .importVouchers
        case .unknownVouchers: return .unknownVouchers
        case .settleVoucher:
            guard let id = Int64(reference), id > 0 else {
                throw StationRouteError(.noSuchResource, code: .voucherNotFound, message: "No voucher \(reference).")
            }
            return .settleVoucher(id)
        case .ledger:
            let limit = try limit(query)
            let since = try date(query["since"])
            let until = try date(query["until"])
            return .ledger(LedgerQuery(iccid: query["iccid"], imei: query["imei"], since: since, until: until, limit: limit))
        case .verifyLedger:
            guard let text = query["anchor"] else { return .verifyLedger(anchor: nil) }
            guard let anchor = LedgerAnchorInfo(text: text) else {
                throw StationRouteError(.invalidQuery, code: .invalidAnchor, message: "anchor must be SEQ:HASH with a 64-digit hex hash.")
            }
            return .verifyLedger(anchor: anchor)
        case .ledgerAnchor: return .ledgerAnchor
        case .exportLedger:
            let format = query["format"]
            guard format == nil || format == "csv" || format == "jsonl" else {
                throw StationRouteError(.invalidQuery, code: .invalidFormat, message: "format must be csv or jsonl.")
            }
            return .exportLedger(format: format)
        case .backupLedger: return .backupLedger
        case .report:
            let from = try date(query["from"])
            return .report(from: from, to: try date(query["to"]))
        case .history:
            return .history(reference, limit: try limit(query))
        }
    }

    /// `limit=`: a number from 1 to `maximumLimit`; nil when absent.
    static func limit(_ query: [String: String]) throws(StationRouteError) -> Int? {
        guard let text = query["limit"] else { return nil }
        guard let value = Int(text), (1...maximumLimit).contains(value) else {
            throw StationRouteError(.invalidQuery, code: .invalidLimit, message: "limit must be a number from 1 to 100000.")
        }
        return value
    }

    /// A date parameter: ISO 8601 date-times and plain `YYYY-MM-DD` (midnight UTC); nil when absent.
    static func date(_ text: String?) throws(StationRouteError) -> Date? {
        guard let text else { return nil }
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let dayFormatter = ISO8601DateFormatter()
        dayFormatter.formatOptions = [.withFullDate]
        if let date = dayFormatter.date(from: text) { return date }
        throw StationRouteError(.invalidQuery, code: .invalidDate, message: "since must be an ISO 8601 date such as 2026-11-22.")
    }
}
