import Foundation
import Ledger
import Logging
import ServiceLifecycle
import UnixHTTP

/// The daemon's one long-running service: it recovers the ledger, serves the API, attaches devices, reports ready,
/// feeds systemd's watchdog while the station answers, and on SIGTERM stops taking requests and closes every device.
///
/// API connections are admitted per caller uid (`UnixHTTPServer.Limits`, by default 16 per uid and 128 in all, of
/// which 16 are kept for privileged callers): root, the daemon's own user and, when given, members of the
/// supervisors group (by the caller's primary group, which is what `SO_PEERCRED` tells) are privileged, and
/// `GET /v1/health` is answered even on a connection over the limits.
public struct StationService: Service {
    private let station: Station
    private let socketPath: String
    private let socketMode: UInt32
    private let devices: [String]
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let supervisorGroupID: UInt32?
    private let limits: UnixHTTPServer.Limits

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - supervisorGroupID: a group whose members share the connections reserved for root and the daemon.
    ///   - limits: the API server's limits; the defaults are the documented scheme.
    ///   - socketMode: 0666 by default: every local user may connect, and the daemon decides what each caller may do
    ///     from their credentials (`AccessPolicy`); anyone outside the station's groups gets `/v1/health` and 403s.
    public init(station: Station, socketPath: String, socketMode: UInt32 = 0o666, devices: [String], logger: Logger,
                notifier: SystemdNotifier = SystemdNotifier(), supervisorGroupID: UInt32? = nil,
                limits: UnixHTTPServer.Limits = UnixHTTPServer.Limits()) {
        self.station = station
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.devices = devices
        self.logger = logger
        self.notifier = notifier
        self.supervisorGroupID = supervisorGroupID
        self.limits = limits
    }

    /// Who is privileged on the API socket: root, the daemon's own uid, and callers whose primary group is the
    /// supervisors group; and the one route answered over the limits, the health check.
    static func admissionPolicy(supervisorGroupID: UInt32?, daemonUID: UInt32 = geteuid()) -> AdmissionPolicy {
        AdmissionPolicy(
            isPrivileged: { peer in
                peer.uid == 0 || peer.uid == daemonUID || (supervisorGroupID.map { peer.gid == $0 } ?? false)
            },
            isServedOverLimits: { method, path in method == "GET" && path == "/v1/health" })
    }

    /// The largest voucher book a supervisor may upload in one request (about 700,000 codes): imported in one
    /// transaction, all or nothing, whatever its size under this.
    public static let maxVoucherBookBytes = 16 * 1024 * 1024

    /// Who is privileged, as `admissionPolicy(supervisorGroupID:)`, and the one route with a larger body: a voucher
    /// book, for a caller the station's access policy makes a supervisor (decided on the head, before the body).
    static func admissionPolicy(station: Station, supervisorGroupID: UInt32?) -> AdmissionPolicy {
        var policy = admissionPolicy(supervisorGroupID: supervisorGroupID)
        let access = station.access
        policy.bodyLimit = { method, path, peer in
            guard method == "POST", path == "/v1/vouchers/import", let peer else { return nil }
            let role = access.role(uid: peer.uid, groups: SystemGroups.groups(uid: peer.uid, primary: peer.gid))
            return role == .supervisor ? maxVoucherBookBytes : nil
        }
        return policy
    }

    /// Sends `WATCHDOG=1` every half `timeout` for as long as `isHealthy` answers true; returns when cancelled.
    ///
    /// `isHealthy` is awaited each time: when it never returns (the station actor or an API event loop is stuck),
    /// the feeding stops and systemd restarts the daemon once the unit's `WatchdogSec=` has passed. `pause` waits
    /// between rounds (tests step it themselves).
    static func feedWatchdog(notifier: SystemdNotifier, timeout: Duration, logger: Logger,
                             pause: @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) },
                             isHealthy: @Sendable () async -> Bool) async {
        let period = timeout / 2
        var wasHealthy = true
        while !Task.isCancelled {
            let healthy = await isHealthy()
            if healthy {
                notifier.watchdog()
            }
            if healthy != wasHealthy {
                if healthy {
                    logger.info("station healthy again: feeding the systemd watchdog")
                } else {
                    logger.warning("station not ready: the systemd watchdog is not fed")
                }
                wasHealthy = healthy
            }
            await pause(period)
        }
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        let held = try await station.recoverAfterStart()
        let router = APIRouter(station: station)
        let server = UnixHTTPServer(socketPath: socketPath, socketMode: socketMode, limits: limits,
                                    admission: Self.admissionPolicy(station: station, supervisorGroupID: supervisorGroupID)) { request in
            await router.handle(request)
        }
        try await server.start()
        logger.info("api listening", metadata: ["socket.path": "\(socketPath)"])
        for path in devices {
            do {
                try await station.attachConfigured(path: path)
            } catch {
                logger.error("device not attached", metadata: ["port.path": "\(path)", "error.code": "\(error.code)",
                                                               "error.message": "\(error.message)"])
            }
        }
        // Ready only once the devices present at start were identified and their unknown vouchers checked by balance.
        let startup = await station.finishStartup()
        notifier.ready(status: "ready: \(devices.count) device(s), \(held) voucher(s) held after restart, "
                       + "\(startup.unknownVouchers) waiting for a person")
        logger.info("station ready", metadata: ["device.count": "\(devices.count)"])
        // From here the status line follows every state change, and the configured hooks run.
        let counter = Task { [station, notifier, logger] in
            await CounterObserver(station: station, notifier: notifier, hooks: await station.hookSettings, logger: logger).run()
        }
        defer { counter.cancel() }

        let station = self.station
        let notifier = self.notifier
        let logger = self.logger
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                if let timeout = notifier.watchdogTimeout {
                    logger.info("systemd watchdog on", metadata: ["watchdog.timeout": "\(timeout)"])
                    group.addTask {
                        await Self.feedWatchdog(notifier: notifier, timeout: timeout, logger: logger) {
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
        await station.shutdown()
        logger.info("station stopped")
    }
}
