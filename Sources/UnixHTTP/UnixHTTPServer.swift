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
import Synchronization

/// An HTTP/1.1 server on a Unix domain socket that hands each complete request, with the caller's
/// kernel-verified credentials, to one async handler.
///
/// Domain-free: routing is the handler's job. `start()` refuses to steal the socket of a live
/// server and removes only a stale one; the socket file gets `socketMode` (default 0660) and,
/// optionally, a group. `Limits` bound body size, header size, connection count and the time a
/// client may take to send a request. Call `shutdown()` (or cancel `run()`) to stop: the listener
/// closes, the socket file is removed, running streams end, requests in progress get a grace period.
public final class UnixHTTPServer: Sendable {
    /// The request handler: called once per complete request, off the event loop.
    ///
    /// It is cancelled (task cancellation) when the client disconnects before the response ends.
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    /// Resource limits that protect the daemon from slow, large or numerous clients.
    public struct Limits: Sendable, Equatable {
        /// Largest accepted request body; a larger one gets 413 and the connection is closed.
        public var maxRequestBodyBytes: Int
        /// Largest accepted request head (target plus header names and values); beyond → 431 and
        /// close. NIO's parser also refuses heads over 80 KiB on its own (→ 400).
        public var maxHeaderBytes: Int
        /// Most connections open at once; the next one gets 503 to its first request and is closed.
        public var maxConnections: Int
        /// Time a client has to deliver one complete request, counted from connect or from the end
        /// of the previous response; a partial request then gets 408, an idle connection is closed.
        public var requestTimeout: Duration

        /// Creates limits; the defaults suit a local control API.
        public init(
            maxRequestBodyBytes: Int = 64 * 1024,
            maxHeaderBytes: Int = 16 * 1024,
            maxConnections: Int = 64,
            requestTimeout: Duration = .seconds(10)
        ) {
            self.maxRequestBodyBytes = maxRequestBodyBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.maxConnections = maxConnections
            self.requestTimeout = requestTimeout
        }
    }

    private enum Phase {
        case idle
        case starting
        case running(any Channel, UnixSocketFile.Identity?)
        case stopped
    }

    private struct State {
        var phase: Phase = .idle
        var connections: [ObjectIdentifier: any Channel] = [:]
    }

    /// The path of the listening socket.
    public let socketPath: String
    /// The limits applied to every connection.
    public let limits: Limits
    /// Permission bits given to the socket file after bind (default 0o660).
    public let socketMode: UInt32
    /// Group given to the socket file after bind, if any (the daemon passes the `hotspot` gid).
    public let socketGroupID: UInt32?

    private let eventLoopGroup: any EventLoopGroup
    private let handler: Handler
    private let state = Mutex(State())

    /// Creates a server; nothing touches the filesystem until `start()`.
    ///
    /// - Parameters:
    ///   - socketPath: where to listen; must be shorter than 108 bytes.
    ///   - socketMode: permission bits for the socket file; 0o660 lets owner and group connect.
    ///   - socketGroupID: a group for the socket file, or nil to keep the process's group.
    ///   - limits: per-connection limits.
    ///   - eventLoopGroup: NIO loops to serve on; the process-wide singleton by default.
    ///   - handler: answers every request.
    public init(
        socketPath: String,
        socketMode: UInt32 = 0o660,
        socketGroupID: UInt32? = nil,
        limits: Limits = Limits(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        handler: @escaping Handler
    ) {
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.socketGroupID = socketGroupID
        self.limits = limits
        self.eventLoopGroup = eventLoopGroup
        self.handler = handler
    }

    /// Connections open right now, including refused ones not yet closed; for metrics and tests.
    public var connectionCount: Int {
        state.withLock { $0.connections.count }
    }

    /// Binds and listens: removes a stale socket file, refuses if another server answers, then sets
    /// the file's mode and group.
    ///
    /// Between bind and chmod the file briefly has the umask's mode; put the socket in a
    /// directory only the daemon's user and group can enter (systemd `RuntimeDirectory=`).
    public func start() async throws(UnixHTTPError) {
        try state.withLock { (state) throws(UnixHTTPError) in
            guard case .idle = state.phase else {
                throw UnixHTTPError(code: .invalidState, path: socketPath, message: "the server was already started")
            }
            state.phase = .starting
        }
        do {
            let channel = try await bind()
            state.withLock { $0.phase = .running(channel, UnixSocketFile.identity(socketPath)) }
        } catch {
            state.withLock { $0.phase = .idle }
            throw error
        }
    }

    /// Serves until `shutdown()` is called or the calling task is cancelled, starting first if
    /// needed; shaped for a swift-service-lifecycle `Service.run()`.
    public func run() async throws(UnixHTTPError) {
        let needsStart = state.withLock { state -> Bool in
            if case .idle = state.phase { return true }
            return false
        }
        if needsStart {
            try await start()
        }
        let listener: (any Channel)? = state.withLock { state in
            if case .running(let channel, _) = state.phase { return channel }
            return nil
        }
        guard let listener else { return }
        await withTaskCancellationHandler {
            try? await listener.closeFuture.get()
        } onCancel: {
            listener.close(promise: nil)
        }
        await shutdown()
    }

    /// Stops: closes the listener and removes the socket file if it is still ours, lets requests
    /// in progress finish for up to `gracePeriod` (streams are ended at once, idle connections
    /// closed), then closes whatever is left, cancelling its handler. Idempotent.
    public func shutdown(gracePeriod: Duration = .seconds(5)) async {
        let (listener, identity, connections) = state.withLock { state -> ((any Channel)?, UnixSocketFile.Identity?, [any Channel]) in
            var listener: (any Channel)?
            var identity: UnixSocketFile.Identity?
            if case .running(let channel, let boundIdentity) = state.phase {
                listener = channel
                identity = boundIdentity
            }
            state.phase = .stopped
            return (listener, identity, Array(state.connections.values))
        }
        if let listener {
            try? await listener.close()
            UnixSocketFile.remove(socketPath, ifStill: identity)
        }
        guard !connections.isEmpty else { return }
        for connection in connections {
            connection.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for connection in connections {
                    try? await connection.closeFuture.get()
                }
            }
            group.addTask {
                try? await Task.sleep(for: gracePeriod)
            }
            // Whichever ends first; closing everything then lets the other child finish too.
            await group.next()
            for connection in connections {
                connection.close(promise: nil)
            }
            group.cancelAll()
        }
    }

