import UnixHTTP

/// The real transport: HTTP/1.1 over the daemon's Unix socket, through the `UnixHTTP` client.
struct UnixSocketTransport: StationTransport {
    /// How long one exchange may take before the daemon counts as not answering.
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
                                                 body: request.body, headers: headers(for: request))
            return StationHTTPResponse(status: reply.status, body: reply.body)
        } catch {
            throw translate(error)
        }
    }

    func openStream(_ request: StationHTTPRequest) async throws(HotspotctlError) -> StationHTTPStream {
        do {
            let reply = try await client.stream(method: request.method, path: request.path, query: request.query,
                                                headers: headers(for: request))
            return StationHTTPStream(status: reply.status, lines: reply.lines)
        } catch let error as UnixHTTPError {
            throw translate(error)
        } catch {
            throw .connectionFailed(socketPath: socketPath, detail: String(describing: error))
        }
    }

    private func headers(for request: StationHTTPRequest) -> [(String, String)] {
        var headers = [("Accept", "application/json")]
        if request.body != nil { headers.append(("Content-Type", "application/json")) }
        return headers
    }

    private func translate(_ error: UnixHTTPError) -> HotspotctlError {
        switch error.code {
        case .daemonNotRunning:
            return .daemonUnreachable(socketPath: socketPath, reason: .notRunning)
        default:
            if error.errno == 13 {  // EACCES on connect(2): the socket's group/mode keeps us out.
                return .daemonUnreachable(socketPath: socketPath, reason: .permissionDenied)
            }
            return .connectionFailed(socketPath: socketPath, detail: error.context)
        }
    }
}
