import DeviceDiscovery

/// The `discovery` section of the daemon's configuration: finding USB devices by themselves.
///
/// Every key is optional; an absent section means discovery on, mode switching on, and the catalog read from the
/// shipped directory and then `/etc/hotspotd/devices.d`.
public struct DiscoverySettings: Codable, Sendable, Equatable {
    /// Whether hotspotd watches udev for devices at all (`--no-discovery` also turns it off). Default true.
    public var enabled: Bool?
    /// Whether devices in their CD-ROM personality are switched with libusb. Default true; turn it off when
    /// usb_modeswitch already does it on this machine.
    public var modeSwitch: Bool?
    /// Catalog directories, read in order (later files override earlier ones). Default: the shipped directory, then
    /// `/etc/hotspotd/devices.d`.
    public var catalogDirectories: [String]?

    /// Creates settings; `nil` keeps each default.
    public init(enabled: Bool? = nil, modeSwitch: Bool? = nil, catalogDirectories: [String]? = nil) {
        self.enabled = enabled
        self.modeSwitch = modeSwitch
        self.catalogDirectories = catalogDirectories
    }

    /// Whether discovery runs.
    public var isEnabled: Bool { enabled ?? true }

    /// Whether mode switching is allowed.
    public var isModeSwitchEnabled: Bool { modeSwitch ?? true }

    /// The catalog directories to load.
    public var directories: [String] {
        catalogDirectories ?? [USBDeviceCatalog.shippedDirectory, USBDeviceCatalog.overrideDirectory]
    }
}
