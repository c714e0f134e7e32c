import StationAPI

/// One `devices[]` entry of a catalog file: a family of USB ids and what to do with them.
///
/// See `catalog/devices/README.md` for the file format. Exactly one of `modeSwitch`, `atPort`
/// or `noATPort` normally decides the classification; `noATPort` wins over `modeSwitch`, which
/// wins over `atPort`.
public struct USBCatalogEntry: Sendable, Equatable {
    /// Unique name; a later file's entry with the same id replaces this one.
    public var id: String
    /// Human description.
    public var name: String
    /// The vendor:product ids covered.
    public var usbIDs: [USBID]
    /// Default role.
    public var role: DeviceRole
    /// Role overrides by text in the USB product string, first match wins.
    public var roleByProductString: [ProductStringRole]
    /// Present when the ids are a storage personality that must be switched.
    public var modeSwitch: ModeSwitchSpec?
    /// How to find the AT port.
    public var atPort: ATPortHints?
    /// Present when the device cannot be driven over AT: the reason.
    public var noATPort: String?
    /// When set, the entry applies only to a device whose USB manufacturer string contains this text
    /// (case-insensitive): usb-modeswitch-data's `uMa=` variants of a shared id.
    public var whenManufacturerContains: String?
    /// When set, the entry applies only to a device whose USB product string contains this text
    /// (case-insensitive): usb-modeswitch-data's `uPr=` variants.
    public var whenProductContains: String?

    /// Creates an entry.
    public init(id: String, name: String, usbIDs: [USBID], role: DeviceRole = .modem,
                roleByProductString: [ProductStringRole] = [], modeSwitch: ModeSwitchSpec? = nil,
                atPort: ATPortHints? = nil, noATPort: String? = nil,
                whenManufacturerContains: String? = nil, whenProductContains: String? = nil) {
        self.id = id
        self.name = name
        self.usbIDs = usbIDs
        self.role = role
        self.roleByProductString = roleByProductString
        self.modeSwitch = modeSwitch
        self.atPort = atPort
        self.noATPort = noATPort
        self.whenManufacturerContains = whenManufacturerContains
        self.whenProductContains = whenProductContains
    }

    /// Whether the entry's string conditions hold for a device with these USB strings (a condition on a string the
    /// device does not have fails).
    public func appliesTo(manufacturer: String?, product: String?) -> Bool {
        func holds(_ wanted: String?, _ actual: String?) -> Bool {
            guard let wanted else { return true }
            guard let actual else { return false }
            return actual.lowercased().contains(wanted.lowercased())
        }
        return holds(whenManufacturerContains, manufacturer) && holds(whenProductContains, product)
    }

    /// The role for a device with this USB product string.
    public func role(forProduct product: String?) -> DeviceRole {
        guard let product = product?.lowercased() else { return role }
        return roleByProductString.first { product.contains($0.contains.lowercased()) }?.role ?? role
    }
}

/// A role chosen by a substring of the USB product string (`WiFi` → hotspot).
public struct ProductStringRole: Sendable, Equatable {
    /// Case-insensitive text to look for.
    public var contains: String
    /// The role when found.
    public var role: DeviceRole

    /// Creates a rule.
    public init(contains: String, role: DeviceRole) {
        self.contains = contains
        self.role = role
    }
}

/// The catalog's description of a mode switch (method, targets, patience).
public struct ModeSwitchSpec: Sendable, Equatable {
    /// How to switch.
    public var method: ModeSwitchMethod
    /// Personalities the device may come back as.
    public var targetUSBIDs: [USBID]
    /// How long to wait for the device to come back.
    public var timeout: Duration
    /// Set when the switched device may keep its ids and only change its interfaces.
    public var targetClass: ModeSwitchTargetClass?
    /// `SET_CONFIGURATION` to this value after the method's transfers.
    public var configuration: UInt8?
    /// The storage interface to use instead of the first mass-storage one.
    public var interfaceNumber: Int?
    /// The bulk OUT endpoint to use instead of the storage interface's first one.
    public var messageEndpoint: UInt8?
    /// The bulk IN endpoint to read replies from instead of the storage interface's first one.
    public var responseEndpoint: UInt8?
    /// Reset the USB port at the end.
    public var resetUSB: Bool

