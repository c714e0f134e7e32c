/// The body of a response: all bytes at once, or a stream of chunks sent with chunked transfer
/// encoding as they are produced.
///
/// A stream is for live progress (NDJSON for `hotspotctl watch`). When the client disconnects the
/// server cancels the task that iterates the stream, so the stream's `onTermination` runs and the
/// producer can stop.
public enum HTTPResponseBody: Sendable {
    /// The whole body, sent with `Content-Length`.
    case bytes([UInt8])
    /// Chunks sent as they arrive, with `Transfer-Encoding: chunked`; empty chunks are skipped.
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

    /// Creates a response from its parts.
    public init(status: Int, headers: [(String, String)] = [], body: HTTPResponseBody = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response: `Content-Type: application/json` and the given already-encoded bytes.
    public static func json(status: Int = 200, _ data: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: .bytes(data))
    }

    /// A streamed NDJSON response: each chunk should be one or more complete `\n`-terminated lines.
    public static func ndjsonStream(status: Int = 200, _ stream: AsyncStream<[UInt8]>) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/x-ndjson")], body: .stream(stream))
    }

    /// A plain-text response, UTF-8 encoded; used by the server itself for 4xx/5xx it generates.
    public static func text(status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [("Content-Type", "text/plain; charset=utf-8")],
            body: .bytes(Array(text.utf8))
        )
    }
}
