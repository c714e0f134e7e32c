import Logging
import ServiceLifecycle
import Synchronization
import UnixHTTP

/// The API server in the daemon's service group: `hotspotctl`'s Unix socket, served by `APIRouter`, and systemd's
/// watchdog fed while the station and the server's event loops answer.
///
/// Connections are admitted per caller uid (`UnixHTTPServer.Limits`, by default 16 per uid and 128 in all, of which
/// 16 are kept for privileged callers): root, the daemon's own user and, when given, members of the supervisors group
/// (by the caller's primary group, which is what `SO_PEERCRED` tells) are privileged, and `GET /v1/health` is answered
/// even on a connection over the limits (`StationService.admissionPolicy`).
///
/// It is the last service of the group, so the first told of a graceful shutdown: it says STOPPING to systemd and
/// stops taking requests before discovery stops and the station closes its devices.
public struct APIServerService: Service {
    private let station: Station
    private let socketPath: String
    private let socketMode: UInt32
    private let supervisorGroupID: UInt32?
    private let limits: UnixHTTPServer.Limits
    private let listening: StartupGate
    private let logger: Logger
    private let notifier: SystemdNotifier

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - socketMode: 0666 by default: every local user may connect, and the daemon decides what each caller may do
    ///     from their credentials (`AccessPolicy`); anyone outside the station's groups gets `/v1/health` and 403s.
    ///   - supervisorGroupID: a group whose members share the connections reserved for root and the daemon.
    ///   - limits: the server's limits; the defaults are the documented scheme.
    ///   - listening: opened once the socket accepts connections (true), or when it could not be opened (false).
    public init(station: Station, socketPath: String, socketMode: UInt32 = 0o666, supervisorGroupID: UInt32? = nil,
                limits: UnixHTTPServer.Limits = UnixHTTPServer.Limits(), listening: StartupGate, logger: Logger,
                notifier: SystemdNotifier = SystemdNotifier()) {
        self.station = station
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.supervisorGroupID = supervisorGroupID
        self.limits = limits
        self.listening = listening
        self.logger = logger
        self.notifier = notifier
    }

    /// Serves until graceful shutdown.
    public func run() async throws {
        let router = APIRouter(station: station)
        let server = UnixHTTPServer(socketPath: socketPath, socketMode: socketMode, limits: limits,
                                    admission: StationService.admissionPolicy(station: station, supervisorGroupID: supervisorGroupID)) { request in
            await router.handle(request)
        }
        do {
            try await server.start()
        } catch {
            listening.open(false)
            throw error
        }
        listening.open(true)
        logger.info("api listening", metadata: ["socket.path": "\(socketPath)"])
        let station = self.station
        let notifier = self.notifier
        let logger = self.logger
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                if let timeout = notifier.watchdogTimeout {
                    logger.info("systemd watchdog on", metadata: ["watchdog.timeout": "\(timeout)"])
                    group.addTask {
                        await StationService.feedWatchdog(notifier: notifier, timeout: timeout, logger: logger) {
                            await server.pingEventLoops()
                            return await station.isReady
                        }
                    }
                }
                do {
                    try await server.run()
                } catch {
                    logger.error("api server stopped", metadata: ["error": "\(error)"])
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            notifier.stopping()
            Task { await server.shutdown() }
        }
        logger.info("api closed")
    }
}

/// A one-time start-up fact one service waits for and another establishes (the API socket is listening): opened
/// once with its outcome; every wait, earlier or later, returns that outcome. A cancelled wait returns false.
public final class StartupGate: Sendable {
    private struct State {
        var outcome: Bool?
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    /// Creates a closed gate.
    public init() {}

    /// Opens the gate with `outcome`; a second opening changes nothing.
    public func open(_ outcome: Bool) {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            guard state.outcome == nil else { return [] }
            state.outcome = outcome
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: outcome) }
    }

    /// Waits until the gate is opened and returns its outcome (false when the waiting task is cancelled).
    public func wait() async -> Bool {
        let ticket = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let ready = state.withLock { state -> Bool? in
                    if let outcome = state.outcome { return outcome }
                    if Task.isCancelled { return false }
                    state.waiters[ticket] = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: ticket) }
            waiter?.resume(returning: false)
        }
    }
}
