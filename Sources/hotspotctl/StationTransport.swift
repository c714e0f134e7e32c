/// One HTTP request to the daemon, as the CLI builds it.
struct StationHTTPRequest: Sendable, Equatable {
    /// `GET`, `POST` or `DELETE`.
    var method: String
    /// The route, already percent-encoded (see `StationRoute`).
    var path: String
    /// Query parameters, unencoded.
    var query: [String: String] = [:]
    /// A JSON body for `POST`.
    var body: [UInt8]? = nil
}

/// A complete HTTP reply from the daemon.
struct StationHTTPResponse: Sendable, Equatable {
    /// The HTTP status code.
    var status: Int
    /// The body bytes.
    var body: [UInt8]
}

/// A streamed reply: the status, then the body split into lines (NDJSON for `/v1/events`).
struct StationHTTPStream: Sendable {
    /// The HTTP status code.
    var status: Int
    /// Body lines without their line ends; the stream ends when the daemon closes it.
    var lines: AsyncThrowingStream<[UInt8], any Error>
}

/// How the CLI reaches the daemon; the seam that lets tests run commands against a fake.
///
/// Implementations translate their own failures into `HotspotctlError` (unreachable, connection lost),
/// and return every HTTP status, 2xx or not, as a reply: `StationClient` decides what a status means.
protocol StationTransport: Sendable {
    /// The socket (or other address) named in error messages.
    var socketPath: String { get }
    /// Sends a request and waits for the whole reply.
    func send(_ request: StationHTTPRequest) async throws(HotspotctlError) -> StationHTTPResponse
    /// Sends a request whose reply body is a stream of lines.
    func openStream(_ request: StationHTTPRequest) async throws(HotspotctlError) -> StationHTTPStream
}