    // MARK: Binding

    private func bind() async throws(UnixHTTPError) -> any Channel {
        switch try UnixSocketFile.probe(socketPath) {
        case .absent:
            break
        case .stale:
            try UnixSocketFile.removeStale(socketPath)
        case .live:
            throw UnixHTTPError(code: .addressInUse, path: socketPath, message: "another daemon is listening on the socket")
        case .notASocket:
            throw UnixHTTPError(code: .pathNotASocket, path: socketPath, message: "the socket path exists and is not a socket")
        }
        // Check the length ourselves so the error is ours, not NIO's.
        _ = try UnixSocketFile.withSocketAddress(socketPath) { _, _ in 0 }

        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 128)
            .childChannelInitializer { [self] channel in
                self.initializeConnection(channel)
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: false).get()
        } catch {
            let code = (error as? IOError)?.errnoCode
            throw UnixHTTPError(
                code: code == EADDRINUSE ? .addressInUse : .bindFailed, path: socketPath, errno: code,
                message: "cannot listen on the socket"
            )
        }
        do {
            try UnixSocketFile.setPermissions(socketPath, mode: socketMode, groupID: socketGroupID)
        } catch {
            try? await channel.close()
            UnixSocketFile.remove(socketPath, ifStill: UnixSocketFile.identity(socketPath))
            throw error
        }
        return channel
    }

    // MARK: Connections

    private func initializeConnection(_ channel: any Channel) -> EventLoopFuture<Void> {
        let admitted = state.withLock { state -> Bool? in
            // `.starting` too: a client may connect between bind and `start()` returning.
            if case .stopped = state.phase { return nil }
            let admitted = state.connections.count < self.limits.maxConnections
            state.connections[ObjectIdentifier(channel)] = channel
            return admitted
        }
        guard let admitted else {
            // Accepted while shutting down.
            return channel.close()
        }
        channel.closeFuture.whenComplete { [self] _ in
            _ = self.state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
        }
        let limits = self.limits
        let handler = self.handler
        return PeerCredentialReader.read(from: channel).flatMapThrowing { peer in
            let activity = RequestByteActivity()
            let operations = channel.pipeline.syncOperations
            try operations.addHandler(RequestByteWatcher(activity: activity))
            try operations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
            try operations.addHandler(HTTPResponseEncoder())
            try operations.addHandler(
                HTTPServerConnectionHandler(
                    limits: limits, handler: handler, peer: peer, admitted: admitted, activity: activity
                )
            )
        }
    }
}

/// Reads `SO_PEERCRED` from an accepted Unix socket channel.
enum PeerCredentialReader {
    /// The peer's pid/uid/gid, or nil when the channel is not a socket or the kernel refuses.
    static func read(from channel: any Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? any SocketOptionProvider,
              MemoryLayout<LinuxUcred>.size == 12 else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        #if os(Linux)
        let future: EventLoopFuture<LinuxUcred> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED)
        )
        return future
            .map { Optional(PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid)) }
            .recover { _ in nil }
        #else
        return channel.eventLoop.makeSucceededFuture(nil)
        #endif
    }
}
