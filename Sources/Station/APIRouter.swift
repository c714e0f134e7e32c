import Foundation
import Ledger
import StationAPI
import UnixHTTP

/// Maps HTTP requests on the control socket to station operations, and their results to JSON.
///
/// Routes are the cases of `StationRoute`, parsed here and answered in one exhaustive `switch`. This is the only
/// place that knows HTTP statuses: operations throw `StationError`, whose kind becomes the status here, with an
/// `APIErrorBody` holding its stable code. The caller's uid from `SO_PEERCRED` is passed to every operation that
/// changes money or devices, so the ledger says who asked.
public struct APIRouter: Sendable {
    private let station: Station
    private let refusals = RefusalRecorder()

    /// Creates a router for a station.
    public init(station: Station) {
        self.station = station
    }

    /// Answers one request.
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let kind = StationRoute.Kind(method: request.method, segments: request.pathSegments)
        let role = callerRole(request)
        if let refusal = await authorise(request, kind: kind, role: role) { return refusal }
        if let refusal = await admitMoneyOperation(request, kind: kind) { return refusal }
        let response: HTTPResponse
        do {
            response = try await route(request, role: role)
        } catch {
            response = Self.error(error)
        }
        // A voucher file refused whole imported nothing: it does not count against the caller's rate.
        if kind == .importVouchers, !(200..<300).contains(response.status) {
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
    private func authorise(_ request: HTTPRequest, kind: StationRoute.Kind?, role: CallerRole) async -> HTTPResponse? {
        guard request.pathSegments.first == "v1" else { return nil }
        let scope = RevealScope(query: request.query["reveal"]) ?? .none
        let needed = AccessPolicy.required(kind: kind, reveal: scope.showsRecords, revealIdentifiers: scope.identifiers)
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
        return Self.error(StationError(.forbidden, code: .forbidden, message: station.access.refusal(needed: needed)))
    }

    /// Money operations: attach (a device attached is provisioned by policy), provision, top-up, voucher import,
    /// voucher settlement (each can change who holds what money), and backups (seconds of I/O each, and disk space).
    /// `route` is the path's segments after `/v1`.
    static func isMoneyOperation(method: String, route: [String]) -> Bool {
        StationRoute.Kind(method: method, segments: ["v1"] + route)?.isMoneyOperation ?? false
    }

    /// Refuses a money operation over the caller's rate (429, `rate-limited`, Retry-After) before anything runs.
    private func admitMoneyOperation(_ request: HTTPRequest, kind: StationRoute.Kind?) async -> HTTPResponse? {
        guard kind?.isMoneyOperation == true else { return nil }
        let uid = request.peer.map { Int($0.uid) }
        guard case .refused(let seconds) = await station.rateLimiter.admit(uid: uid) else { return nil }
        return Self.error(StationError(
            .rateLimited(retryAfterSeconds: seconds), code: .rateLimited,
            message: "Too many money operations from uid \(uid.map(String.init) ?? "unknown"); try again in \(seconds) s."))
    }

    private func route(_ request: HTTPRequest, role: CallerRole) async throws(StationError) -> HTTPResponse {
        guard request.pathSegments.first == "v1" else {
            throw StationError(.notFound, code: .noSuchRoute, message: "Routes start with /v1.")
        }
        guard let scope = RevealScope(query: request.query["reveal"]) else {
            throw StationError(.malformedRequest, code: .invalidReveal, message: "reveal must be 1, key, ids or key,ids.")
        }
        let route: StationRoute
        do {
            route = try StationRoute.parse(method: request.method, segments: request.pathSegments, path: request.path,
                                           query: request.query)
        } catch {
            throw Self.stationError(error)
        }
        let reveal = scope.showsRecords
        let actor = request.peer.map { Int($0.uid) }
        switch route {
        case .health:
            let ready = await station.isReady
            let health = HealthInfo(status: ready ? "ready" : "starting", version: Station.version, devices: await station.deviceCount)
            return try Self.json(health, status: ready ? 200 : 503)
        case .devices:
            return try Self.json(await station.devices(reveal: scope.showsKey, identifiers: scope.showsIdentifiers(role: role)))
        case .attach:
            let body = try Self.decode(AttachRequest.self, request.body)
            if body.path.hasPrefix("http://") || body.interface != nil {
                return try Self.json(try await station.attach(url: body.path, interface: body.interface, actor: actor), status: 201)
            }
            return try Self.json(try await station.attach(path: body.path, actor: actor), status: 201)
        case .device(let reference):
            if let row = await station.simReaderStatus(reference, reveal: scope.showsKey, identifiers: scope.showsIdentifiers(role: role)) {
                return try Self.json(row)
            }
            return try Self.json(try await station.device(reference, reveal: scope.showsKey,
                                                          identifiers: scope.showsIdentifiers(role: role)))
        case .card(let reference):
            return try Self.json(try await station.card(reference))
        case .detach(let reference):
            return try Self.json(try await station.detach(reference, actor: actor))
        case .provision(let reference):
            let body = request.body.isEmpty ? ProvisionRequest() : try Self.decode(ProvisionRequest.self, request.body)
            if let preordered = try await station.preorder(reference, request: body, actor: actor) {
                return try Self.json(preordered, status: 201)
            }
            return try Self.json(try await station.provision(reference, request: body, actor: actor), status: 202)
        case .topUp(let reference):
            let body = try Self.decode(TopUpRequest.self, request.body)
            return try Self.json(try await station.topUp(reference, request: body, actor: actor), status: 202)
        case .unlock(let reference):
            let body = try Self.decode(UnlockRequest.self, request.body)
            if let result = try await station.unlock(reference, pin: body.pin, actor: actor) {
                return try Self.json(result)
            }
            return try Self.json(try await station.unlockDevice(reference, pin: body.pin, remember: body.remember ?? false,
                                                                actor: actor))
        case .reloadConfiguration:
            return try Self.json(try await station.reload())
        case .orders(let state, let limit):
            return try Self.json(try await station.orders(state: state, limit: limit ?? Self.listLimit, reveal: reveal))
        case .cancelOrder(let id):
            return try Self.json(try await station.cancelOrder(id: id, actor: actor))
        case .events:
            return Self.eventStream(await station.events.subscribe())
        case .plans:
            return try Self.json(try await station.plans())
        case .vouchers(let state, let limit, let since?):
            return try Self.json(try await station.vouchers(changedSince: since, state: state, limit: limit ?? Self.listLimit,
                                                            reveal: reveal))
        case .vouchers(let state, let limit, nil):
            return try Self.json(try await station.vouchers(state: state, limit: limit ?? Self.listLimit, reveal: reveal))
        case .importVouchers:
            let body = try Self.decode(VoucherImportRequest.self, request.body)
            return try Self.json(try await station.importVouchers(body, actor: actor), status: 201)
        case .unknownVouchers:
            return try Self.json(try await station.unknownVouchers(reveal: reveal))
        case .settleVoucher(let id):
            let body = try Self.decode(VoucherSettleRequest.self, request.body)
            return try Self.json(try await station.settleVoucher(id: id, request: body, actor: actor))
        case .verifyLedger(let anchor):
            return try Self.json(try await station.verifyLedger(anchor: anchor))
        case .ledgerAnchor:
            return try Self.json(try await station.ledgerAnchor())
        case .exportLedger(let name):
            let format: LedgerExportFormat = name == "csv" ? .csv : .jsonl
            let type = format == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson"
            return HTTPResponse(status: 200, headers: [("Content-Type", type)], body: .stream(station.ledgerExportStream(format: format)))
        case .backupLedger:
            let body = try Self.decode(LedgerBackupRequest.self, request.body)
            return try Self.json(try await station.backupLedger(to: body.path), status: 201)
        case .ledger(let filter):
            // The newest `limit` events (oldest first); identifiers match by their last digits.
            return try Self.json(try await station.recentLedgerEvents(iccid: filter.iccid, imei: filter.imei, since: filter.since,
                                                                      until: filter.until, limit: filter.limit ?? Self.listLimit,
                                                                      reveal: reveal))
        case .report(let from, let to):
            let now = Date()
            return try Self.json(try await station.dayReport(from: from ?? now.addingTimeInterval(-86_400), to: to ?? now,
                                                             reveal: reveal && role == .supervisor))
        case .history(let reference, let limit):
            return try Self.json(try await station.history(reference, limit: limit ?? 100, reveal: reveal && role == .supervisor))
        }
    }

    /// How many rows a list returns when the request gives no `limit`.
    static let listLimit = 1000

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
            throw StationError(.internalFailure, code: .encodingFailed, message: "The reply could not be encoded.")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws(StationError) -> T {
        do {
            return try StationJSON.decoder().decode(type, from: Data(body))
        } catch {
            throw StationError(.malformedRequest, code: .invalidRequest, message: "The request body is not the expected JSON.")
        }
    }

    /// A route that cannot be parsed, as the station reports it.
    static func stationError(_ error: StationRouteError) -> StationError {
        switch error.reason {
        case .noSuchRoute, .noSuchResource: return StationError(.notFound, code: error.code, message: error.message)
        case .invalidQuery: return StationError(.malformedRequest, code: error.code, message: error.message)
        }
    }

    /// The HTTP status of each kind of failure: the one place a station failure meets HTTP.
    static func status(of kind: StationError.Kind) -> Int {
        switch kind {
        case .malformedRequest: return 400
        case .forbidden: return 403
        case .notFound: return 404
        case .conflict: return 409
        case .gone: return 410
        case .unprocessable: return 422
        case .rateLimited: return 429
        case .internalFailure: return 500
        case .deviceFailed: return 502
        case .unavailable: return 503
        case .timedOut: return 504
        case .storageFull: return 507
        }
    }

    static func error(_ error: StationError) -> HTTPResponse {
        let body = APIErrorBody(error: FailureInfo(code: error.code, message: error.message, details: error.details))
        let data = (try? StationJSON.encoder().encode(body)).map(Array.init) ?? Array("{}".utf8)
        var response = HTTPResponse.json(status: status(of: error.kind), data)
        if case .rateLimited(let seconds) = error.kind {
            response.headers.append(("Retry-After", String(seconds)))
        }
        return response
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
