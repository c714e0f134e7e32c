#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Ledger
import Logging
import ServiceLifecycle
import UnixHTTP

/// The station's supervisor in the daemon's service group: it attaches the devices given at start (and keeps the
/// configured ports attached), waits for their identification, reports ready to systemd once the API answers too,
/// follows the station's events for the status line and hooks, and at graceful shutdown closes every session.
///
/// The ledger's start-up recovery runs before the group starts (`Station.recoverAfterStart`), so no session, API
/// call or discovered device sees what a crash left. Its siblings: `APIServerService` (the socket), `DiscoveryService`
/// (udev), `SIMReaderService` (pcscd) and `ReloadService` (SIGHUP). Who may use the API socket, and the systemd
/// watchdog, are decided here too (`admissionPolicy`, `feedWatchdog`), and applied by `APIServerService`.
public struct StationService: Service {
    private let station: Station
    private let devices: [String]
    private let heldAfterRestart: Int
    private let apiListening: StartupGate
    private let logger: Logger
    private let notifier: SystemdNotifier

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - devices: serial ports to attach at start and keep attached.
    ///   - heldAfterRestart: vouchers start-up recovery held for settlement (said in systemd's status line).
    ///   - apiListening: opened by the API server once its socket accepts connections: READY waits for it.
    public init(station: Station, devices: [String], heldAfterRestart: Int, apiListening: StartupGate, logger: Logger,
                notifier: SystemdNotifier = SystemdNotifier()) {
        self.station = station
        self.devices = devices
        self.heldAfterRestart = heldAfterRestart
        self.apiListening = apiListening
        self.logger = logger
        self.notifier = notifier
    }

    /// Runs until graceful shutdown, then closes every device.
    public func run() async throws {
        for path in devices {
            do {
                try await station.attachConfigured(path: path)
            } catch {
                logger.error("device not attached", metadata: ["port.path": "\(path)", "error.code": "\(error.code)",
                                                               "error.message": "\(error.message)"])
            }
        }
        // Ready only once the devices present at start were identified and their unknown vouchers checked by balance,
        // and the API answers.
        let startup = await station.finishStartup()
        guard await apiListening.wait() else {
            // The API server did not start: the group is stopping with its error.
            await station.shutdown()
            return
        }
        notifier.ready(status: "ready: \(devices.count) device(s), \(heldAfterRestart) voucher(s) held after restart, "
                       + "\(startup.unknownVouchers) waiting for a person")
        logger.info("station ready", metadata: ["device.count": "\(devices.count)"])
        let station = self.station
        let notifier = self.notifier
        let logger = self.logger
        // From here the status line follows every state change, and the configured hooks run, until shutdown.
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await CounterObserver(station: station, notifier: notifier, hooks: await station.hookSettings, logger: logger).run()
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        await station.shutdown()
        logger.info("station stopped")
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
}
