import ATProtocol
import DeviceDiscovery
import Foundation
import Logging
import Provisioning
import ServiceLifecycle
import StationAPI

/// Finds devices by themselves: follows udev (enumeration at start, then the monitor) and hands each USB device to
/// discovery's decisions (`DiscoveryCoordinator` in `DeviceDiscovery`: classify, switch out of the CD-ROM
/// personality, choose the AT port); the station only attaches what discovery found ready, lists what it could not
/// drive with the reason, and ends the session of a device that was unplugged (`StationDiscoveryReceiver`).
///
/// Runs next to `StationService` in the daemon's service group, and acts only once the station is ready (so start-up
/// recovery runs before any new provisioning). If udev is unavailable it logs why and stays idle: ports given with
/// `--device` or `hotspotctl attach` keep working.
public struct DiscoveryService: Service {
    private let discovery: USBDiscovery
    private let coordinator: DiscoveryCoordinator<StationDiscoveryReceiver>
    private let logger: Logger

    /// Creates the service; nothing happens until `run`.
    ///
    /// `busyRecheck`: how often a device listed `port-busy` (another program holds its ports) is looked at again, so
    /// it is taken as soon as that program lets go. `untilReady` returns when the station may take devices; by default
    /// when its start-up is over (ledger recovery first).
    ///
    /// `networkDevices` opens a device that has a USB network interface and no AT port (a HiLink unit) through its
    /// driver; without it such devices are listed with the reason, as before.
    public init(station: Station, catalog: USBDeviceCatalog, modeSwitch: Bool, logger: Logger,
                discovery: USBDiscovery? = nil, prober: ATPortProber = ATPortProber(), memory: ATPortMemory = ATPortMemory(),
                busyRecheck: Duration = .seconds(5), untilReady: (@Sendable () async -> Void)? = nil,
                networkDevices: NetworkDeviceOpener? = nil) {
        let discovery = discovery ?? USBDiscovery(logger: logger)
        self.discovery = discovery
        self.logger = logger
        let receiver = StationDiscoveryReceiver(station: station, networkDevices: networkDevices,
                                                untilReady: untilReady ?? { await station.untilReady() })
        self.coordinator = DiscoveryCoordinator(receiver: receiver, discovery: discovery, catalog: catalog, modeSwitch: modeSwitch,
                                                prober: prober, memory: memory, busyRecheck: busyRecheck, logger: logger)
    }

    /// Runs until graceful shutdown (or cancellation).
    public func run() async throws {
        do {
            try await discovery.start()
        } catch {
            logger.warning("USB discovery unavailable; only ports given by hand are used", metadata: ["error": "\(error)"])
            return
        }
        let events = discovery.events()
        let discovery = self.discovery
        let coordinator = self.coordinator
        // Its own task, so a shutdown that comes while the station is not yet ready ends the wait for readiness too.
        let decisions = Task { await coordinator.run(events: events) }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await decisions.value
            } onCancel: {
                decisions.cancel()
            }
        } onGracefulShutdown: {
            discovery.stop()
            decisions.cancel()
        }
        discovery.stop()
    }

    /// Stops following udev (tests; the daemon uses graceful shutdown).
    public func stop() {
        discovery.stop()
    }

    /// The discovery state of a USB path, `nil` when discovery does not know it.
    public func state(of usbPath: String) async -> USBPathState? {
        await coordinator.state(of: usbPath)
    }
}

/// The station's side of discovery: attaches the devices discovery found ready (a chosen AT port, an opened network
/// device), lists those it could not drive, and ends the sessions of those that left. No decision is taken here.
struct StationDiscoveryReceiver: DiscoveredDeviceReceiver {
    let station: Station
    let networkDevices: NetworkDeviceOpener?
    let readiness: @Sendable () async -> Void

    init(station: Station, networkDevices: NetworkDeviceOpener?, untilReady: @escaping @Sendable () async -> Void) {
        self.station = station
        self.networkDevices = networkDevices
        self.readiness = untilReady
    }

    var opensNetworkDevices: Bool { networkDevices != nil }

    func untilReady() async {
        await readiness()
    }

    func livePort(among ports: [String]) async -> String? {
        await station.livePort(among: ports)
    }

