import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP in the daemon's service group: each one reads the configuration file again, as `hotspotctl reload` does
/// (`Station.reload()`); a file that does not pass the start-up checks changes nothing and is logged. Stops at
/// graceful shutdown.
public struct ReloadService: Service {
    private let station: Station
    private let logger: Logger

    /// Creates the service for `station`.
    public init(station: Station, logger: Logger) {
        self.station = station
        self.logger = logger
    }

    /// Reloads on every SIGHUP until graceful shutdown.
    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            do {
                _ = try await station.reload()
            } catch {
                logger.error("configuration not reloaded", metadata: ["error.code": "\(error.code)", "error": "\(error.message)"])
            }
        }
    }
}
