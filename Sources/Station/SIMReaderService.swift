#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import PCSCReader
import ServiceLifecycle

/// Watches pcscd for card readers and SIMs and shows them at the station (`sim-reader` rows), registering each
/// SIM read in the ledger. CCID readers are pcscd's: the daemon opens no tty or USB device for them.
///
/// pcscd missing or stopped is not fatal: the rows are simply empty, the monitor says so once and keeps asking.
public struct SIMReaderService: Service {
    private let station: Station
    private let monitor: PCSCMonitor
    private let logger: Logger

    /// Creates the service for `station`.
    public init(station: Station, monitor: PCSCMonitor = PCSCMonitor(), logger: Logger) {
        self.station = station
        self.monitor = monitor
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        let events = monitor.events()
        let monitor = self.monitor
        let station = self.station
        logger.info("SIM readers watched through pcscd")
        await withGracefulShutdownHandler {
            for await event in events {
                await station.handleReaderEvent(event)
            }
        } onGracefulShutdown: {
            monitor.stop()
        }
        monitor.stop()
    }
}
