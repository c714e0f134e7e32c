import DeviceDiscovery

/// The `discovery` section of the daemon's configuration: finding USB devices by themselves.
///
/// Every key is optional; an absent section means discovery on, mode switching on, the catalog read from the
/// shipped directory and then `/etc/hotspotd/devices.d`, and the AT port memory kept in `at-ports.json` next to the
/// ledger.
public struct DiscoverySettings: Codable, Sendable, Equatable {
    /// Whether hotspotd watches udev for devices at all (`--no-discovery` also turns it off). Default true.
    public var enabled: Bool?
    /// Whether devices in their CD-ROM personality are switched with libusb. Default true; turn it off when
    /// usb_modeswitch already does it on this machine.
    public var modeSwitch: Bool?
    /// Catalog directories, read in order (later files override earlier ones). Default: the shipped directory, then
    /// `/etc/hotspotd/devices.d`.
    public var catalogDirectories: [String]?
    /// Where the AT port chosen per device is remembered across restarts: absent (`nil`) for the default file next to
    /// the ledger, `.some(nil)` (JSON `null`) for memory only, or a path.
    ///
    /// A double optional because JSON's absent and `null` mean different things here; read it with `portMemoryPath`.
    public var portMemoryFile: String??

    /// Creates settings; `nil` keeps each default.
    public init(enabled: Bool? = nil, modeSwitch: Bool? = nil, catalogDirectories: [String]? = nil,
                portMemoryFile: String?? = nil) {
        self.enabled = enabled
        self.modeSwitch = modeSwitch
        self.catalogDirectories = catalogDirectories
        self.portMemoryFile = portMemoryFile
    }

    private enum CodingKeys: String, CodingKey {
        case enabled, modeSwitch, catalogDirectories, portMemoryFile
    }

    /// Decodes the section; `"portMemoryFile": null` is kept apart from an absent key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled)
        modeSwitch = try container.decodeIfPresent(Bool.self, forKey: .modeSwitch)
        catalogDirectories = try container.decodeIfPresent([String].self, forKey: .catalogDirectories)
        if container.contains(.portMemoryFile) {
            portMemoryFile = .some(try container.decodeNil(forKey: .portMemoryFile)
                ? nil : try container.decode(String.self, forKey: .portMemoryFile))
        } else {
            portMemoryFile = nil
        }
    }

    /// Encodes the section; memory-only is written as `"portMemoryFile": null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(enabled, forKey: .enabled)
        try container.encodeIfPresent(modeSwitch, forKey: .modeSwitch)
        try container.encodeIfPresent(catalogDirectories, forKey: .catalogDirectories)
        switch portMemoryFile {
        case .none: break
        case .some(.none): try container.encodeNil(forKey: .portMemoryFile)
        case .some(.some(let path)): try container.encode(path, forKey: .portMemoryFile)
        }
    }

    /// Whether discovery runs.
    public var isEnabled: Bool { enabled ?? true }

    /// Whether mode switching is allowed.
    public var isModeSwitchEnabled: Bool { modeSwitch ?? true }

    /// The catalog directories to load.
    public var directories: [String] {
        catalogDirectories ?? [USBDeviceCatalog.shippedDirectory, USBDeviceCatalog.overrideDirectory]
    }

    /// The AT port memory file to use: the configured path, `nil` for memory only, or `defaultPath` when not configured.
    public func portMemoryPath(default defaultPath: String) -> String? {
        switch portMemoryFile {
        case .none: return defaultPath
        case .some(let configured): return configured
        }
    }

    /// The default AT port memory file for a ledger at `databasePath`: `at-ports.json` in the same directory
    /// (`/var/lib/hotspotd/at-ports.json` for the default ledger, inside the unit's `StateDirectory=hotspotd`).
    public static func defaultPortMemoryFile(databasePath: String) -> String {
        guard let slash = databasePath.lastIndex(of: "/") else { return "at-ports.json" }
        let directory = databasePath[..<slash]
        return (directory.isEmpty ? "" : String(directory)) + "/at-ports.json"
    }
}
