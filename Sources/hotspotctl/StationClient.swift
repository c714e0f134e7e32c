import Foundation
import StationAPI

/// The daemon's API as typed calls: builds routes and queries, decodes replies, turns statuses into errors.
struct StationClient: Sendable {
    /// The connection to the daemon.
    var transport: any StationTransport
    /// Whether to ask for secrets (`reveal=` on every request).
    var reveal: Bool
    /// The `reveal` value sent: `1` (everything the role allows), `key`, `ids` or `key,ids`.
    var revealQuery = "1"

    /// `GET /v1/devices`.
    func devices() async throws(HotspotctlError) -> [DeviceStatus] {
        try await get(StationRoute.devices, as: [DeviceStatus].self)
    }

    /// `GET /v1/devices/{ref}`: by id, IMEI, ICCID (full or unique last digits) or port.
    func device(_ ref: String) async throws(HotspotctlError) -> DeviceStatus {
        try await get(StationRoute.device(ref), as: DeviceStatus.self)
    }

    /// `POST /v1/devices/{ref}/topup`.
    func topUp(_ ref: String, _ request: TopUpRequest) async throws(HotspotctlError) -> DeviceStatus {
        try await post(StationRoute.topUp(ref), body: request, as: DeviceStatus.self)
    }

    /// `POST /v1/devices/{ref}/provision`.
    func provision(_ ref: String, _ request: ProvisionRequest) async throws(HotspotctlError) -> DeviceStatus {
        try await post(StationRoute.provision(ref), body: request, as: DeviceStatus.self)
    }

    /// `POST /v1/devices/{ref}/unlock`: one SIM PIN attempt on the SIM in a card reader.
    func unlock(_ ref: String, _ request: UnlockRequest) async throws(HotspotctlError) -> UnlockResult {
        try await post(StationRoute.unlock(ref), body: request, as: UnlockResult.self)
    }

    /// `GET /v1/orders`, optionally only those in one state.
    func orders(state: String?) async throws(HotspotctlError) -> [OrderInfo] {
        var query: [String: String] = [:]
        if let state { query["state"] = state }
        return try await get(StationRoute.orders, query: query, as: [OrderInfo].self)
    }

    /// `POST /v1/orders/{id}/cancel`.
    func cancelOrder(_ id: Int64) async throws(HotspotctlError) -> OrderInfo {
        try await post(StationRoute.cancelOrder(id), body: [String: String](), as: OrderInfo.self)
    }

    /// `POST /v1/devices`: attach a serial port by path.
    func attach(_ request: AttachRequest) async throws(HotspotctlError) -> DeviceStatus {
        try await post(StationRoute.devices, body: request, as: DeviceStatus.self)
    }

    /// `DELETE /v1/devices/{ref}`: detach a device, releasing its port.
    func detach(_ ref: String) async throws(HotspotctlError) -> DeviceStatus {
        try await exchange(StationHTTPRequest(method: "DELETE", path: StationRoute.device(ref), query: baseQuery), as: DeviceStatus.self)
    }

    /// `GET /v1/plans`.
    func plans() async throws(HotspotctlError) -> [PlanInfo] {
        try await get(StationRoute.plans, as: [PlanInfo].self)
    }

    /// `GET /v1/vouchers`, optionally filtered by state.
    func vouchers(state: String?) async throws(HotspotctlError) -> [VoucherInfo] {
        var query: [String: String] = [:]
        if let state { query["state"] = state }
        return try await get(StationRoute.vouchers, query: query, as: [VoucherInfo].self)
    }

    /// `POST /v1/vouchers/import`.
    func importVouchers(_ request: VoucherImportRequest) async throws(HotspotctlError) -> VoucherImportResult {
        try await post(StationRoute.voucherImport, body: request, as: VoucherImportResult.self)
    }

    /// `GET /v1/ledger` with the filters given.
    func ledger(iccid: String?, imei: String?, since: Date?, limit: Int?) async throws(HotspotctlError) -> [LedgerEventInfo] {
        var query: [String: String] = [:]
        if let iccid { query["iccid"] = iccid }
        if let imei { query["imei"] = imei }
        if let since { query["since"] = since.formatted(.iso8601) }
        if let limit { query["limit"] = String(limit) }
        return try await get(StationRoute.ledger, query: query, as: [LedgerEventInfo].self)
    }

    /// `GET /v1/ledger/verify`, with the anchor when given.
    func verifyLedger(anchor: LedgerAnchorInfo?) async throws(HotspotctlError) -> LedgerVerifyInfo {
        var query: [String: String] = [:]
        if let anchor { query["anchor"] = anchor.text }
        return try await get(StationRoute.ledgerVerify, query: query, as: LedgerVerifyInfo.self)
    }

    /// `GET /v1/ledger/anchor`.
    func ledgerAnchor() async throws(HotspotctlError) -> LedgerAnchorInfo {
        try await get(StationRoute.ledgerAnchor, as: LedgerAnchorInfo.self)
    }

