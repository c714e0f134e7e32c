import Foundation
import Ledger
import Logging
import ServiceLifecycle
import UnixHTTP

/// The daemon's one long-running service: it recovers the ledger, serves the API, attaches devices, reports ready,
/// and on SIGTERM stops taking requests and closes every device.
public struct StationService: Service {
    private let station: Station
    private let socketPath: String
    private let socketMode: UInt32
    private let devices: [String]
    private let logger: Logger
    private let notifier: SystemdNotifier

    /// Creates the service.
    public init(station: Station, socketPath: String, socketMode: UInt32 = 0o666, devices: [String], logger: Logger,
                notifier: SystemdNotifier = SystemdNotifier()) {
        self.station = station
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.devices = devices
        self.logger = logger
        self.notifier = notifier
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        let held = try await station.recoverAfterStart()
        let router = APIRouter(station: station)
        let server = UnixHTTPServer(socketPath: socketPath, socketMode: socketMode) { request in
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

        await withGracefulShutdownHandler {
            do {
                try await server.run()
            } catch {
                logger.error("api server stopped", metadata: ["error": "\(error)"])
            }
        } onGracefulShutdown: {
            notifier.stopping()
            Task { await server.shutdown() }
        }
        await station.shutdown()
        logger.info("station stopped")
    }
}