    /// Creates a spec.
    public init(method: ModeSwitchMethod, targetUSBIDs: [USBID], timeout: Duration = .seconds(20),
                targetClass: ModeSwitchTargetClass? = nil, configuration: UInt8? = nil, interfaceNumber: Int? = nil,
                messageEndpoint: UInt8? = nil, responseEndpoint: UInt8? = nil, resetUSB: Bool = false) {
        self.method = method
        self.targetUSBIDs = targetUSBIDs
        self.timeout = timeout
        self.targetClass = targetClass
        self.configuration = configuration
        self.interfaceNumber = interfaceNumber
        self.messageEndpoint = messageEndpoint
        self.responseEndpoint = responseEndpoint
        self.resetUSB = resetUSB
    }
}

/// Evidence for which tty speaks AT, in the order the classifier trusts it.
///
/// Protocol bytes apply to vendor-specific (`ff`) interfaces only: other classes reuse the
/// numbers for other meanings.
public struct ATPortHints: Sendable, Equatable {
    /// Protocol bytes of the PC UI (control) function: `02 12 32 62` on Huawei.
    public var pcuiProtocols: [UInt8]
    /// Protocol bytes of the modem (PPP data) function: `01 10 31 61` on Huawei.
    public var modemProtocols: [UInt8]
    /// Protocol bytes that never speak AT (diag `03 13`, GPS `05 14`).
    public var nonATProtocols: [UInt8]
    /// Interface-string fragments of the control port (`PC UI`), case-insensitive.
    public var interfaceStrings: [String]
    /// Per-product table: control port interface numbers, preferred first.
    public var interfaceNumbers: [Int]
    /// Per-product table: modem port interface numbers.
    public var modemInterfaceNumbers: [Int]
    /// Per-product table: interface numbers that never speak AT (QCDM/diag, GPS, audio): never probed.
    public var nonATInterfaceNumbers: [Int]

    /// Creates hints; every list may be empty.
    public init(pcuiProtocols: [UInt8] = [], modemProtocols: [UInt8] = [], nonATProtocols: [UInt8] = [],
                interfaceStrings: [String] = [], interfaceNumbers: [Int] = [], modemInterfaceNumbers: [Int] = [],
                nonATInterfaceNumbers: [Int] = []) {
        self.pcuiProtocols = pcuiProtocols
        self.modemProtocols = modemProtocols
        self.nonATProtocols = nonATProtocols
        self.interfaceStrings = interfaceStrings
        self.interfaceNumbers = interfaceNumbers
        self.modemInterfaceNumbers = modemInterfaceNumbers
        self.nonATInterfaceNumbers = nonATInterfaceNumbers
    }
}

/// A `genericRules[]` entry: matches devices by interface class rather than by id.
public struct USBGenericRule: Sendable, Equatable {
    /// Unique name.
    public var id: String
    /// Human description.
    public var name: String
    /// Vendors the rule is limited to; empty means any vendor.
    public var vendorIDs: [UInt16]
    /// bInterfaceClass an interface must have.
    public var interfaceClass: UInt8
    /// bInterfaceSubClass an interface must have, if given.
    public var interfaceSubclass: UInt8?
    /// Port hints for matching devices (protocol bytes also restrict which interfaces match).
    public var hints: ATPortHints
    /// Only for devices udev tagged `HOTSPOTD_CANDIDATE=1`.
    public var requiresUdevCandidate: Bool
    /// The role of a matching device.
    public var role: DeviceRole

    /// Creates a rule.
    public init(id: String, name: String, vendorIDs: [UInt16] = [], interfaceClass: UInt8, interfaceSubclass: UInt8? = nil,
                hints: ATPortHints, requiresUdevCandidate: Bool = false, role: DeviceRole = .modem) {
        self.id = id
        self.name = name
        self.vendorIDs = vendorIDs
        self.interfaceClass = interfaceClass
        self.interfaceSubclass = interfaceSubclass
        self.hints = hints
        self.requiresUdevCandidate = requiresUdevCandidate
        self.role = role
    }

    /// Whether the rule applies to one interface of a device with this vendor.
    public func matches(vendorID: UInt16, interface: USBInterfaceInfo) -> Bool {
        guard vendorIDs.isEmpty || vendorIDs.contains(vendorID) else { return false }
        guard interface.interfaceClass == interfaceClass else { return false }
        if let interfaceSubclass, interface.interfaceSubclass != interfaceSubclass { return false }
        let known = hints.pcuiProtocols + hints.modemProtocols
        return known.isEmpty || known.contains(interface.interfaceProtocol)
    }
}
