#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

/// A one-request-per-connection HTTP/1.1 client for a Unix domain socket, made for a CLI that
/// starts, asks the daemon one thing and exits.
///
/// Every call opens a connection, sends `Connection: close`, and closes when done. When nothing
/// listens on the socket, calls throw `.daemonNotRunning` carrying the path, so the CLI can print
/// one clear line. By default all clients share one lazily started event-loop thread that is never
/// shut down (like NIO's singletons), so there is no thread start-up per call and no shutdown warning.
public struct UnixHTTPClient: Sendable {
    /// The socket the daemon listens on.
    public let socketPath: String
    /// Deadline for a whole response (`request`), or for the response head (`stream`).
    public let timeout: Duration
    /// Largest response body `request` accepts, and longest line `stream` accepts.
    public let maxResponseBytes: Int

    private let eventLoopGroup: any EventLoopGroup

    /// One event-loop thread for all clients of the process; started on first use.
    private static let sharedEventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Creates a client; nothing connects until a request is made.
    ///
    /// - Parameters:
    ///   - socketPath: the daemon's socket, e.g. `/run/hotspotd/api.sock`.
    ///   - timeout: deadline for connect plus response (head only for streams).
    ///   - maxResponseBytes: refuse larger responses (default 16 MiB).
    ///   - eventLoopGroup: NIO loops to use; nil uses a shared single thread.
    public init(
        socketPath: String,
        timeout: Duration = .seconds(10),
        maxResponseBytes: Int = 16 * 1024 * 1024,
        eventLoopGroup: (any EventLoopGroup)? = nil
    ) {
        self.socketPath = socketPath
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.eventLoopGroup = eventLoopGroup ?? Self.sharedEventLoopGroup
    }

