/// Everything discovery knows about one physical USB device at one moment, as a plain value.
///
/// Snapshots are built on the libudev thread and leave it as copies: nothing in here points back
/// into libudev. Ports and network interfaces are grouped under their USB device (the sysfs
/// `usb_device` ancestor), so one snapshot is one thing a technician plugged in. Fields the kernel
/// did not (yet) report are `nil` or empty; a later `changed` event fills them in.
public struct USBDeviceSnapshot: Sendable, Equatable {
    /// The kernel's name for the USB port chain, e.g. `1-1` or `2-1.4`; stable for a physical
    /// socket, and the key a device keeps across a mode switch.
    public var usbPath: String
    /// The device's sysfs path, e.g. `/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1`.
    public var syspath: String
    /// idVendor of the current personality.
    public var vendorID: UInt16
    /// idProduct of the current personality (changes across a mode switch).
    public var productID: UInt16
    /// The iSerial string, when the device has one.
    public var serial: String?
    /// The iManufacturer string (`HUAWEI Technology`).
    public var manufacturer: String?
    /// The iProduct string (`HUAWEI Mobile`).
    public var product: String?
    /// The bus number, for opening the device with libusb.
    public var busNumber: Int?
    /// The device number on its bus, for opening the device with libusb.
    public var deviceNumber: Int?
    /// The usbfs node, e.g. `/dev/bus/usb/001/002`.
    public var devnode: String?
    /// The interfaces of the active configuration, ordered by interface number.
    public var interfaces: [USBInterfaceInfo]
    /// The serial ports, ordered by interface number and then node name.
    public var ttys: [TTYPort]
    /// Kernel network interface names (`usb0`, `wwan0`), sorted.
    public var netInterfaces: [String]
    /// udev properties that matter to us (`HOTSPOTD_*`, `ID_MM_*`), merged from the device, its
    /// interfaces and its ports; the device's own value wins on conflict.
    public var properties: [String: String]

    /// Creates a snapshot; discovery does this, tests build them by hand.
    public init(usbPath: String, syspath: String, vendorID: UInt16, productID: UInt16,
                serial: String? = nil, manufacturer: String? = nil, product: String? = nil,
                busNumber: Int? = nil, deviceNumber: Int? = nil, devnode: String? = nil,
                interfaces: [USBInterfaceInfo] = [], ttys: [TTYPort] = [], netInterfaces: [String] = [],
                properties: [String: String] = [:]) {
        self.usbPath = usbPath
        self.syspath = syspath
        self.vendorID = vendorID
        self.productID = productID
        self.serial = serial
        self.manufacturer = manufacturer
        self.product = product
        self.busNumber = busNumber
        self.deviceNumber = deviceNumber
        self.devnode = devnode
        self.interfaces = interfaces
        self.ttys = ttys
        self.netInterfaces = netInterfaces
        self.properties = properties
    }

    /// The vendor:product pair of the current personality.
    public var usbID: USBID { USBID(vendor: vendorID, product: productID) }

    /// Whether the udev rule claimed the device for us (`HOTSPOTD_CANDIDATE=1`).
    public var isUdevCandidate: Bool { properties["HOTSPOTD_CANDIDATE"] == "1" }

    /// The interface with this number, if the kernel reported it.
    public func interface(number: Int) -> USBInterfaceInfo? {
        interfaces.first { $0.number == number }
    }
}

/// One interface of a USB device's active configuration (class triple, string, bound driver).
///
/// The class/subclass/protocol bytes are what the catalog matches: Huawei's vendor-specific
/// interfaces (`ff`) name their function in the protocol byte (PC UI `02`, modem `01`, ...).
public struct USBInterfaceInfo: Sendable, Equatable {
    /// bInterfaceNumber.
    public var number: Int
    /// bInterfaceClass (`0xff` vendor-specific, `0x08` mass storage, `0x02` CDC).
    public var interfaceClass: UInt8
    /// bInterfaceSubClass.
    public var interfaceSubclass: UInt8
    /// bInterfaceProtocol.
    public var interfaceProtocol: UInt8
    /// The iInterface string (`HUAWEI Mobile Connect - PC UI Interface`), when present.
    public var interfaceString: String?
    /// The kernel driver bound to the interface (`option`, `usb-storage`, `cdc_ether`), if any.
    public var driver: String?

    /// Creates an interface description.
    public init(number: Int, interfaceClass: UInt8, interfaceSubclass: UInt8, interfaceProtocol: UInt8,
                interfaceString: String? = nil, driver: String? = nil) {
        self.number = number
        self.interfaceClass = interfaceClass
        self.interfaceSubclass = interfaceSubclass
        self.interfaceProtocol = interfaceProtocol
        self.interfaceString = interfaceString
        self.driver = driver
    }
}

/// A serial port of a USB device: its device node and the interface it belongs to.
///
/// The node name (`/dev/ttyUSB2`) can change when the device re-enumerates; the interface number
/// does not, so sessions should remember the pair, and devices by IMEI/ICCID.
public struct TTYPort: Sendable, Equatable {
    /// The device node, e.g. `/dev/ttyUSB2`.
    public var devnode: String
    /// bInterfaceNumber of the interface that owns the port; `nil` when udev did not tell.
    public var interfaceNumber: Int?

    /// Creates a port description.
    public init(devnode: String, interfaceNumber: Int?) {
        self.devnode = devnode
        self.interfaceNumber = interfaceNumber
    }
}
