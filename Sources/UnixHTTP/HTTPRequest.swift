/// One complete HTTP/1.1 request as the server hands it to the handler: head, whole body and the
/// kernel-verified identity of the caller.
///
/// The body is already complete and within `UnixHTTPServer.Limits.maxRequestBodyBytes`; the
/// handler never sees a partial or oversized request.
public struct HTTPRequest: Sendable {
    /// The method as sent, e.g. `"GET"`, `"POST"` (upper case by HTTP convention, not forced).
    public var method: String
    /// The path part of the request target, still percent-encoded (e.g. `/devices/a%2Fb`).
    ///
    /// Kept raw so that an encoded `/` cannot be confused with a separator; route on
    /// `pathSegments` instead.
    public var path: String
    /// The path split on `/`, empty segments dropped, each segment percent-decoded.
    public var pathSegments: [String]
    /// Query parameters, percent-decoded (`+` is a space); when a name repeats, the last wins.
    public var query: [String: String]
    /// Header fields in the order received, names as sent (compare case-insensitively).
    public var headers: [(String, String)]
    /// The request body; empty when none was sent.
    public var body: [UInt8]
    /// Who connected, from `SO_PEERCRED`; nil only if the kernel refused to say.
    public var peer: PeerCredentials?

    /// Creates a request; the server builds these, tests of route handlers may build their own.
    public init(
        method: String,
        path: String,
        query: [String: String] = [:],
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        peer: PeerCredentials? = nil
    ) {
        self.method = method
        self.path = path
        self.pathSegments = path.split(separator: "/", omittingEmptySubsequences: true).map {
            PercentCoding.decode(Substring($0), plusIsSpace: false)
        }
        self.query = query
        self.headers = headers
        self.body = body
        self.peer = peer
    }

    /// Creates a request from a raw request target such as `/devices?state=ready&x=%20y`.
    public init(
        method: String,
        target: String,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        peer: PeerCredentials? = nil
    ) {
        let (path, query) = PercentCoding.splitTarget(target)
        self.init(method: method, path: path, query: query, headers: headers, body: body, peer: peer)
    }

    /// The value of the first header named `name`, compared case-insensitively; nil if absent.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.0.lowercased() == wanted }?.1
    }
}
