import NIOCore
import NIOHTTP1

/// Whether any byte of the next request has arrived; shared by the two handlers of one
/// connection and only touched on that connection's event loop.
final class RequestByteActivity {
    /// True once a byte arrived since the last `reset()`.
    var sawBytes = false
}

/// Sits before the HTTP decoder and notes that bytes arrived, so that a timeout can tell an idle
/// keep-alive connection (closed silently) from a slow client (answered 408).
final class RequestByteWatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let activity: RequestByteActivity

    init(activity: RequestByteActivity) {
        self.activity = activity
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        activity.sawBytes = true
        context.fireChannelRead(data)
    }
}

/// Serves one connection: assembles requests within the limits, runs the handler in a task,
/// writes the response (whole or chunked), and enforces the request timeout and keep-alive.
///
/// One request is served at a time: while a response is in progress, reads from the socket are
/// held back and parts of pipelined requests already decoded are queued, then replayed.
final class HTTPServerConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Waiting for the head of the next request.
        case idle
        /// Head received, body arriving.
        case receiving(HTTPRequestHead, ByteBuffer)
        /// The handler runs or its response is being written.
        case responding(keepAlive: Bool)
        /// A final error response is being written; everything inbound is dropped.
        case closing
    }

    private let limits: UnixHTTPServer.Limits
    private let handler: UnixHTTPServer.Handler
    private let peer: PeerCredentials?
    private let admitted: Bool
    private let activity: RequestByteActivity

    private var state: State = .idle
    private var queuedParts: [HTTPServerRequestPart] = []
    private var readPending = false
    private var isActive = false
    private var timer: Scheduled<Void>?
    private var responseTask: Task<Void, Never>?
    /// The current response is a stream (its head has been written).
    private var isStreaming = false
    /// The server is shutting down: finish the request in progress, then close.
    private var isQuiescing = false

    init(
        limits: UnixHTTPServer.Limits,
        handler: @escaping UnixHTTPServer.Handler,
        peer: PeerCredentials?,
        admitted: Bool,
        activity: RequestByteActivity
    ) {
        self.limits = limits
        self.handler = handler
        self.peer = peer
        self.admitted = admitted
        self.activity = activity
    }

    // MARK: Channel events

    func channelActive(context: ChannelHandlerContext) {
        isActive = true
        startTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        timer?.cancel()
        timer = nil
        // Cancelling the task ends a streamed body's iteration, which runs its onTermination.
        responseTask?.cancel()
        responseTask = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch state {
        case .responding:
            queuedParts.append(part)
        case .closing:
            break
        case .idle, .receiving:
            process(part, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch state {
        case .idle, .receiving:
            if error is HTTPParserError {
                respondAndClose(status: 400, reason: "malformed request", context: context)
            } else {
                context.close(promise: nil)
            }
        case .responding, .closing:
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        isQuiescing = true
        queuedParts.removeAll()
        switch state {
        case .idle:
            context.close(promise: nil)
        case .receiving, .closing:
            // A request being received is still answered (with Connection: close).
            break
        case .responding:
            // A stream never ends by itself; ending it now sends a clean final chunk.
            if isStreaming {
                responseTask?.cancel()
            }
        }
    }

    func read(context: ChannelHandlerContext) {
        if case .responding = state {
            readPending = true
        } else {
            context.read()
        }
    }

    // MARK: Requests

    private func process(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (part, state) {
        case (.head(let head), .idle):
            guard admitted else {
                respondAndClose(status: 503, reason: "too many connections", context: context)
                return
            }
            let headerBytes = head.headers.reduce(head.uri.utf8.count) { total, field in
                total + field.name.utf8.count + field.value.utf8.count + 4
            }
            guard headerBytes <= limits.maxHeaderBytes else {
                respondAndClose(status: 431, reason: "request header fields too large", context: context)
                return
            }
            var expected = 0
            if let declared = head.headers.first(name: "content-length") {
                guard let length = Int(declared), length >= 0 else {
                    respondAndClose(status: 400, reason: "invalid content-length", context: context)
                    return
                }
                guard length <= limits.maxRequestBodyBytes else {
                    respondAndClose(status: 413, reason: "request body too large", context: context)
                    return
                }
                expected = length
            }
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                // curl sends this for larger bodies and waits a second for it otherwise.
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
            }
            state = .receiving(head, context.channel.allocator.buffer(capacity: expected))

        case (.body(let chunk), .receiving(let head, var body)):
            guard body.readableBytes + chunk.readableBytes <= limits.maxRequestBodyBytes else {
                respondAndClose(status: 413, reason: "request body too large", context: context)
                return
            }
            // Drop the enum's reference first so that the append does not copy the buffer.
            state = .idle
            body.writeImmutableBuffer(chunk)
            state = .receiving(head, body)

        case (.end, .receiving(let head, let body)):
            timer?.cancel()
            timer = nil
            activity.sawBytes = false
            state = .responding(keepAlive: head.isKeepAlive)
            let request = HTTPRequest(
                method: head.method.rawValue,
                target: head.uri,
                headers: head.headers.map { ($0.name, $0.value) },
                body: Array(body.readableBytesView),
                peer: peer
            )
            dispatch(request, keepAlive: head.isKeepAlive, context: context)

        default:
            // The decoder never produces parts out of order; treat it as a broken peer.
            respondAndClose(status: 400, reason: "unexpected request part", context: context)
        }
    }

    /// Runs the user's handler off the event loop and writes its response back on it.
    private func dispatch(_ request: HTTPRequest, keepAlive: Bool, context: ChannelHandlerContext) {
        let eventLoop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: eventLoop)
        let handler = self.handler
        let task = Task {
            let response = await handler(request)
            switch response.body {
            case .bytes(let bytes):
                eventLoop.execute {
                    bound.value.handler.writeWhole(response, bytes: bytes, keepAlive: keepAlive, context: bound.value.context)
                }
            case .stream(let stream):
                eventLoop.execute {
                    bound.value.handler.writeStreamHead(response, keepAlive: keepAlive, context: bound.value.context)
                }
                for await chunk in stream where !chunk.isEmpty {
                    // A failed write means the connection is gone; channelInactive cancels this
                    // task, which ends the iteration and runs the stream's onTermination.
                    let written = eventLoop.flatSubmit {
                        bound.value.handler.writeChunk(chunk, context: bound.value.context)
                    }
                    try? await written.get()
                }
                eventLoop.execute {
                    bound.value.handler.finishResponse(keepAlive: keepAlive, context: bound.value.context)
                }
            }
        }
        if isActive {
            responseTask = task
        } else {
            task.cancel()
        }
    }

    // MARK: Responses

    private func responseHead(_ response: HTTPResponse, keepAlive: Bool, contentLength: Int?) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        for (name, value) in response.headers {
            switch name.lowercased() {
            case "content-length", "transfer-encoding", "connection":
                // The server owns framing and connection management.
                continue
            default:
                headers.add(name: name, value: value)
            }
        }
        if let contentLength {
            headers.add(name: "Content-Length", value: String(contentLength))
        } else {
            headers.add(name: "Transfer-Encoding", value: "chunked")
        }
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        }
        return HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
    }

    private func writeWhole(_ response: HTTPResponse, bytes: [UInt8], keepAlive: Bool, context: ChannelHandlerContext) {
        guard isActive else { return }
        let keepAlive = keepAlive && !isQuiescing
        context.write(wrapOutboundOut(.head(responseHead(response, keepAlive: keepAlive, contentLength: bytes.count))), promise: nil)
        if !bytes.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        }
        finishResponse(keepAlive: keepAlive, context: context)
    }

    private func writeStreamHead(_ response: HTTPResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        guard isActive else { return }
        isStreaming = true
        if isQuiescing {
            responseTask?.cancel()
        }
        let keepAlive = keepAlive && !isQuiescing
        context.writeAndFlush(wrapOutboundOut(.head(responseHead(response, keepAlive: keepAlive, contentLength: nil))), promise: nil)
    }

    private func writeChunk(_ chunk: [UInt8], context: ChannelHandlerContext) -> EventLoopFuture<Void> {
        guard isActive else {
            return context.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
        }
        let buffer = context.channel.allocator.buffer(bytes: chunk)
        return context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))))
    }

    /// Ends the response; then closes, or goes back to reading the next request.
    private func finishResponse(keepAlive: Bool, context: ChannelHandlerContext) {
        responseTask = nil
        isStreaming = false
        guard isActive else { return }
        guard keepAlive && !isQuiescing else {
            state = .closing
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                channel.close(promise: nil)
            }
            return
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        state = .idle
        startTimer(context: context)
        while !queuedParts.isEmpty, isReadyForParts {
            process(queuedParts.removeFirst(), context: context)
        }
        if readPending, isReadyForParts {
            readPending = false
            context.read()
        }
    }

    /// True while a request may be read: not responding, not closing.
    private var isReadyForParts: Bool {
        switch state {
        case .idle, .receiving: return true
        case .responding, .closing: return false
        }
    }

    /// Sends a short plain-text error with `Connection: close`, then closes the connection.
    private func respondAndClose(status: Int, reason: String, context: ChannelHandlerContext) {
        state = .closing
        timer?.cancel()
        timer = nil
        queuedParts.removeAll()
        let response = HTTPResponse.text(status: status, reason + "\n")
        guard case .bytes(let bytes) = response.body else { return }
        context.write(wrapOutboundOut(.head(responseHead(response, keepAlive: false, contentLength: bytes.count))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    // MARK: Timeout

    private func startTimer(context: ChannelHandlerContext) {
        timer?.cancel()
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: TimeAmount(limits.requestTimeout)) {
            bound.value.handler.timerFired(context: bound.value.context)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        timer = nil
        switch state {
        case .idle where !activity.sawBytes:
            // An idle keep-alive connection: nothing to answer, just let it go.
            context.close(promise: nil)
        case .idle, .receiving:
            respondAndClose(status: 408, reason: "request not received in time", context: context)
        case .responding, .closing:
            break
        }
    }
}