    /// `GET /v1/ledger/export?format=`: the export's lines (without line ends) as the daemon streams them.
    func exportLedger(format: String) async throws(HotspotctlError) -> AsyncThrowingStream<[UInt8], any Error> {
        try await openLines(StationHTTPRequest(method: "GET", path: StationRoute.ledgerExport, query: ["format": format]))
    }

    /// `POST /v1/ledger/backup`.
    func backupLedger(to path: String) async throws(HotspotctlError) -> LedgerBackupInfo {
        try await post(StationRoute.ledgerBackup, body: LedgerBackupRequest(path: path), as: LedgerBackupInfo.self)
    }

    /// `GET /v1/vouchers/unknown`.
    func unknownVouchers() async throws(HotspotctlError) -> [UnknownVoucherInfo] {
        try await get(StationRoute.vouchersUnknown, as: [UnknownVoucherInfo].self)
    }

    /// `POST /v1/vouchers/{id}/settle`.
    func settleVoucher(_ id: Int64, _ request: VoucherSettleRequest) async throws(HotspotctlError) -> VoucherInfo {
        try await post(StationRoute.voucherSettle(id), body: request, as: VoucherInfo.self)
    }

    /// `GET /v1/events`: the live NDJSON stream, one raw JSON object per element.
    func events() async throws(HotspotctlError) -> AsyncThrowingStream<[UInt8], any Error> {
        try await openLines(StationHTTPRequest(method: "GET", path: StationRoute.events, query: baseQuery))
    }

    /// Opens a streamed reply; a non-2xx status becomes the daemon's error.
    func openLines(_ request: StationHTTPRequest) async throws(HotspotctlError) -> AsyncThrowingStream<[UInt8], any Error> {
        let stream = try await transport.openStream(request)
        guard (200..<300).contains(stream.status) else {
            var body: [UInt8] = []
            do {
                for try await line in stream.lines { body += line + [0x0A] }
            } catch {
                // The error reply is all we want; a broken tail only shortens it.
            }
            throw Self.rejection(status: stream.status, body: body)
        }
        return stream.lines
    }

    // MARK: - Plumbing

    var baseQuery: [String: String] { reveal ? ["reveal": revealQuery] : [:] }

    func get<Reply: Decodable>(_ path: String, query: [String: String] = [:], as type: Reply.Type)
        async throws(HotspotctlError) -> Reply {
        let request = StationHTTPRequest(method: "GET", path: path, query: query.merging(baseQuery) { mine, _ in mine })
        return try await exchange(request, as: type)
    }

    /// `POST /v1/config/reload`: the daemon reads its configuration file again.
    func reloadConfiguration() async throws(HotspotctlError) -> ConfigReloadResult {
        try await post("/v1/config/reload", body: EmptyBody(), as: ConfigReloadResult.self)
    }

    private func post<Body: Encodable, Reply: Decodable>(_ path: String, body: Body, as type: Reply.Type)
        async throws(HotspotctlError) -> Reply {
        let bytes: [UInt8]
        do {
            bytes = Array(try StationJSON.encoder().encode(body))
        } catch {
            throw .localInput("could not encode the request to \(path): \(error)")
        }
        let request = StationHTTPRequest(method: "POST", path: path, query: baseQuery, body: bytes)
        return try await exchange(request, as: type)
    }

    private func exchange<Reply: Decodable>(_ request: StationHTTPRequest, as type: Reply.Type)
        async throws(HotspotctlError) -> Reply {
        let response = try await transport.send(request)
        guard (200..<300).contains(response.status) else {
            throw Self.rejection(status: response.status, body: response.body)
        }
        do {
            return try StationJSON.decoder().decode(Reply.self, from: Data(response.body))
        } catch {
            throw .invalidReply(route: "\(request.method) \(request.path)", detail: Self.describe(error))
        }
    }

    /// The error for a non-2xx reply: the daemon's `APIErrorBody` when it sent one, else a sentence about the status.
    static func rejection(status: Int, body: [UInt8]) -> HotspotctlError {
        if let decoded = try? StationJSON.decoder().decode(APIErrorBody.self, from: Data(body)) {
            return .daemonRejected(status: status, body: decoded)
        }
        let code = status == 404 ? "not-found" : "http-\(status)"
        let message = status == 404 ? "hotspotd found no such thing (HTTP 404)" : "hotspotd answered HTTP \(status)"
        return .daemonRejected(status: status, body: APIErrorBody(error: FailureInfo(code: code, message: message)))
    }

    /// A short description of a decoding failure: which field, not the whole `DecodingError` dump.
    static func describe(_ error: any Error) -> String {
        guard let decodingError = error as? DecodingError else { return String(describing: error) }
        func path(_ context: DecodingError.Context) -> String {
            let joined = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "the top level" : joined
        }
        switch decodingError {
        case .keyNotFound(let key, let context): return "missing \(key.stringValue) at \(path(context))"
        case .typeMismatch(_, let context): return "unexpected type at \(path(context))"
        case .valueNotFound(_, let context): return "missing value at \(path(context))"
        case .dataCorrupted(let context): return "invalid data at \(path(context)): \(context.debugDescription)"
        @unknown default: return String(describing: decodingError)
        }
    }
}
