import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves one simulated unit over HTTP/1.1 with SwiftNIO. Answers are written as raw bytes (the unit decides the
/// header spelling, `Name:value` included); one request per connection.
public final class HiLinkServer: Sendable {
    /// The unit served.
    public let unit: HiLinkUnit
    let channel: any Channel
    /// The port listened on (useful when 0 was asked).
    public let port: Int

    private init(unit: HiLinkUnit, channel: any Channel, port: Int) {
        self.unit = unit
        self.channel = channel
        self.port = port
    }

    /// Starts serving `unit` on `host:port` (port 0: any free port).
    public static func start(unit: HiLinkUnit, host: String = "127.0.0.1", port: Int = 0,
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> HiLinkServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try channel.pipeline.syncOperations.addHandler(UnitHandler(unit: unit))
                }
            }
            .bind(host: host, port: port)
            .get()
        return HiLinkServer(unit: unit, channel: channel, port: channel.localAddress?.port ?? port)
    }

    /// Stops listening.
    public func stop() async {
        try? await channel.close()
    }
}

private final class UnitHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    let unit: HiLinkUnit
    var head: HTTPRequestHead?
    var body: [UInt8] = []

    init(unit: HiLinkUnit) {
        self.unit = unit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
            body = []
        case .body(var buffer):
            if body.count < 1024 * 1024 { body += buffer.readBytes(length: buffer.readableBytes) ?? [] }
        case .end:
            guard let head else { return }
            let answer = unit.handle(method: head.method.rawValue, path: head.uri,
                                     headers: head.headers.map { ($0.name, $0.value) }, body: body)
            self.head = nil
            switch answer {
            case .bytes(let bytes):
                // Closing after the flush: the write completes on this event loop, where the context belongs.
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes))).whenComplete { _ in bound.value.close(promise: nil) }
            case .never:
                break
            case .dropConnection:
                context.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
