import StationAPI

/// What the catalog says to do with a USB device snapshot.
///
/// Computed by `DeviceClassifier` (pure). Classify again on every `changed` event: a device
/// whose ttys have not appeared yet is `unknown` until they do.
public enum DeviceClassification: Sendable, Equatable {
    /// The device speaks AT. `atPort` is the preferred port (first of `candidatePorts`); when no
    /// hint applied it is only the first guess, and the station probes `candidatePorts` in order
    /// (`AT`, ≤ 500 ms, 2 tries) and keeps the first that answers `OK`.
    case atDevice(atPort: String, candidatePorts: [String], role: DeviceRole)
    /// The device is in a storage (ZeroCD) personality; send this plan, then wait for it to come
    /// back on the same USB path.
    case needsModeSwitch(ModeSwitchPlan)
    /// A known device that cannot be driven over AT (HiLink); `reason` is for the technician.
    case noATPort(reason: String)
    /// Not ours, or not ready: leave it alone.
    case unknown
}

/// Everything needed to switch one device out of its storage personality.
///
/// Made by the classifier from the snapshot and the catalog entry, consumed by
/// `USBModeSwitcher` (send) and `ModeSwitchWaiter` (wait for the device to come back).
public struct ModeSwitchPlan: Sendable, Equatable {
    /// The USB path the device must come back on.
    public var usbPath: String
    /// The ids it has now (storage personality).
    public var from: USBID
    /// Bus number to open it with libusb.
    public var busNumber: Int?
    /// Device number to open it with libusb.
    public var deviceNumber: Int?
    /// The mass-storage interface (class 08) to send a bulk message to; `nil` picks the first
    /// mass-storage interface of the active configuration.
    public var storageInterfaceNumber: Int?
    /// How to switch.
    public var method: ModeSwitchMethod
    /// Personalities it may come back as; reaching any of them ends the wait.
    public var targetUSBIDs: [USBID]
    /// How long to wait for it to come back.
    public var timeout: Duration
    /// The catalog entry that produced the plan, for the log and the ledger.
    public var catalogEntryID: String
    /// Set when the switched device may keep its ids and only change its interfaces.
    public var targetClass: ModeSwitchTargetClass?
    /// `SET_CONFIGURATION` to this value after the method's transfers.
    public var configuration: UInt8?
    /// The bulk OUT endpoint to use instead of the storage interface's first one.
    public var messageEndpoint: UInt8?
    /// The bulk IN endpoint to read replies from instead of the storage interface's first one.
    public var responseEndpoint: UInt8?
    /// Reset the USB port at the end (`libusb_reset_device`).
    public var resetUSB: Bool

    /// Creates a plan.
    public init(usbPath: String, from: USBID, busNumber: Int?, deviceNumber: Int?, storageInterfaceNumber: Int?,
                method: ModeSwitchMethod, targetUSBIDs: [USBID], timeout: Duration, catalogEntryID: String,
                targetClass: ModeSwitchTargetClass? = nil, configuration: UInt8? = nil, messageEndpoint: UInt8? = nil,
                responseEndpoint: UInt8? = nil, resetUSB: Bool = false) {
        self.usbPath = usbPath
        self.from = from
        self.busNumber = busNumber
        self.deviceNumber = deviceNumber
        self.storageInterfaceNumber = storageInterfaceNumber
        self.method = method
        self.targetUSBIDs = targetUSBIDs
        self.timeout = timeout
        self.catalogEntryID = catalogEntryID
        self.targetClass = targetClass
        self.configuration = configuration
        self.messageEndpoint = messageEndpoint
        self.responseEndpoint = responseEndpoint
        self.resetUSB = resetUSB
    }

    /// Whether a snapshot on the plan's USB path shows the switched personality: one of the
    /// target ids, or (with a target class) interfaces of that class and none of mass storage.
    public func isSwitched(_ snapshot: USBDeviceSnapshot) -> Bool {
        if targetUSBIDs.contains(snapshot.usbID) { return true }
        return targetClass?.matches(snapshot) ?? false
    }
}

extension ModeSwitchTargetClass {
    /// Whether the snapshot's interfaces show this target (a snapshot whose interfaces are not
    /// known yet does not).
    public func matches(_ snapshot: USBDeviceSnapshot) -> Bool {
        guard !snapshot.interfaces.isEmpty, !snapshot.interfaces.contains(where: { $0.interfaceClass == 0x08 }) else {
            return false
        }
        switch self {
        case .interfaceClass(let wanted): return snapshot.interfaces.contains { $0.interfaceClass == wanted }
        case .anyWithoutStorage: return true
        }
    }
}

/// How a device is told to leave its storage personality.
public enum ModeSwitchMethod: Sendable, Equatable {
    /// Send these bytes (a 31-byte mass-storage CBW) to the bulk OUT endpoint of the storage
    /// interface, then read the 13-byte status if the device sends one.
    case bulkMessage([UInt8])
    /// Older Huawei sticks: a standard `SET_FEATURE` device request (wValue 1, wIndex 0).
    case huaweiSetFeature
    /// Bulk messages to the storage interface in order, each followed by its reply read when it
    /// asks for one (usb_modeswitch's MessageContent 1-3, standard eject, Option, Cisco).
    case bulkMessages([ModeSwitchBulkMessage])
    /// Control requests on endpoint 0 in order (Sierra, Pantech, Quanta, ...); none claims an interface.
    case controlRequests([USBControlRequest])
    /// Only `SET_CONFIGURATION` to this value (devices whose modem lives in another configuration).
    case setConfiguration(UInt8)

    /// usb_modeswitch's "Huawei new mode" message; the byte after `11 06` selects the target.
    public static let huaweiNewModeMessage: [UInt8] = [
        0x55, 0x53, 0x42, 0x43, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11,
        0x06, 0x20, 0x00, 0x00, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]

    /// The bulk messages this method sends, in order (empty for control-only methods).
    public var bulkMessages: [ModeSwitchBulkMessage] {
        switch self {
        case .bulkMessage(let bytes): return [ModeSwitchBulkMessage(bytes)]
        case .bulkMessages(let messages): return messages
        case .huaweiSetFeature, .controlRequests, .setConfiguration: return []
        }
    }
}
