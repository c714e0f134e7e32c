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
/// optionally, a group. `Limits` bound body size, header size, the time a client may take to send
/// a request or leave its response unread, and the connections open at once, per caller uid (from
/// `SO_PEERCRED`) with a reserve for privileged callers (`AdmissionPolicy`). Call `shutdown()` (or
/// cancel `run()`) to stop: the listener closes, the socket file is removed, running streams end,
/// requests in progress get a grace period.
///
/// Streamed bodies are written as the connection can take them: the next chunk is asked for only
/// while the connection's outbound buffer is under `Limits.writeBufferBytes`, so a producer that
/// waits for demand (`AsyncStream(unfolding:)`, or one with a bounded buffering policy) keeps memory
/// flat however slowly the client reads.
public final class UnixHTTPServer: Sendable {
    /// The request handler: called once per complete request, off the event loop.
    ///
    /// It is cancelled (task cancellation) when the client disconnects before the response ends.
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    /// Resource limits that protect the daemon from slow, large or numerous clients.
    ///
    /// Connections are admitted by the caller's uid: every uid may have `maxConnectionsPerUID`
    /// served at once, all unprivileged callers together `maxConnections - reservedConnections`,
    /// and privileged callers (`AdmissionPolicy.isPrivileged`) up to `maxConnections` with no
    /// per-uid cap. A connection beyond that takes one of the few over-limit slots (at most
    /// `maxOverLimitConnectionsPerUID` per uid): its one request gets 503 with `Retry-After`,
    /// unless the policy serves it anyway (a health check); when those slots are taken too, the
    /// connection is closed at once. So one uid holding hundreds of connections keeps
    /// `maxConnectionsPerUID + maxOverLimitConnectionsPerUID` open and every other caller is served.
    public struct Limits: Sendable, Equatable {
        /// Largest accepted request body; a larger one gets 413 and the connection is closed.
        public var maxRequestBodyBytes: Int
        /// Largest accepted request head (target plus header names and values); beyond → 431 and
        /// close. NIO's parser also refuses heads over 80 KiB on its own (→ 400).
        public var maxHeaderBytes: Int
        /// Most connections served at once, all callers together.
        public var maxConnections: Int
        /// Most connections one unprivileged uid may have served at once.
        public var maxConnectionsPerUID: Int
        /// Of `maxConnections`, how many only privileged callers may take.
        public var reservedConnections: Int
        /// Most connections over the limits kept open at once to answer their one request.
        public var maxOverLimitConnections: Int
        /// Most over-limit connections of one uid; more are closed at once.
        public var maxOverLimitConnectionsPerUID: Int
        /// Time an over-limit connection has to send its request (or the request timeout if shorter).
        public var overLimitTimeout: Duration
        /// Time a client has to deliver one complete request (head and body), counted from connect
        /// or from the end of the previous response: the header, body and keep-alive idle deadline
        /// in one. A partial request then gets 408, an idle connection is closed silently.
        public var requestTimeout: Duration
        /// Time a response may stay stuck because the client does not read it (the connection's
        /// outbound buffer over `writeBufferBytes` all along); then the connection is closed and a
        /// streamed body's producer cancelled.
        public var sendTimeout: Duration
        /// A streamed response that declares heartbeat bytes (`HTTPResponse.heartbeat`) gets them
        /// when nothing else was sent for this long, so idle streams show they are alive and a
        /// vanished client is noticed.
        public var heartbeatInterval: Duration
        /// Outbound bytes a connection may queue in the server before it counts as unwritable (the
        /// NIO high watermark; the low one is half of it). A streamed body is pulled only below it.
        public var writeBufferBytes: Int

        /// Creates limits; the defaults suit a local control API (see the type's discussion).
        public init(
            maxRequestBodyBytes: Int = 64 * 1024,
            maxHeaderBytes: Int = 16 * 1024,
            maxConnections: Int = Defaults.maxConnections,
            requestTimeout: Duration = .seconds(10),
            maxConnectionsPerUID: Int = Defaults.maxConnectionsPerUID,
            reservedConnections: Int = Defaults.reservedConnections,
            maxOverLimitConnections: Int = Defaults.maxOverLimitConnections,
            maxOverLimitConnectionsPerUID: Int = Defaults.maxOverLimitConnectionsPerUID,
            overLimitTimeout: Duration = Defaults.overLimitTimeout,
            sendTimeout: Duration = Defaults.sendTimeout,
            heartbeatInterval: Duration = Defaults.heartbeatInterval,
            writeBufferBytes: Int = Defaults.writeBufferBytes
        ) {
            self.maxRequestBodyBytes = maxRequestBodyBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.maxConnections = maxConnections
            self.requestTimeout = requestTimeout
            self.maxConnectionsPerUID = maxConnectionsPerUID
            self.reservedConnections = reservedConnections
            self.maxOverLimitConnections = maxOverLimitConnections
            self.maxOverLimitConnectionsPerUID = maxOverLimitConnectionsPerUID
            self.overLimitTimeout = overLimitTimeout
            self.sendTimeout = sendTimeout
            self.heartbeatInterval = heartbeatInterval
            self.writeBufferBytes = writeBufferBytes
        }

