import FailureCodes
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
        try await get(.devices, as: [DeviceStatus].self)
    }

    /// `GET /v1/devices/{ref}`: by id, IMEI, ICCID (full or unique last digits) or port.
    func device(_ ref: String) async throws(HotspotctlError) -> DeviceStatus {
        try await get(.device(ref), as: DeviceStatus.self)
    }

    /// `POST /v1/devices/{ref}/topup`.
    func topUp(_ ref: String, _ request: TopUpRequest) async throws(HotspotctlError) -> DeviceStatus {
        try await post(.topUp(ref), body: request, as: DeviceStatus.self)
    }

    /// `POST /v1/devices/{ref}/provision`.
    func provision(_ ref: String, _ request: ProvisionRequest) async throws(HotspotctlError) -> DeviceStatus {
        try await post(.provision(ref), body: request, as: DeviceStatus.self)
    }

    /// `POST /v1/devices/{ref}/unlock`: one SIM PIN attempt on the SIM in a card reader.
    func unlock(_ ref: String, _ request: UnlockRequest) async throws(HotspotctlError) -> UnlockResult {
        try await post(.unlock(ref), body: request, as: UnlockResult.self)
    }

    /// `GET /v1/orders`, optionally only those in one state.
    func orders(state: String?) async throws(HotspotctlError) -> [OrderInfo] {
        try await get(.orders(state: state, limit: nil), as: [OrderInfo].self)
    }

    /// `POST /v1/orders/{id}/cancel`.
    func cancelOrder(_ id: Int64) async throws(HotspotctlError) -> OrderInfo {
        try await post(.cancelOrder(id), body: [String: String](), as: OrderInfo.self)
    }

    /// `POST /v1/devices`: attach a serial port by path.
    func attach(_ request: AttachRequest) async throws(HotspotctlError) -> DeviceStatus {
        try await post(.attach, body: request, as: DeviceStatus.self)
    }

    /// `DELETE /v1/devices/{ref}`: detach a device, releasing its port.
    func detach(_ ref: String) async throws(HotspotctlError) -> DeviceStatus {
        try await exchange(request(.detach(ref)), as: DeviceStatus.self)
    }

    /// `GET /v1/plans`.
    func plans() async throws(HotspotctlError) -> [PlanInfo] {
        try await get(.plans, as: [PlanInfo].self)
    }

    /// `GET /v1/vouchers`, optionally filtered by state.
    func vouchers(state: String?) async throws(HotspotctlError) -> [VoucherInfo] {
        try await get(.vouchers(state: state, limit: nil, since: nil), as: [VoucherInfo].self)
    }

    /// `POST /v1/vouchers/import`.
    func importVouchers(_ request: VoucherImportRequest) async throws(HotspotctlError) -> VoucherImportResult {
        try await post(.importVouchers, body: request, as: VoucherImportResult.self)
    }

    /// `GET /v1/ledger` with the filters given.
    func ledger(iccid: String?, imei: String?, since: Date?, limit: Int?) async throws(HotspotctlError) -> [LedgerEventInfo] {
        try await get(.ledger(.init(iccid: iccid, imei: imei, since: since, limit: limit)), as: [LedgerEventInfo].self)
    }

    /// `GET /v1/ledger/verify`, with the anchor when given.
    func verifyLedger(anchor: LedgerAnchorInfo?) async throws(HotspotctlError) -> LedgerVerifyInfo {
        try await get(.verifyLedger(anchor: anchor), as: LedgerVerifyInfo.self)
    }

    /// `GET /v1/ledger/anchor`.
    func ledgerAnchor() async throws(HotspotctlError) -> LedgerAnchorInfo {
        try await get(.ledgerAnchor, as: LedgerAnchorInfo.self)
    }

    /// `GET /v1/ledger/export?format=`: the export's lines (without line ends) as the daemon streams them. No `reveal`
    /// is sent: the export is a supervisor's whatever it asks.
    func exportLedger(format: String) async throws(HotspotctlError) -> AsyncThrowingStream<[UInt8], any Error> {
        try await openLines(request(.exportLedger(format: format), revealing: false))
    }

    /// `POST /v1/ledger/backup`.
    func backupLedger(to path: String) async throws(HotspotctlError) -> LedgerBackupInfo {
        try await post(.backupLedger, body: LedgerBackupRequest(path: path), as: LedgerBackupInfo.self)
    }

    /// `GET /v1/vouchers/unknown`.
    func unknownVouchers() async throws(HotspotctlError) -> [UnknownVoucherInfo] {
        try await get(.unknownVouchers, as: [UnknownVoucherInfo].self)
    }

    /// `POST /v1/vouchers/{id}/settle`.
    func settleVoucher(_ id: Int64, _ request: VoucherSettleRequest) async throws(HotspotctlError) -> VoucherInfo {
        try await post(.settleVoucher(id), body: request, as: VoucherInfo.self)
    }

    /// `GET /v1/events`: the live NDJSON stream, one raw JSON object per element.
    func events() async throws(HotspotctlError) -> AsyncThrowingStream<[UInt8], any Error> {
        try await openLines(request(.events))
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

    /// The HTTP request for a route: its method, path and query, with `reveal` when asked (and `revealing`), and a body.
    func request(_ route: StationRoute, body: [UInt8]? = nil, revealing: Bool = true) -> StationHTTPRequest {
        let query = revealing ? route.query.merging(baseQuery) { mine, _ in mine } : route.query
        return StationHTTPRequest(method: route.method, path: route.path, query: query, body: body)
    }

    func get<Reply: Decodable>(_ route: StationRoute, as type: Reply.Type) async throws(HotspotctlError) -> Reply {
        try await exchange(request(route), as: type)
    }

    /// `POST /v1/config/reload`: the daemon reads its configuration file again.
    func reloadConfiguration() async throws(HotspotctlError) -> ConfigReloadResult {
        try await post(.reloadConfiguration, body: EmptyBody(), as: ConfigReloadResult.self)
    }

    private func post<Body: Encodable, Reply: Decodable>(_ route: StationRoute, body: Body, as type: Reply.Type)
        async throws(HotspotctlError) -> Reply {
        let bytes: [UInt8]
        do {
            bytes = Array(try StationJSON.encoder().encode(body))
        } catch {
            throw .localInput("could not encode the request to \(route.path): \(error)")
        }
        return try await exchange(request(route, body: bytes), as: type)
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
        let code: FailureCode = status == 404 ? .notFound : FailureCode.Family.http.code(String(status))
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
