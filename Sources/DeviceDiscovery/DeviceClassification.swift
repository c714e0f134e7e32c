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

    /// Creates a plan.
    public init(usbPath: String, from: USBID, busNumber: Int?, deviceNumber: Int?, storageInterfaceNumber: Int?,
                method: ModeSwitchMethod, targetUSBIDs: [USBID], timeout: Duration, catalogEntryID: String) {
        self.usbPath = usbPath
        self.from = from
        self.busNumber = busNumber
        self.deviceNumber = deviceNumber
        self.storageInterfaceNumber = storageInterfaceNumber
        self.method = method
        self.targetUSBIDs = targetUSBIDs
        self.timeout = timeout
        self.catalogEntryID = catalogEntryID
    }
}

/// How a device is told to leave its storage personality.
public enum ModeSwitchMethod: Sendable, Equatable {
    /// Send these bytes (a 31-byte mass-storage CBW) to the bulk OUT endpoint of the storage
    /// interface, then read the 13-byte status if the device sends one.
    case bulkMessage([UInt8])
    /// Older Huawei sticks: a standard `SET_FEATURE` device request (wValue 1, wIndex 0).
    case huaweiSetFeature

    /// usb_modeswitch's "Huawei new mode" message; the byte after `11 06` selects the target.
    public static let huaweiNewModeMessage: [UInt8] = [
        0x55, 0x53, 0x42, 0x43, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11,
        0x06, 0x20, 0x00, 0x00, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]
}