    /// Sends one request and returns the whole response.
    ///
    /// - Parameters:
    ///   - method: e.g. `"GET"`, `"POST"`.
    ///   - path: the path, already percent-encoded where needed, starting with `/`.
    ///   - query: parameters, percent-encoded by this call and sent sorted by name.
    ///   - headers: extra header fields; `Host`, `Content-Length` and `Connection` are set here.
    ///   - body: the request body, or nil for none.
    public func request(
        method: String,
        path: String,
        query: [String: String] = [:],
        headers: [(String, String)] = [],
        body: [UInt8]? = nil
    ) async throws(UnixHTTPError) -> (status: Int, headers: [(String, String)], body: [UInt8]) {
        let eventLoop = eventLoopGroup.next()
        let promise = eventLoop.makePromise(of: HTTPClientResponseHandler.Collected.self)
        let channel: any Channel
        do {
            channel = try await connect(on: eventLoop, mode: .collect(promise))
        } catch {
            promise.fail(error)
            throw error
        }
        let head = requestHead(method: method, path: path, query: query, headers: headers, body: body)
        send(head, body: body, on: channel)
        do {
            let collected = try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                channel.close(promise: nil)
            }
            return (
                Int(collected.head.status.code),
                collected.head.headers.map { ($0.name, $0.value) },
                collected.body
            )
        } catch {
            throw Self.mapError(error, path: socketPath)
        }
    }

    /// Sends one request and returns the status as soon as the head arrives, with the body as a
    /// stream of lines (split on `\n`, a trailing `\r` removed, the separator not included).
    ///
    /// Meant for chunked NDJSON such as live progress. The stream ends when the response ends and
    /// throws `UnixHTTPError` if the connection breaks first. Stop iterating (or cancel the task)
    /// to close the connection; the server then cancels its producer.
    public func stream(
        method: String,
        path: String,
        query: [String: String] = [:],
        headers: [(String, String)] = [],
        body: [UInt8]? = nil
    ) async throws(UnixHTTPError) -> (status: Int, lines: AsyncThrowingStream<[UInt8], any Error>) {
        let eventLoop = eventLoopGroup.next()
        let headPromise = eventLoop.makePromise(of: HTTPResponseHead.self)
        let (lines, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self, throwing: (any Error).self)
        let channel: any Channel
        do {
            channel = try await connect(on: eventLoop, mode: .lines(head: headPromise, continuation: continuation))
        } catch {
            headPromise.fail(error)
            continuation.finish(throwing: error)
            throw error
        }
        continuation.onTermination = { _ in
            channel.close(promise: nil)
        }
        let head = requestHead(method: method, path: path, query: query, headers: headers, body: body)
        send(head, body: body, on: channel)
        do {
            let responseHead = try await withTaskCancellationHandler {
                try await headPromise.futureResult.get()
            } onCancel: {
                channel.close(promise: nil)
            }
            return (Int(responseHead.status.code), lines)
        } catch {
            throw Self.mapError(error, path: socketPath)
        }
    }

    // MARK: Plumbing

    /// First pause before connecting again when the daemon's accept queue is full (`EAGAIN`); doubled each time.
    static let busyRetryFirstPause: Duration = .milliseconds(5)
    /// Longest pause between those attempts.
    static let busyRetryLongestPause: Duration = .milliseconds(200)

    /// Connects, then installs the response handler.
    ///
    /// A full accept queue (`EAGAIN`, e.g. while another client floods the socket with connections) is momentary:
    /// the connect is tried again, with growing pauses, until the deadline. The response handler is added only to
    /// the connection that succeeded, so no failed attempt can complete the caller's promise or stream.
    private func connect(
        on eventLoop: any EventLoop,
        mode: HTTPClientResponseHandler.Mode
    ) async throws(UnixHTTPError) -> any Channel {
        let path = socketPath
        let maxResponseBytes = self.maxResponseBytes
        // Our own length check gives a clear error instead of NIO's.
        _ = try UnixSocketFile.withSocketAddress(socketPath) { _, _ in 0 }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(timeout))
            .channelInitializer { channel in
                do {
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(HTTPRequestEncoder())
                    try operations.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        var pause = Self.busyRetryFirstPause
        let channel: any Channel
        while true {
            do {
                channel = try await bootstrap.connect(unixDomainSocketPath: socketPath).get()
                break
            } catch let error as IOError where error.errnoCode == EAGAIN && clock.now + pause < deadline && !Task.isCancelled {
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, Self.busyRetryLongestPause)
            } catch {
                throw Self.mapError(error, path: socketPath)
            }
        }
        let remaining = max(deadline - clock.now, .milliseconds(1))
        do {
            try await eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    HTTPClientResponseHandler(mode: mode, path: path, timeout: remaining, maxResponseBytes: maxResponseBytes)
                )
            }.get()
        } catch {
            channel.close(promise: nil)
            throw Self.mapError(error, path: socketPath)
        }
        return channel
    }

    private func requestHead(
        method: String,
        path: String,
        query: [String: String],
        headers: [(String, String)],
        body: [UInt8]?
    ) -> HTTPRequestHead {
        var fields = HTTPHeaders()
        fields.add(name: "Host", value: "localhost")
        for (name, value) in headers {
            switch name.lowercased() {
            case "host", "content-length", "transfer-encoding", "connection":
                continue
            default:
                fields.add(name: name, value: value)
            }
        }
        let upperMethod = method.uppercased()
        if let body {
            fields.add(name: "Content-Length", value: String(body.count))
        } else if upperMethod != "GET" && upperMethod != "HEAD" {
            fields.add(name: "Content-Length", value: "0")
        }
        fields.add(name: "Connection", value: "close")
        return HTTPRequestHead(
            version: .http1_1,
            method: HTTPMethod(rawValue: upperMethod),
            uri: PercentCoding.target(path: path, query: query),
            headers: fields
        )
    }

    private func send(_ head: HTTPRequestHead, body: [UInt8]?, on channel: any Channel) {
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body, !body.isEmpty {
            channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil)
        }
        // Failures surface through the response handler (closed connection or error).
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    /// Turns NIO and socket errors into our one error type; a refused or missing socket means the
    /// daemon is not running.
    static func mapError(_ error: any Error, path: String) -> UnixHTTPError {
        if let error = error as? UnixHTTPError {
            return error
        }
        if let ioError = error as? IOError {
            let code = ioError.errnoCode
            switch code {
            case ENOENT, ECONNREFUSED, ENOTDIR:
                return UnixHTTPError(code: .daemonNotRunning, path: path, errno: code, message: "the daemon is not running")
            case EACCES, EPERM:
                return UnixHTTPError(
                    code: .permissionDenied, path: path, errno: code,
                    message: "not allowed to talk to the daemon (is the user in its group?)"
                )
            case EAGAIN:
                return UnixHTTPError(code: .io, path: path, errno: code, message: "the daemon is too busy to accept connections")
            default:
                return UnixHTTPError(code: .io, path: path, errno: code, message: "cannot talk to the daemon")
            }
        }
        if let channelError = error as? ChannelError {
            switch channelError {
            case .connectTimeout:
                return UnixHTTPError(code: .timedOut, path: path, message: "the daemon did not accept the connection in time")
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed:
                return UnixHTTPError(code: .connectionClosed, path: path, message: "the connection to the daemon was closed")
            default:
                break
            }
        }
        if error is CancellationError {
            return UnixHTTPError(code: .connectionClosed, path: path, message: "the request was cancelled")
        }
        return UnixHTTPError(code: .io, path: path, message: "cannot talk to the daemon: \(error)")
    }
}
