/// Where discovery hands the devices it found: the station's side, kept thin. Discovery decides; the receiver only
/// attaches a device that is ready (an AT port, a network device), lists one that is not, and ends the sessions of one
/// that left.
public protocol DiscoveredDeviceReceiver: Sendable {
    /// A network device opened by its driver, not yet attached.
    associatedtype NetworkConnection: Sendable

    /// Whether devices behind a USB network interface (HiLink units) are opened; when not they are only listed.
    var opensNetworkDevices: Bool { get }

    /// Returns once the station may take devices (its start-up recovery is over), or when the task is cancelled.
    func untilReady() async

    /// The port of a live session among `ports` (a device attached by hand or from the configuration), if any.
    func livePort(among ports: [String]) async -> String?

    /// Attaches the AT port chosen for the device on `usbPath`; the session's id, or why it was refused.
    func attach(atPort port: String, usbPath: String) async -> Result<String, DiscoveryRefusal>

    /// Opens the device behind a USB network interface through its driver (waiting, bounded, for an address).
    func openNetworkDevice(interface: String) async -> Result<NetworkConnection, DiscoveryRefusal>

    /// Attaches an opened network device found on `usbPath`: the session's id and the port it is listed on.
    func attach(network connection: NetworkConnection, usbPath: String) async -> Result<(id: String, port: String), DiscoveryRefusal>

    /// Ends an opened network device's connection that was not attached.
    func close(_ connection: NetworkConnection) async

    /// Lists (or updates) a device that has no session.
    func list(_ listing: DiscoveryListing) async

    /// Ends the sessions of the device that left `usbPath` and drops its listing; the ids it ended.
    func detach(usbPath: String, reason: String) async -> [String]
}
