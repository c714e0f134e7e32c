/// The body of a response: all bytes at once, or a stream of chunks sent with chunked transfer
/// encoding as they are produced.
///
/// A stream is for live progress (NDJSON for `hotspotctl watch`) and for large bodies made as they
/// are sent (a ledger export). When the client disconnects, or leaves the response unread for
/// `Limits.sendTimeout`, the server cancels the task that iterates the stream, so the stream's
/// `onTermination` (or `onCancel`) runs and the producer can stop.
public enum HTTPResponseBody: Sendable {
    /// The whole body, sent with `Content-Length`.
    case bytes([UInt8])
    /// Chunks sent as they arrive, with `Transfer-Encoding: chunked`; empty chunks are skipped.
    ///
    /// The server asks for the next chunk only when the connection can take it, so the memory a
    /// slow client costs is whatever the stream buffers on its own: make large bodies pull-based
    /// (`AsyncStream(unfolding:)`, each chunk made when asked for) and give live streams a bounded
    /// buffering policy. The default `.unbounded` policy keeps everything its producer yields.
    case stream(AsyncStream<[UInt8]>)
}

/// A response the handler returns: status, extra headers, and a body.
///
/// The server adds `Content-Length` or `Transfer-Encoding`, and `Connection: close` when it is
/// going to close; do not set those yourself.
public struct HTTPResponse: Sendable {
    /// The status code, e.g. 200, 404.
    public var status: Int
    /// Extra header fields, e.g. `("Content-Type", "application/json")`.
    public var headers: [(String, String)]
    /// The body.
    public var body: HTTPResponseBody
    /// For a streamed body: bytes sent as a chunk of their own whenever nothing else was sent for
    /// `Limits.heartbeatInterval` (e.g. `"\n"`, an empty NDJSON line); nil for none. They must be
    /// something the client skips, and the stream's chunks must end at the boundaries where the
    /// heartbeat may fall. Ignored for whole bodies.
    public var heartbeat: [UInt8]?

    /// Creates a response from its parts.
    public init(status: Int, headers: [(String, String)] = [], body: HTTPResponseBody = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
        self.heartbeat = nil
    }

    /// A JSON response: `Content-Type: application/json` and the given already-encoded bytes.
    public static func json(status: Int = 200, _ data: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: .bytes(data))
    }

    /// A streamed NDJSON response: each chunk should be one or more complete `\n`-terminated lines.
    ///
    /// Its heartbeat is an empty line (`ndjsonHeartbeat`), which NDJSON readers such as
    /// `hotspotctl watch` skip.
    public static func ndjsonStream(status: Int = 200, _ stream: AsyncStream<[UInt8]>) -> HTTPResponse {
        var response = HTTPResponse(status: status, headers: [("Content-Type", "application/x-ndjson")], body: .stream(stream))
        response.heartbeat = ndjsonHeartbeat
        return response
    }

    /// The heartbeat of an NDJSON stream: one empty line.
    public static let ndjsonHeartbeat: [UInt8] = [UInt8(ascii: "\n")]

    /// A plain-text response, UTF-8 encoded; used by the server itself for 4xx/5xx it generates.
    public static func text(status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [("Content-Type", "text/plain; charset=utf-8")],
            body: .bytes(Array(text.utf8))
        )
    }
}
