import Foundation
import Ledger
import StationAPI
import UnixHTTP

/// Maps HTTP requests on the control socket to station operations, and their results to JSON.
///
/// Routes are listed in `StationRoute`. Errors become `APIErrorBody` with a stable code; the caller's uid from
/// `SO_PEERCRED` is passed to every operation that changes money or devices, so the ledger says who asked.
public struct APIRouter: Sendable {
    private let station: Station
    private let refusals = RefusalRecorder()

    /// Creates a router for a station.
    public init(station: Station) {
        self.station = station
    }

    /// Answers one request.
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let role = callerRole(request)
        if let refusal = await authorise(request, role: role) { return refusal }
        if let refusal = await admitMoneyOperation(request) { return refusal }
        let response: HTTPResponse
        do {
            response = try await route(request, role: role)
        } catch {
            response = Self.error(error)
        }
        // A voucher file refused whole imported nothing: it does not count against the caller's rate.
        if Self.isVoucherImport(method: request.method, segments: request.pathSegments),
           !(200..<300).contains(response.status) {
            await station.rateLimiter.refund(uid: request.peer.map { Int($0.uid) })
        }
        return response
    }

    /// The caller's role from their peer credentials and their groups on this system.
    private func callerRole(_ request: HTTPRequest) -> CallerRole {
        guard let peer = request.peer else { return station.access.role(uid: nil, groups: []) }
        if peer.uid == 0 || peer.uid == station.access.daemonUID { return .supervisor }
        return station.access.role(uid: peer.uid, groups: SystemGroups.groups(uid: peer.uid, primary: peer.gid))
    }

    /// Refuses (403, `forbidden`, the group needed) a request beyond the caller's role, and records the refusal.
    private func authorise(_ request: HTTPRequest, role: CallerRole) async -> HTTPResponse? {
        let segments = request.pathSegments
        guard segments.first == "v1" else { return nil }
        let scope = RevealScope(query: request.query["reveal"]) ?? .none
        let needed = AccessPolicy.required(method: request.method, route: Array(segments.dropFirst()),
                                           reveal: scope.showsRecords, revealIdentifiers: scope.identifiers)
        guard role < needed else { return nil }
        let uid = request.peer.map { Int($0.uid) }
        if let suppressed = await refusals.shouldRecord(uid: uid) {
            let ledger = station.ledgerForRecording
            let method = request.method
            let path = request.path
            _ = try? await ledger.writing { ledger in
                try ledger.recordAccessRefusal(uid: uid, method: method, path: path, needed: needed.description, suppressed: suppressed)
            }
        }
        return Self.error(StationError(status: 403, code: "forbidden", message: station.access.refusal(needed: needed)))
    }

    /// Money operations: attach (a device attached is provisioned by policy), provision, top-up, voucher import,
    /// voucher settlement (each can change who holds what money).
    static func isMoneyOperation(method: String, route: [String]) -> Bool {
        guard method == "POST" else { return false }
        switch (route.count, route.first) {
        case (1, "devices"): return true
        case (3, "devices"): return route[2] == "provision" || route[2] == "topup"
        case (2, "vouchers"): return route[1] == "import"
        case (2, "ledger"): return route[1] == "backup"   // seconds of I/O each, and disk space
        case (3, "vouchers"): return route[2] == "settle"
        default: return false
        }
    }

    /// Whether a request is `POST /v1/vouchers/import`.
    static func isVoucherImport(method: String, segments: [String]) -> Bool {
        method == "POST" && segments == ["v1", "vouchers", "import"]
    }

    /// Refuses a money operation over the caller's rate (429, `rate-limited`, Retry-After) before anything runs.
    private func admitMoneyOperation(_ request: HTTPRequest) async -> HTTPResponse? {
        let segments = request.pathSegments
        guard segments.first == "v1", Self.isMoneyOperation(method: request.method, route: Array(segments.dropFirst())) else {
            return nil
        }
        let uid = request.peer.map { Int($0.uid) }
        guard case .refused(let seconds) = await station.rateLimiter.admit(uid: uid) else { return nil }
        var response = Self.error(StationError(
            status: 429, code: "rate-limited",
            message: "Too many money operations from uid \(uid.map(String.init) ?? "unknown"); try again in \(seconds) s."))
        response.headers.append(("Retry-After", String(seconds)))
        return response
    }

    private func route(_ request: HTTPRequest, role: CallerRole) async throws(StationError) -> HTTPResponse {
        let segments = request.pathSegments
        guard segments.first == "v1" else {
            throw StationError(status: 404, code: "no-such-route", message: "Routes start with /v1.")
        }
        let route = Array(segments.dropFirst())
        guard let scope = RevealScope(query: request.query["reveal"]) else {
            throw StationError(status: 400, code: "invalid-reveal", message: "reveal must be 1, key, ids or key,ids.")
        }
        let reveal = scope.showsRecords
        let actor = request.peer.map { Int($0.uid) }
        switch (request.method, route.count, route.first) {
        case ("GET", 1, "health"):
            let ready = await station.isReady
            return try Self.json(HealthInfo(status: ready ? "ready" : "starting", version: Station.version,
                                            devices: await station.deviceCount), status: ready ? 200 : 503)
        case ("GET", 1, "devices"):
            return try Self.json(await station.devices(reveal: scope.showsKey, identifiers: scope.showsIdentifiers(role: role)))
        case ("POST", 1, "devices"):
            let body = try Self.decode(AttachRequest.self, request.body)
            if body.path.hasPrefix("http://") || body.interface != nil {
                return try Self.json(try await station.attach(url: body.path, interface: body.interface, actor: actor), status: 201)
            }
            return try Self.json(try await station.attach(path: body.path, actor: actor), status: 201)
        case ("GET", 2, "devices"):
            if let row = await station.simReaderStatus(route[1], reveal: scope.showsKey, identifiers: scope.showsIdentifiers(role: role)) {
                return try Self.json(row)
            }
            return try Self.json(try await station.device(route[1], reveal: scope.showsKey,
                                                          identifiers: scope.showsIdentifiers(role: role)))
        case ("GET", 3, "devices") where route[2] == "card":
            return try Self.json(try await station.card(route[1]))
        case ("DELETE", 2, "devices"):
            return try Self.json(try await station.detach(route[1], actor: actor))
        case ("POST", 3, "devices") where route[2] == "provision":
            let body = request.body.isEmpty ? ProvisionRequest() : try Self.decode(ProvisionRequest.self, request.body)
            if let preordered = try await station.preorder(route[1], request: body, actor: actor) {
                return try Self.json(preordered, status: 201)
            }
            return try Self.json(try await station.provision(route[1], request: body, actor: actor), status: 202)
        case ("POST", 3, "devices") where route[2] == "topup":
            let body = try Self.decode(TopUpRequest.self, request.body)
            return try Self.json(try await station.topUp(route[1], request: body, actor: actor), status: 202)
        case ("POST", 3, "devices") where route[2] == "unlock":
            let body = try Self.decode(UnlockRequest.self, request.body)
            if let result = try await station.unlock(route[1], pin: body.pin, actor: actor) {
                return try Self.json(result)
            }
            return try Self.json(try await station.unlockDevice(route[1], pin: body.pin, remember: body.remember ?? false,
                                                                actor: actor))
        case ("POST", 2, "config") where route[1] == "reload":
            return try Self.json(try await station.reload())
        case ("GET", 1, "orders"):
            let limit = try Self.limit(request.query["limit"], default: 1000)
            return try Self.json(try await station.orders(state: request.query["state"], limit: limit, reveal: reveal))
        case ("POST", 3, "orders") where route[2] == "cancel":
            guard let id = Int64(route[1]), id > 0 else {
                throw StationError(status: 404, code: "order-not-found", message: "No order \(route[1]).")
            }
            return try Self.json(try await station.cancelOrder(id: id, actor: actor))
        case ("GET", 1, "events"):
            return Self.eventStream(await station.events.subscribe())
        case ("GET", 1, "plans"):
            return try Self.json(try await station.plans())
        case ("GET", 1, "vouchers") where request.query["since"] != nil:
            let limit = try Self.limit(request.query["limit"], default: 1000)
            let since = try Self.date(request.query["since"] ?? "")
            return try Self.json(try await station.vouchers(changedSince: since, state: request.query["state"], limit: limit,
                                                            reveal: reveal))
        case ("GET", 1, "vouchers"):
            let limit = try Self.limit(request.query["limit"], default: 1000)
            return try Self.json(try await station.vouchers(state: request.query["state"], limit: limit, reveal: reveal))
        case ("POST", 2, "vouchers") where route[1] == "import":
            let body = try Self.decode(VoucherImportRequest.self, request.body)
            return try Self.json(try await station.importVouchers(body, actor: actor), status: 201)
        case ("GET", 2, "vouchers") where route[1] == "unknown":
            return try Self.json(try await station.unknownVouchers(reveal: reveal))
        case ("POST", 3, "vouchers") where route[2] == "settle":
            guard let id = Int64(route[1]), id > 0 else {
                throw StationError(status: 404, code: "voucher-not-found", message: "No voucher \(route[1]).")
            }
            let body = try Self.decode(VoucherSettleRequest.self, request.body)
            return try Self.json(try await station.settleVoucher(id: id, request: body, actor: actor))
        case ("GET", 2, "ledger") where route[1] == "verify":
            var anchor: LedgerAnchorInfo?
            if let text = request.query["anchor"] {
                guard let parsed = LedgerAnchorInfo(text: text) else {
                    throw StationError(status: 400, code: "invalid-anchor", message: "anchor must be SEQ:HASH with a 64-digit hex hash.")
                }
                anchor = parsed
            }
            return try Self.json(try await station.verifyLedger(anchor: anchor))
        case ("GET", 2, "ledger") where route[1] == "anchor":
            return try Self.json(try await station.ledgerAnchor())
        case ("GET", 2, "ledger") where route[1] == "export":
            guard let format = LedgerExportFormat(rawValue: request.query["format"] ?? "jsonl") else {
                throw StationError(status: 400, code: "invalid-format", message: "format must be csv or jsonl.")
            }
            let type = format == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson"
            return HTTPResponse(status: 200, headers: [("Content-Type", type)], body: .stream(station.ledgerExportStream(format: format)))
        case ("POST", 2, "ledger") where route[1] == "backup":
            let body = try Self.decode(LedgerBackupRequest.self, request.body)
            return try Self.json(try await station.backupLedger(to: body.path), status: 201)
        case ("GET", 1, "ledger"):
            // The newest `limit` events (oldest first); identifiers match by their last digits.
            let limit = try Self.limit(request.query["limit"], default: 1000)
            let since = try request.query["since"].map { (text) throws(StationError) -> Date in try Self.date(text) }
            let until = try request.query["until"].map { (text) throws(StationError) -> Date in try Self.date(text) }
            return try Self.json(try await station.recentLedgerEvents(iccid: request.query["iccid"], imei: request.query["imei"],
                                                                      since: since, until: until, limit: limit, reveal: reveal))
        case ("GET", 1, "report"):
            let now = Date()
            let from = try request.query["from"].map { (text) throws(StationError) -> Date in try Self.date(text) }
                ?? now.addingTimeInterval(-86_400)
            let to = try request.query["to"].map { (text) throws(StationError) -> Date in try Self.date(text) } ?? now
            return try Self.json(try await station.dayReport(from: from, to: to, reveal: reveal && role == .supervisor))
        case ("GET", 2, "history"):
            let limit = try Self.limit(request.query["limit"], default: 100)
            return try Self.json(try await station.history(route[1], limit: limit, reveal: reveal && role == .supervisor))
        default:
            throw StationError(status: 404, code: "no-such-route", message: "No route for \(request.method) \(request.path).")
        }
    }

    /// Encoded events a watcher's stream holds while its client is slow to read; the oldest go first, as in `EventHub`.
    static let eventLinesBuffered = 256

    private static func eventStream(_ events: AsyncStream<StationEvent>) -> HTTPResponse {
        let encoder = StationJSON.encoder()
        let lines = AsyncStream<[UInt8]>(bufferingPolicy: .bufferingNewest(eventLinesBuffered)) { continuation in
            let pump = Task {
                for await event in events {
                    guard let data = try? encoder.encode(event) else { continue }
                    continuation.yield(Array(data) + [0x0A])
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in pump.cancel() }
        }
        return .ndjsonStream(lines)
    }

    static func json<T: Encodable>(_ value: T, status: Int = 200) throws(StationError) -> HTTPResponse {
        do {
            return .json(status: status, Array(try StationJSON.encoder().encode(value)))
        } catch {
            throw StationError(status: 500, code: "encoding-failed", message: "The reply could not be encoded.")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws(StationError) -> T {
        do {
            return try StationJSON.decoder().decode(type, from: Data(body))
        } catch {
            throw StationError(status: 400, code: "invalid-request", message: "The request body is not the expected JSON.")
        }
    }

    static func limit(_ text: String?, default fallback: Int) throws(StationError) -> Int {
        guard let text else { return fallback }
        guard let value = Int(text), (1...100_000).contains(value) else {
            throw StationError(status: 400, code: "invalid-limit", message: "limit must be a number from 1 to 100000.")
        }
        return value
    }

    /// Accepts ISO 8601 date-times and plain `YYYY-MM-DD` (midnight UTC).
    static func date(_ text: String) throws(StationError) -> Date {
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let dayFormatter = ISO8601DateFormatter()
        dayFormatter.formatOptions = [.withFullDate]
        if let date = dayFormatter.date(from: text) { return date }
        throw StationError(status: 400, code: "invalid-date", message: "since must be an ISO 8601 date such as 2026-11-22.")
    }

    static func error(_ error: StationError) -> HTTPResponse {
        let body = APIErrorBody(error: FailureInfo(code: error.code, message: error.message))
        let data = (try? StationJSON.encoder().encode(body)).map(Array.init) ?? Array("{}".utf8)
        return .json(status: error.status, data)
    }
}

/// At most one recorded refusal a second per caller: a flood of refused requests must not fill the ledger's disk.
actor RefusalRecorder {
    private var last: [Int: (at: ContinuousClock.Instant, suppressed: Int)] = [:]

    /// Nil when this refusal is not to be recorded; else how many were suppressed since the last recorded one.
    func shouldRecord(uid: Int?) -> Int? {
        let key = uid ?? -1
        let now = ContinuousClock.now
        if let previous = last[key], now - previous.at < .seconds(1) {
            last[key] = (previous.at, previous.suppressed + 1)
            return nil
        }
        let suppressed = last[key]?.suppressed ?? 0
        if last.count > 4096 { last.removeAll() }
        last[key] = (now, 0)
        return suppressed
    }
}
