import UnixHTTP

/// The real transport: HTTP/1.1 over the daemon's Unix socket, through the `UnixHTTP` client.
struct UnixSocketTransport: StationTransport {
    /// How long one exchange (or a stream's response head) may take before the daemon counts as not answering.
    static let timeout = Duration.seconds(30)

    let socketPath: String
    private let client: UnixHTTPClient

    /// Creates a transport to the socket at `socketPath`; nothing connects until the first request.
    init(socketPath: String) {
        self.socketPath = socketPath
        self.client = UnixHTTPClient(socketPath: socketPath, timeout: Self.timeout)
    }

    func send(_ request: StationHTTPRequest) async throws(HotspotctlError) -> StationHTTPResponse {
        do {
            let reply = try await client.request(method: request.method, path: request.path, query: request.query,
                                                 headers: headers(for: request), body: request.body)
            return StationHTTPResponse(status: reply.status, body: reply.body)
        } catch {
            throw Self.translate(error, socketPath: socketPath)
        }
    }

    func openStream(_ request: StationHTTPRequest) async throws(HotspotctlError) -> StationHTTPStream {
        do {
            let reply = try await client.stream(method: request.method, path: request.path, query: request.query,
                                                headers: headers(for: request), body: request.body)
            return StationHTTPStream(status: reply.status, lines: reply.lines)
        } catch {
            throw Self.translate(error, socketPath: socketPath)
        }
    }

    private func headers(for request: StationHTTPRequest) -> [(String, String)] {
        var headers = [("Accept", "application/json")]
        if request.body != nil { headers.append(("Content-Type", "application/json")) }
        return headers
    }

    /// The CLI's error for a transport failure: unreachable (exit 3) before connecting, connection failed after.
    static func translate(_ error: UnixHTTPError, socketPath: String) -> HotspotctlError {
        switch error.code {
        case .daemonNotRunning:
            .daemonUnreachable(socketPath: socketPath, reason: .notRunning)
        case .permissionDenied:
            .daemonUnreachable(socketPath: socketPath, reason: .permissionDenied)
        case .timedOut:
            .connectionFailed(socketPath: socketPath, detail: "no answer within \(timeout.components.seconds) s")
        default:
            .connectionFailed(socketPath: socketPath, detail: error.message)
        }
    }
}
