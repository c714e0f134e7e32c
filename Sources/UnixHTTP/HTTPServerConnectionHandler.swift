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
/// writes the response (whole or chunked), and enforces the request and send timeouts and keep-alive.
///
/// One request is served at a time: while a response is in progress, reads from the socket are
/// held back and parts of pipelined requests already decoded are queued, then replayed.
///
/// A streamed body is pulled one chunk at a time, the next one only while the channel is writable
/// (its outbound buffer under the high watermark). Every write is tracked: while some are not yet
/// handed to the kernel, a send timer runs, restarted whenever one completes; when it fires the
/// client has taken nothing for `sendTimeout` and the connection is closed. Streams that declare
/// a heartbeat get it after each interval with nothing else sent.
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

    /// `Retry-After` of a 503 for too many connections: a second, as slots free up when requests end.
    static let retryAfterSeconds = "1"
    /// Size of the slices a whole body is written in, so that a slow reader's progress shows
    /// (a write completes only once all of it reached the kernel).
    static let writeSliceBytes = 64 * 1024

    private let limits: UnixHTTPServer.Limits
    private let handler: UnixHTTPServer.Handler
    private let peer: PeerCredentials?
    /// Admitted over the limits: one request, served only if `isServedOverLimits` says so.
    private let isOverLimit: Bool
    private let isServedOverLimits: @Sendable (String, String) -> Bool
    /// A route's own body limit for this caller (`AdmissionPolicy.bodyLimit`); nil keeps `limits.maxRequestBodyBytes`.
    private let routeBodyLimit: @Sendable (String, String, PeerCredentials?) -> Int?
    /// The body limit of the request being received, decided on its head.
    private var bodyLimit: Int
    private let activity: RequestByteActivity

    private var state: State = .idle
    private var queuedParts: [HTTPServerRequestPart] = []
    private var readPending = false
    private var isActive = false
    /// The request deadline (also the keep-alive idle deadline).
    private var timer: Scheduled<Void>?
    /// Response writes not yet handed to the kernel.
    private var outstandingWrites = 0
    /// Runs while writes are outstanding, restarted on each completion; closes the connection.
    private var sendTimer: Scheduled<Void>?
    /// The stream in progress waits on this for the channel to become writable again.
    private var writableWaiter: EventLoopPromise<Void>?
    /// Sends the current stream's heartbeat after each interval with nothing else sent.
    private var heartbeatTask: RepeatedTask?
    /// Something was written since the last heartbeat tick.
    private var wroteSinceHeartbeat = false
    private var responseTask: Task<Void, Never>?
    /// The current response is a stream (its head has been written).
    private var isStreaming = false
    /// The server is shutting down: finish the request in progress, then close.
    private var isQuiescing = false

    init(
        limits: UnixHTTPServer.Limits,
        handler: @escaping UnixHTTPServer.Handler,
        peer: PeerCredentials?,
        isOverLimit: Bool,
        isServedOverLimits: @escaping @Sendable (String, String) -> Bool,
        bodyLimit: @escaping @Sendable (String, String, PeerCredentials?) -> Int? = { _, _, _ in nil },
        activity: RequestByteActivity
    ) {
        self.limits = limits
        self.handler = handler
        self.peer = peer
        self.isOverLimit = isOverLimit
        self.isServedOverLimits = isServedOverLimits
        self.routeBodyLimit = bodyLimit
        self.bodyLimit = limits.maxRequestBodyBytes
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
        sendTimer?.cancel()
        sendTimer = nil
        stopHeartbeat()
        writableWaiter?.fail(ChannelError.ioOnClosedChannel)
        writableWaiter = nil
        // Cancelling the task ends a streamed body's iteration, which runs its onTermination.
        responseTask?.cancel()
        responseTask = nil
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            writableWaiter?.succeed()
            writableWaiter = nil
        }
        context.fireChannelWritabilityChanged()
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
            if isOverLimit {
                let path = PercentCoding.splitTarget(head.uri).path
                guard isServedOverLimits(head.method.rawValue, path) else {
                    respondAndClose(
                        status: 503, reason: "too many connections", headers: [("Retry-After", Self.retryAfterSeconds)],
                        context: context
                    )
                    return
                }
            }
            let headerBytes = head.headers.reduce(head.uri.utf8.count) { total, field in
                total + field.name.utf8.count + field.value.utf8.count + 4
            }
            guard headerBytes <= limits.maxHeaderBytes else {
                respondAndClose(status: 431, reason: "request header fields too large", context: context)
                return
            }
            bodyLimit = isOverLimit ? limits.maxRequestBodyBytes
                : (routeBodyLimit(head.method.rawValue, PercentCoding.splitTarget(head.uri).path, peer) ?? limits.maxRequestBodyBytes)
            var expected = 0
            if let declared = head.headers.first(name: "content-length") {
                guard let length = Int(declared), length >= 0 else {
                    respondAndClose(status: 400, reason: "invalid content-length", context: context)
                    return
                }
                guard length <= bodyLimit else {
                    respondAndClose(status: 413, reason: "request body too large", context: context)
                    return
                }
                expected = length
            }
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                // curl sends this for larger bodies and waits a second for it otherwise.
                write(.head(HTTPResponseHead(version: .http1_1, status: .continue)), context: context)
                context.flush()
            }
            state = .receiving(head, context.channel.allocator.buffer(capacity: min(expected, limits.maxRequestBodyBytes)))

        case (.body(let chunk), .receiving(let head, var body)):
            guard body.readableBytes + chunk.readableBytes <= bodyLimit else {
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
            // An over-limit connection gets its one answer, then makes room.
            let keepAlive = head.isKeepAlive && !isOverLimit
            state = .responding(keepAlive: keepAlive)
            let request = HTTPRequest(
                method: head.method.rawValue,
                target: head.uri,
                headers: head.headers.map { ($0.name, $0.value) },
                body: Array(body.readableBytesView),
                peer: peer
            )
            dispatch(request, keepAlive: keepAlive, context: context)

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
                    // Completes once the channel can take more; fails when the connection is gone
                    // (channelInactive also cancels this task, which ends the iteration and runs
                    // the stream's onTermination).
                    let writable = eventLoop.flatSubmit {
                        bound.value.handler.writeChunk(chunk, context: bound.value.context)
                    }
                    do {
                        try await writable.get()
                    } catch {
                        break
                    }
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
        write(.head(responseHead(response, keepAlive: keepAlive, contentLength: bytes.count)), context: context)
        writeBody(bytes, context: context)
        finishResponse(keepAlive: keepAlive, context: context)
    }

    private func writeStreamHead(_ response: HTTPResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        guard isActive else { return }
        isStreaming = true
        if isQuiescing {
            responseTask?.cancel()
        }
        let keepAlive = keepAlive && !isQuiescing
        write(.head(responseHead(response, keepAlive: keepAlive, contentLength: nil)), context: context)
        context.flush()
        if let heartbeat = response.heartbeat, !heartbeat.isEmpty {
            startHeartbeat(heartbeat, context: context)
        }
    }

    /// Writes one chunk; the future completes when the channel can take the next one.
    private func writeChunk(_ chunk: [UInt8], context: ChannelHandlerContext) -> EventLoopFuture<Void> {
        guard isActive else {
            return context.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
        }
        wroteSinceHeartbeat = true
        writeBody(chunk, context: context)
        context.flush()
        // The flush may have failed and closed the channel on the spot.
        guard isActive else {
            return context.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
        }
        if context.channel.isWritable {
            return context.eventLoop.makeSucceededVoidFuture()
        }
        let waiter = writableWaiter ?? context.eventLoop.makePromise(of: Void.self)
        writableWaiter = waiter
        return waiter.futureResult
    }

    /// Ends the response; then closes, or goes back to reading the next request.
    private func finishResponse(keepAlive: Bool, context: ChannelHandlerContext) {
        responseTask = nil
        isStreaming = false
        stopHeartbeat()
        guard isActive else { return }
        guard keepAlive && !isQuiescing else {
            state = .closing
            let channel = context.channel
            write(.end(nil), context: context).whenComplete { _ in
                channel.close(promise: nil)
            }
            context.flush()
            return
        }
        // Idle before the flush: the write may complete within it. The next request's deadline
        // runs from when this response has left.
        state = .idle
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        write(.end(nil), context: context).whenSuccess {
            let handler = bound.value.handler
            if handler.isActive, handler.timer == nil, handler.isReadyForParts {
                handler.startTimer(context: bound.value.context)
            }
        }
        context.flush()
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
    private func respondAndClose(
        status: Int, reason: String, headers: [(String, String)] = [], context: ChannelHandlerContext
    ) {
        state = .closing
        timer?.cancel()
        timer = nil
        queuedParts.removeAll()
        var response = HTTPResponse.text(status: status, reason + "\n")
        response.headers += headers
        guard case .bytes(let bytes) = response.body else { return }
        write(.head(responseHead(response, keepAlive: false, contentLength: bytes.count)), context: context)
        writeBody(bytes, context: context)
        let channel = context.channel
        write(.end(nil), context: context).whenComplete { _ in
            channel.close(promise: nil)
        }
        context.flush()
    }

    // MARK: Writes

    /// Queues one part (flush separately); the send timer runs while any write is outstanding.
    @discardableResult
    private func write(_ part: HTTPServerResponsePart, context: ChannelHandlerContext) -> EventLoopFuture<Void> {
        let promise = context.eventLoop.makePromise(of: Void.self)
        if outstandingWrites == 0 {
            startSendTimer(context: context)
        }
        outstandingWrites += 1
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        promise.futureResult.whenComplete { _ in
            bound.value.handler.writeCompleted(context: bound.value.context)
        }
        context.write(wrapOutboundOut(part), promise: promise)
        return promise.futureResult
    }

    /// Queues body bytes in slices of `writeSliceBytes`.
    private func writeBody(_ bytes: [UInt8], context: ChannelHandlerContext) {
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = min(start + Self.writeSliceBytes, bytes.endIndex)
            write(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes[start..<end]))), context: context)
            start = end
        }
    }

    /// A write reached the kernel (or failed): the client made progress, so the send timer restarts.
    private func writeCompleted(context: ChannelHandlerContext) {
        outstandingWrites -= 1
        if outstandingWrites > 0, isActive {
            startSendTimer(context: context)
        } else {
            sendTimer?.cancel()
            sendTimer = nil
        }
    }

    // MARK: Timeouts

    private func startTimer(context: ChannelHandlerContext) {
        timer?.cancel()
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let deadline = isOverLimit ? min(limits.requestTimeout, limits.overLimitTimeout) : limits.requestTimeout
        timer = context.eventLoop.scheduleTask(in: TimeAmount(deadline)) {
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

    /// The client took none of what is queued for it for `sendTimeout`: drop it, which frees the
    /// queue and cancels its stream.
    private func startSendTimer(context: ChannelHandlerContext) {
        sendTimer?.cancel()
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        sendTimer = context.eventLoop.scheduleTask(in: TimeAmount(limits.sendTimeout)) {
            bound.value.handler.sendTimer = nil
            bound.value.context.close(promise: nil)
        }
    }

    private func startHeartbeat(_ bytes: [UInt8], context: ChannelHandlerContext) {
        stopHeartbeat()
        wroteSinceHeartbeat = false
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let interval = TimeAmount(limits.heartbeatInterval)
        heartbeatTask = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.handler.heartbeatTick(bytes, context: bound.value.context)
        }
    }

    private func stopHeartbeat() {
        heartbeatTask?.cancel()
        heartbeatTask = nil
    }

    /// Sends the heartbeat if nothing was sent since the last tick and the client keeps up (one
    /// that does not is the send timer's business).
    private func heartbeatTick(_ bytes: [UInt8], context: ChannelHandlerContext) {
        defer { wroteSinceHeartbeat = false }
        guard isActive, isStreaming, !wroteSinceHeartbeat, context.channel.isWritable else { return }
        write(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes))), context: context)
        context.flush()
    }
}