    func attach(atPort port: String, usbPath: String) async -> Result<String, DiscoveryRefusal> {
        do {
            return .success(try await station.attachDiscovered(path: port, usbPath: usbPath).id)
        } catch {
            return .failure(DiscoveryRefusal(code: error.code, message: error.message))
        }
    }

    func openNetworkDevice(interface: String) async -> Result<NetworkDeviceConnection, DiscoveryRefusal> {
        guard let networkDevices else {
            return .failure(DiscoveryRefusal(code: .noATPort, message: "No driver opens network devices here."))
        }
        return await networkDevices.open(interface: interface).mapError { DiscoveryRefusal(code: $0.code, message: $0.message) }
    }

    func attach(network connection: NetworkDeviceConnection, usbPath: String) async -> Result<(id: String, port: String), DiscoveryRefusal> {
        do {
            let status = try await station.attachDiscovered(driver: connection.driver, port: connection.port, usbPath: usbPath,
                                                            close: connection.close)
            return .success((id: status.id, port: connection.port))
        } catch {
            return .failure(DiscoveryRefusal(code: error.code, message: error.message))
        }
    }

    func close(_ connection: NetworkDeviceConnection) async {
        await connection.close()
    }

    func list(_ listing: DiscoveryListing) async {
        await station.reportDiscovered(usbPath: listing.usbPath, port: listing.port, state: listing.state, role: listing.role,
                                       step: listing.step, failure: listing.failure, message: listing.message)
    }

    func detach(usbPath: String, reason: String) async -> [String] {
        await station.detachDiscovered(usbPath: usbPath, reason: reason)
    }
}

/// A device reached over its USB network interface, opened by its driver.
public struct NetworkDeviceConnection: Sendable {
    /// The driver the device's session provisions it through.
    public var driver: any DeviceDriver
    /// How the device is listed (`http://192.168.8.1 (usb0)`).
    public var port: String
    /// Ends the driver's connection.
    public var close: @Sendable () async -> Void

    /// Creates a connection.
    public init(driver: any DeviceDriver, port: String, close: @escaping @Sendable () async -> Void) {
        self.driver = driver
        self.port = port
        self.close = close
    }
}

/// Opens the device behind a USB network interface: waits (bounded) for the interface's address, finds the device's
/// address behind it (`HiLinkAddressing`) and hands both to the driver's opener, which logs in and checks it answers.
public struct NetworkDeviceOpener: Sendable {
    /// The driver's opener: interface name and device address in, a connection or a typed failure out.
    public var connect: @Sendable (_ interface: String, _ host: String) async -> Result<NetworkDeviceConnection, StationError>
    /// Where the device is behind an interface, nil while the interface has no address.
    public var unitAddress: @Sendable (_ interface: String) -> String?
    /// How long an interface without an address is waited for.
    public var addressPatience: Duration

    /// Creates an opener; by default the unit is found with `HiLinkAddressing` and waited for up to 60 s.
    public init(addressPatience: Duration = .seconds(60),
                unitAddress: (@Sendable (_ interface: String) -> String?)? = nil,
                connect: @escaping @Sendable (_ interface: String, _ host: String) async -> Result<NetworkDeviceConnection, StationError>) {
        self.connect = connect
        self.unitAddress = unitAddress ?? { HiLinkAddressing.unitAddress(interface: $0) }
        self.addressPatience = addressPatience
    }

    /// Waits for the interface's address (every 250 ms, up to `addressPatience`), then connects.
    func open(interface: String) async -> Result<NetworkDeviceConnection, StationError> {
        let deadline = ContinuousClock.now + addressPatience
        while true {
            if let host = unitAddress(interface) { return await connect(interface, host) }
            guard ContinuousClock.now < deadline else {
                return .failure(StationError(.timedOut, code: .noAddress,
                                             message: "The network interface \(interface) got no address: is a DHCP client (systemd-networkd, docs/hilink.md) running?"))
            }
            do {
                try await Task.sleep(for: .milliseconds(250))
            } catch {
                return .failure(StationError(.unavailable, code: .shuttingDown, message: "Discovery stopped."))
            }
        }
    }
}
