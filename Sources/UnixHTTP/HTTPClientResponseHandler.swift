#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOHTTP1

/// Receives one response on a client connection: either collects the whole body, or hands the
/// head over at once and then yields the body as newline-delimited lines.
///
/// Owns the response deadline (connect to complete response, or to the head when streaming) so
/// that each promise is completed exactly once, on the event loop.
final class HTTPClientResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    /// A collected response: head and whole body.
    struct Collected: Sendable {
        var head: HTTPResponseHead
        var body: [UInt8]
    }

    enum Mode: Sendable {
        /// Deliver head and whole body together.
        case collect(EventLoopPromise<Collected>)
        /// Deliver the head first, then the body as lines.
        case lines(head: EventLoopPromise<HTTPResponseHead>, continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation)
    }

    private let mode: Mode
    private let path: String
    private let timeout: Duration
    private let maxResponseBytes: Int

    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var pendingLine: [UInt8] = []
    private var finished = false
    private var timer: Scheduled<Void>?

    init(mode: Mode, path: String, timeout: Duration, maxResponseBytes: Int) {
        self.mode = mode
        self.path = path
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Added once the connection is up; the daemon may have closed it already (too many connections).
        guard context.channel.isActive else {
            fail(
                UnixHTTPError(code: .connectionClosed, path: path, message: "the daemon closed the connection before the response ended"),
                context: context
            )
            return
        }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let path = self.path
        timer = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            bound.value.handler.fail(
                UnixHTTPError(code: .timedOut, path: path, message: "the daemon did not answer in time"),
                context: bound.value.context
            )
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            head = responseHead
            if case .lines(let headPromise, _) = mode {
                // Streams have no overall deadline: only the head had to arrive in time.
                timer?.cancel()
                timer = nil
                headPromise.succeed(responseHead)
            }
        case .body(let chunk):
            switch mode {
            case .collect:
                guard body.count + chunk.readableBytes <= maxResponseBytes else {
                    fail(
                        UnixHTTPError(code: .responseTooLarge, path: path, message: "the response exceeded \(maxResponseBytes) bytes"),
                        context: context
                    )
                    return
                }
                body.append(contentsOf: chunk.readableBytesView)
            case .lines(_, let continuation):
                appendLines(chunk, continuation: continuation, context: context)
            }
        case .end:
            finished = true
            timer?.cancel()
            timer = nil
            switch mode {
            case .collect(let promise):
                if let head {
                    promise.succeed(Collected(head: head, body: body))
                }
            case .lines(_, let continuation):
                if !pendingLine.isEmpty {
                    continuation.yield(pendingLine)
                    pendingLine = []
                }
                continuation.finish()
            }
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(
            UnixHTTPError(code: .connectionClosed, path: path, message: "the daemon closed the connection before the response ended"),
            context: context
        )
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError, parserError == .invalidEOFState {
            fail(
                UnixHTTPError(code: .connectionClosed, path: path, message: "the daemon closed the connection before the response ended"),
                context: context
            )
        } else if error is HTTPParserError {
            fail(UnixHTTPError(code: .protocolError, path: path, message: "malformed response: \(error)"), context: context)
        } else {
            // Write errors (EPIPE after the server answered 413 and closed) are not final: the
            // response may still be readable. The connection closing decides.
            let code = (error as? IOError)?.errnoCode
            if code != EPIPE && code != ECONNRESET {
                fail(UnixHTTPError(code: .io, path: path, errno: code, message: "connection failed: \(error)"), context: context)
            }
        }
    }

    /// Completes whatever is still pending with `error` and closes the connection.
    func fail(_ error: UnixHTTPError, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        timer = nil
        switch mode {
        case .collect(let promise):
            promise.fail(error)
        case .lines(let headPromise, let continuation):
            if head == nil {
                headPromise.fail(error)
            }
            continuation.finish(throwing: error)
        }
        context.close(promise: nil)
    }

    private func appendLines(
        _ chunk: ByteBuffer,
        continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation,
        context: ChannelHandlerContext
    ) {
        for byte in chunk.readableBytesView {
            if byte == UInt8(ascii: "\n") {
                if pendingLine.last == UInt8(ascii: "\r") {
                    pendingLine.removeLast()
                }
                continuation.yield(pendingLine)
                pendingLine.removeAll(keepingCapacity: true)
            } else {
                pendingLine.append(byte)
                if pendingLine.count > maxResponseBytes {
                    fail(
                        UnixHTTPError(code: .responseTooLarge, path: path, message: "a streamed line exceeded \(maxResponseBytes) bytes"),
                        context: context
                    )
                    return
                }
            }
        }
    }
}
