#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

/// Where a HiLink unit's web API is: host and port, and the network interface to reach it through.
public struct HiLinkEndpoint: Sendable, Equatable {
    /// Host name or address (`192.168.8.1` on a real unit).
    public var host: String
    /// TCP port (80 on a real unit).
    public var port: Int
    /// The interface every connection is bound to with `SO_BINDTODEVICE` (several units can all be at
    /// 192.168.8.1, one behind each interface); nil leaves routing to the kernel.
    public var interface: String?

    /// Creates an endpoint.
    public init(host: String, port: Int = 80, interface: String? = nil) {
        self.host = host
        self.port = port
        self.interface = interface
    }

    /// Reads `http://HOST[:PORT][/]` (HiLink is plain HTTP: any other scheme, a user part, a path or a bad port is
    /// refused with nil). An interface name must be 1 to 15 characters without `/` or blanks, as the kernel wants.
    public init?(url: String, interface: String? = nil) {
        guard url.hasPrefix("http://") else { return nil }
        var rest = Substring(url.dropFirst("http://".count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("@"), !rest.contains("?") else { return nil }
        var host = rest
        var port = 80
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            port = number
            host = rest[..<colon]
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" }) else { return nil }
        if let interface {
            guard (1...15).contains(interface.utf8.count),
                  interface.allSatisfy({ $0 != "/" && $0 != " " && $0 != ":" && $0.isASCII && !$0.isWhitespace }) else { return nil }
        }
        self.init(host: String(host), port: port, interface: interface)
    }

    /// How the station lists the unit: `http://HOST:PORT`, with ` via IF` when bound to an interface.
    public var label: String {
        "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" + (interface.map { " via \($0)" } ?? "")
    }
}

/// One HTTP answer: status, headers in order (names as sent), body.
public struct HiLinkHTTPResponse: Sendable {
    /// Status code.
    public var status: Int
    /// Header fields, in order.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]
}

/// Why an HTTP exchange with a unit failed.
enum HiLinkTransportError: Error, Sendable {
    case connect(String)
    case bind(String)
    case interfaceGone(String)
    case timedOut
    case bodyTooLarge
    case closedEarly
    case malformed(String)
    case cancelled
}

/// Plain HTTP/1.1 over SwiftNIO, one connection per request (`Connection: close`), each bound to the endpoint's
/// interface when one is given, with a deadline and a body size cap. No redirects are followed.
struct HiLinkTransport: Sendable {
    let endpoint: HiLinkEndpoint
    let maxBodyBytes: Int
    let group: any EventLoopGroup

    init(endpoint: HiLinkEndpoint, maxBodyBytes: Int = 512 * 1024, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.endpoint = endpoint
        self.maxBodyBytes = maxBodyBytes
        self.group = group
    }

    /// Sends one request and waits for the whole answer, or fails by `timeout`.
    func send(method: HTTPMethod, path: String, headers: [(String, String)], body: String?, timeout: Duration) async throws(HiLinkTransportError) -> HiLinkHTTPResponse {
        let loop = group.next()
        let promise = loop.makePromise(of: HiLinkHTTPResponse.self)
        let maxBody = maxBodyBytes
        let interface = endpoint.interface
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(timeout))
            .channelInitializer { channel in
                let bound: EventLoopFuture<Void>
                if let interface {
                    guard let provider = channel as? any SocketOptionProvider else {
                        return channel.eventLoop.makeFailedFuture(HiLinkTransportError.bind("the channel cannot take socket options"))
                    }
                    bound = provider.unsafeSetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_BINDTODEVICE),
                                                           value: InterfaceName(interface).bytes)
                        .flatMapErrorThrowing { error in
                            // ENODEV: no such interface (the stick was unplugged); anything else (EPERM) is a set-up fault.
                            if let error = error as? IOError, error.errnoCode == ENODEV { throw HiLinkTransportError.interfaceGone(interface) }
                            throw HiLinkTransportError.bind("\(interface): \(error)")
                        }
                } else {
                    bound = channel.eventLoop.makeSucceededVoidFuture()
                }
                return bound.flatMapThrowing {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise, maxBody: maxBody))
                }
            }
        let deadline = loop.scheduleTask(in: TimeAmount(timeout)) { promise.fail(HiLinkTransportError.timedOut) }
        let channelFuture = bootstrap.connect(host: endpoint.host, port: endpoint.port)
        channelFuture.whenFailure { error in
            if let error = error as? HiLinkTransportError {
                promise.fail(error)
            } else if let error = error as? NIOConnectionError,
                      let own = error.connectionErrors.lazy.compactMap({ $0.error as? HiLinkTransportError }).first {
                promise.fail(own)
            } else {
                promise.fail(HiLinkTransportError.connect("\(error)"))
            }
        }
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: endpoint.host)
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "X-Requested-With", value: "XMLHttpRequest")
        head.headers.add(name: "Accept", value: "*/*")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        if let body {
            head.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=UTF-8")
            head.headers.add(name: "Content-Length", value: String(body.utf8.count))
        }
        let requestHead = head
        channelFuture.whenSuccess { channel in
            channel.write(HTTPClientRequestPart.head(requestHead), promise: nil)
            if let body {
                channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(string: body))), promise: nil)
            }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        }
        promise.futureResult.whenComplete { _ in
            deadline.cancel()
            channelFuture.whenSuccess { $0.close(promise: nil) }
        }
        do {
            return try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                promise.fail(HiLinkTransportError.cancelled)
            }
        } catch let error as HiLinkTransportError {
            throw error
        } catch {
            throw .connect("\(error)")
        }
    }
}

/// A 16-byte, NUL-padded interface name, as `SO_BINDTODEVICE` takes it (a longer name is cut, as the kernel would
/// refuse it anyway).
struct InterfaceName {
    typealias Bytes = (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)
    let bytes: Bytes

    init(_ name: String) {
        var raw = [UInt8](repeating: 0, count: 16)
        for (index, byte) in name.utf8.prefix(15).enumerated() { raw[index] = byte }
        bytes = (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7],
                 raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15])
    }
}

/// Gathers one response, failing it when the body outgrows the cap or the connection ends first.
private final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    let promise: EventLoopPromise<HiLinkHTTPResponse>
    let maxBody: Int
    var head: HTTPResponseHead?
    var body: [UInt8] = []

    init(promise: EventLoopPromise<HiLinkHTTPResponse>, maxBody: Int) {
        self.promise = promise
        self.maxBody = maxBody
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
            if let length = received.headers.first(name: "Content-Length").flatMap(Int.init), length > maxBody {
                promise.fail(HiLinkTransportError.bodyTooLarge)
                context.close(promise: nil)
            }
        case .body(var buffer):
            guard body.count + buffer.readableBytes <= maxBody else {
                promise.fail(HiLinkTransportError.bodyTooLarge)
                context.close(promise: nil)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            if let head {
                promise.succeed(HiLinkHTTPResponse(status: Int(head.status.code),
                                                   headers: head.headers.map { ($0.name, $0.value) }, body: body))
            } else {
                promise.fail(HiLinkTransportError.closedEarly)
            }
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(HiLinkTransportError.closedEarly)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            promise.fail(HiLinkTransportError.malformed("\(error)"))
        } else {
            promise.fail(HiLinkTransportError.connect("\(error)"))
        }
        context.close(promise: nil)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