        /// The default limits, named so the daemon's documentation can quote them.
        public enum Defaults {
            /// 128 connections served at once in all.
            public static let maxConnections = 128
            /// 16 per unprivileged uid: seven uids are needed to fill the unprivileged share.
            public static let maxConnectionsPerUID = 16
            /// 16 of the 128 kept for privileged callers (root, the daemon's user, supervisors).
            public static let reservedConnections = 16
            /// 32 over-limit connections in all, answered 503 (or served if the policy says so).
            public static let maxOverLimitConnections = 32
            /// 4 over-limit connections per uid, so one uid cannot take the health check's way in.
            public static let maxOverLimitConnectionsPerUID = 4
            /// 2 s for an over-limit connection to send its request.
            public static let overLimitTimeout: Duration = .seconds(2)
            /// 30 s for a client to take some of a response it is sent.
            public static let sendTimeout: Duration = .seconds(30)
            /// A heartbeat after 15 s of silence on a stream that has one.
            public static let heartbeatInterval: Duration = .seconds(15)
            /// 64 KiB queued per connection before it counts as unwritable.
            public static let writeBufferBytes = 64 * 1024
        }
    }

    private enum Phase {
        case idle
        case starting
        case running(any Channel, UnixSocketFile.Identity?)
        case stopped
    }

    /// An open connection and, once its credentials are known, the slot it holds.
    private struct Connection {
        var channel: any Channel
        var slot: ConnectionSlot?
    }

    private struct State {
        var phase: Phase = .idle
        var connections: [ObjectIdentifier: Connection] = [:]
        var counts = ConnectionCounts()
    }

    /// The path of the listening socket.
    public let socketPath: String
    /// The limits applied to every connection.
    public let limits: Limits
    /// Permission bits given to the socket file after bind (default 0o660).
    public let socketMode: UInt32
    /// Group given to the socket file after bind, if any (the daemon passes the `hotspot` gid).
    public let socketGroupID: UInt32?
    /// Who may use the reserved connections, and what is answered over the limits.
    public let admission: AdmissionPolicy

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
    ///   - admission: privileged callers and requests served over the limits; by default root and
    ///     this process's uid are privileged.
    ///   - eventLoopGroup: NIO loops to serve on; the process-wide singleton by default.
    ///   - handler: answers every request.
    public init(
        socketPath: String,
        socketMode: UInt32 = 0o660,
        socketGroupID: UInt32? = nil,
        limits: Limits = Limits(),
        admission: AdmissionPolicy = .default,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        handler: @escaping Handler
    ) {
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.socketGroupID = socketGroupID
        self.limits = limits
        self.admission = admission
        self.eventLoopGroup = eventLoopGroup
        self.handler = handler
    }

    /// Connections open right now, including refused ones not yet closed; for metrics and tests.
    public var connectionCount: Int {
        state.withLock { $0.connections.count }
    }

    /// Returns once every event loop the server runs on has run a no-op; never returns while one is stuck.
    ///
    /// For a watchdog: a daemon whose API loops stopped turning should stop telling systemd it is alive.
    public func pingEventLoops() async {
        for eventLoop in eventLoopGroup.makeIterator() {
            try? await eventLoop.submit {}.get()
        }
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
            return (listener, identity, state.connections.values.map(\.channel))
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

    /// Connections the kernel queues before `accept`: room for a burst, such as a client reconnecting hundreds of
    /// sockets the server just refused, so that other callers' connects do not fail with `EAGAIN` meanwhile. The
    /// kernel caps it at `net.core.somaxconn` (4096 by default since Linux 5.4).
    static let listenBacklog: Int32 = 1024
    /// Connections accepted per wake-up of the listener (NIO's default is 4), so a burst drains quickly.
    static let acceptsPerWakeup: UInt = 16

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
            .serverChannelOption(.backlog, value: Self.listenBacklog)
            .serverChannelOption(.maxMessagesPerRead, value: Self.acceptsPerWakeup)
            .childChannelOption(
                .writeBufferWaterMark,
                value: ChannelOptions.Types.WriteBufferWaterMark(
                    low: max(1, limits.writeBufferBytes / 2), high: max(1, limits.writeBufferBytes)
                )
            )
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
        let key = ObjectIdentifier(channel)
        let accepted = state.withLock { state -> Bool in
            // `.starting` too: a client may connect between bind and `start()` returning.
            if case .stopped = state.phase { return false }
            state.connections[key] = Connection(channel: channel, slot: nil)
            return true
        }
        guard accepted else {
            // Accepted while shutting down.
            return channel.close()
        }
        channel.closeFuture.whenComplete { [self] _ in
            self.state.withLock { state in
                if let slot = state.connections.removeValue(forKey: key)?.slot {
                    state.counts.release(slot)
                }
            }
        }
        let limits = self.limits
        let handler = self.handler
        let admission = self.admission
        return PeerCredentialReader.read(from: channel).flatMap { [self] peer in
            let privileged = peer.map(admission.isPrivileged) ?? false
            let slot = self.state.withLock { state -> ConnectionSlot in
                // Closed before its credentials were read: nothing to count.
                guard state.connections[key] != nil else { return .refused }
                let slot = state.counts.admit(uid: peer?.uid, privileged: privileged, limits: limits)
                state.connections[key]?.slot = slot
                return slot
            }
            let isOverLimit: Bool
            switch slot {
            case .refused: return channel.close()
            case .overLimit: isOverLimit = true
            case .served: isOverLimit = false
            }
            do {
                let activity = RequestByteActivity()
                let operations = channel.pipeline.syncOperations
                try operations.addHandler(RequestByteWatcher(activity: activity))
                try operations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                try operations.addHandler(HTTPResponseEncoder())
                try operations.addHandler(
                    HTTPServerConnectionHandler(
                        limits: limits, handler: handler, peer: peer, isOverLimit: isOverLimit,
                        isServedOverLimits: admission.isServedOverLimits, bodyLimit: admission.bodyLimit, activity: activity
                    )
                )
                return channel.eventLoop.makeSucceededVoidFuture()
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
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
