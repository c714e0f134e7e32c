/// Builds umockdev device descriptions (TESTING.md A3) with matching USB descriptors (A9), so a
/// test states the device it wants in one expression and libudev and libusb see the same thing.
public struct MockUSBDevice: Sendable {
    public struct Interface: Sendable {
        public var number: Int
        public var interfaceClass: UInt8
        public var subclass: UInt8
        public var proto: UInt8
        /// (address, transfer type 2 bulk / 3 interrupt, max packet size)
        public var endpoints: [(UInt8, UInt8, UInt16)]
        public var driver: String
        public var tty: String?
        public var net: String?
        public var interfaceString: String?

        /// An interface with its class triple, endpoints `(address, transfer type, max packet size)`, kernel driver,
        /// and the tty or network interface it gets (if any).
        public init(number: Int, interfaceClass: UInt8, subclass: UInt8, proto: UInt8, endpoints: [(UInt8, UInt8, UInt16)],
                    driver: String, tty: String? = nil, net: String? = nil, interfaceString: String? = nil) {
            self.number = number
            self.interfaceClass = interfaceClass
            self.subclass = subclass
            self.proto = proto
            self.endpoints = endpoints
            self.driver = driver
            self.tty = tty
            self.net = net
            self.interfaceString = interfaceString
        }
    }

    public static let bus = "/devices/pci0000:00/0000:00:14.0/usb1"

    public var port: String
    public var deviceNumber: Int
    public var vendorID: UInt16
    public var productID: UInt16
    public var manufacturer = "HUAWEI Technology"
    public var product = "HUAWEI Mobile"
    public var serial: String?
    public var interfaces: [Interface]

    /// A device on USB port `port` (e.g. `1-1`) with bus device number `deviceNumber`.
    public init(port: String, deviceNumber: Int, vendorID: UInt16, productID: UInt16, manufacturer: String = "HUAWEI Technology",
                product: String = "HUAWEI Mobile", serial: String? = nil, interfaces: [Interface]) {
        self.port = port
        self.deviceNumber = deviceNumber
        self.vendorID = vendorID
        self.productID = productID
        self.manufacturer = manufacturer
        self.product = product
        self.serial = serial
        self.interfaces = interfaces
    }

    public var syspath: String { "/sys" + Self.bus + "/" + port }
    public var devnode: String { "/dev/bus/usb/001/" + Self.pad3(deviceNumber) }

    public func interfaceSyspath(_ number: Int) -> String { syspath + "/\(port):1.\(number)" }

    public func ttySyspath(_ interface: Interface) -> String? {
        interface.tty.map { interfaceSyspath(interface.number) + "/\($0)/tty/\($0)" }
    }

    /// Every sysfs path of the device, children first: the order the kernel removes them in.
    public var removalOrder: [String] {
        var paths: [String] = []
        for interface in interfaces {
            if let tty = interface.tty {
                paths.append(interfaceSyspath(interface.number) + "/\(tty)/tty/\(tty)")
                paths.append(interfaceSyspath(interface.number) + "/\(tty)")
            }
            if let net = interface.net { paths.append(interfaceSyspath(interface.number) + "/net/\(net)") }
            paths.append(interfaceSyspath(interface.number))
        }
        paths.append(syspath)
        return paths
    }

    /// The USB device and its interfaces, without ttys or network interfaces.
    public var deviceDescription: String {
        var text = """
        P: \(Self.bus)/\(port)
        N: bus/usb/001/\(Self.pad3(deviceNumber))
        E: DEVNAME=\(devnode)
        E: DEVTYPE=usb_device
        E: DRIVER=usb
        E: PRODUCT=\(String(vendorID, radix: 16))/\(String(productID, radix: 16))/102
        E: BUSNUM=001
        E: DEVNUM=\(Self.pad3(deviceNumber))
        E: MAJOR=189
        E: MINOR=\(deviceNumber - 1)
        E: SUBSYSTEM=usb
        E: HOTSPOTD_CANDIDATE=1
        E: ID_MM_DEVICE_IGNORE=1
        A: idVendor=\(USBIDText.hex4(vendorID))
        A: idProduct=\(USBIDText.hex4(productID))
        A: bcdDevice=0102
        A: manufacturer=\(manufacturer)
        A: product=\(product)

        """
        if let serial { text += "A: serial=\(serial)\n" }
        text += """
        A: busnum=1\\n
        A: devnum=\(deviceNumber)\\n
        A: speed=480\\n
        A: bConfigurationValue=1\\n
        A: bNumInterfaces= \(interfaces.count)
        A: dev=189:\(deviceNumber - 1)
        L: driver=../../../../../bus/usb/drivers/usb
        H: descriptors=\(descriptorHex)

        """
        for interface in interfaces {
            text += """

            P: \(Self.bus)/\(port)/\(port):1.\(interface.number)
            E: DEVTYPE=usb_interface
            E: DRIVER=\(interface.driver)
            E: INTERFACE=\(interface.interfaceClass)/\(interface.subclass)/\(interface.proto)
            E: SUBSYSTEM=usb
            L: driver=../../../../../../bus/usb/drivers/\(interface.driver)
            A: bInterfaceNumber=\(Self.hex2(UInt8(interface.number)))
            A: bInterfaceClass=\(Self.hex2(interface.interfaceClass))
            A: bInterfaceSubClass=\(Self.hex2(interface.subclass))
            A: bInterfaceProtocol=\(Self.hex2(interface.proto))
            A: bNumEndpoints=\(Self.hex2(UInt8(interface.endpoints.count)))

            """
            if let string = interface.interfaceString { text += "A: interface=\(string)\n" }
        }
        return text
    }

    /// The tty (usb-serial port + tty class device) of one interface.
    public func ttyDescription(_ interface: Interface) -> String {
        guard let tty = interface.tty else { return "" }
        let minor = Int(tty.drop { !$0.isNumber }) ?? 0
        let base = "\(Self.bus)/\(port)/\(port):1.\(interface.number)/\(tty)"
        return """

        P: \(base)
        E: DRIVER=option1
        E: SUBSYSTEM=usb-serial
        A: port_number=0

        P: \(base)/tty/\(tty)
        N: \(tty)
        E: DEVNAME=/dev/\(tty)
        E: MAJOR=188
        E: MINOR=\(minor)
        E: SUBSYSTEM=tty
        E: ID_VENDOR_ID=\(USBIDText.hex4(vendorID))
        E: ID_MODEL_ID=\(USBIDText.hex4(productID))
        E: ID_USB_INTERFACE_NUM=\(Self.hex2(UInt8(interface.number)))
        E: HOTSPOTD_CANDIDATE=1
        E: ID_MM_DEVICE_IGNORE=1
        A: dev=188:\(minor)

        """
    }

    public func netDescription(_ interface: Interface) -> String {
        guard let net = interface.net else { return "" }
        return """

        P: \(Self.bus)/\(port)/\(port):1.\(interface.number)/net/\(net)
        E: INTERFACE=\(net)
        E: IFINDEX=7
        E: SUBSYSTEM=net
        E: HOTSPOTD_CANDIDATE=1
        A: address=0c:5b:8f:27:9a:64
        A: ifindex=7

        """
    }

    /// The whole device: USB device, interfaces, ttys and network interfaces.
    public var description: String {
        deviceDescription + interfaces.map { ttyDescription($0) + netDescription($0) }.joined()
    }

    /// Device descriptor + configuration descriptor, as `H: descriptors=` wants them.
    public var descriptorHex: String {
        var bytes: [UInt8] = [18, 1, 0x00, 0x02, 0, 0, 0, 64]
        bytes += Self.le16(vendorID) + Self.le16(productID) + Self.le16(0x0102) + [1, 2, 3, 1]
        var body: [UInt8] = []
        for interface in interfaces {
            body += [9, 4, UInt8(interface.number), 0, UInt8(interface.endpoints.count),
                     interface.interfaceClass, interface.subclass, interface.proto, 0]
            for (address, type, size) in interface.endpoints {
                body += [7, 5, address, type] + Self.le16(size) + [type == 3 ? 5 : 0]
            }
        }
        bytes += [9, 2] + Self.le16(UInt16(9 + body.count)) + [UInt8(interfaces.count), 1, 0, 0x80, 250] + body
        return bytes.map { Self.hex2($0).uppercased() }.joined()
    }

    public static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8)] }
    public static func hex2(_ value: UInt8) -> String { value < 16 ? "0" + String(value, radix: 16) : String(value, radix: 16) }
    public static func pad3(_ value: Int) -> String { String(repeating: "0", count: max(0, 3 - String(value).count)) + String(value) }
}

public enum USBIDText {
    public static func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}

/// The devices the tests use.
public enum MockDevices {
    /// A Huawei E5 Mobile WiFi in serial mode: modem, diag and PC UI ports.
    public static let e5Hotspot = MockUSBDevice(
        port: "1-1", deviceNumber: 2, vendorID: 0x12d1, productID: 0x1506, product: "HUAWEI Mobile WiFi",
        serial: "0123456789ABCDEF",
        interfaces: [
            .init(number: 0, interfaceClass: 0xff, subclass: 0x02, proto: 0x01,
                  endpoints: [(0x81, 3, 64), (0x82, 2, 512), (0x01, 2, 512)], driver: "option", tty: "ttyUSB0"),
            .init(number: 1, interfaceClass: 0xff, subclass: 0x02, proto: 0x03,
                  endpoints: [(0x83, 2, 512), (0x02, 2, 512)], driver: "option", tty: "ttyUSB1"),
            .init(number: 2, interfaceClass: 0xff, subclass: 0x02, proto: 0x02,
                  endpoints: [(0x84, 3, 64), (0x85, 2, 512), (0x03, 2, 512)], driver: "option", tty: "ttyUSB2"),
        ])

    /// The same kind of unit in its ZeroCD personality, on port 1-2.
    public static let zeroCD = MockUSBDevice(
        port: "1-2", deviceNumber: 3, vendorID: 0x12d1, productID: 0x1f01,
        interfaces: [
            .init(number: 0, interfaceClass: 0x08, subclass: 0x06, proto: 0x50,
                  endpoints: [(0x81, 2, 512), (0x01, 2, 512)], driver: "usb-storage"),
        ])

    /// What the ZeroCD unit becomes after the switch: serial mode on the same port, new number.
    public static let switchedOnPort2 = MockUSBDevice(
        port: "1-2", deviceNumber: 4, vendorID: 0x12d1, productID: 0x1506,
        interfaces: [
            .init(number: 0, interfaceClass: 0xff, subclass: 0x02, proto: 0x01,
                  endpoints: [(0x81, 3, 64), (0x82, 2, 512), (0x01, 2, 512)], driver: "option", tty: "ttyUSB3"),
            .init(number: 1, interfaceClass: 0xff, subclass: 0x02, proto: 0x02,
                  endpoints: [(0x83, 2, 512), (0x02, 2, 512)], driver: "option", tty: "ttyUSB4"),
        ])

    /// A HiLink unit: CDC-Ethernet only.
    public static let hiLink = MockUSBDevice(
        port: "1-3", deviceNumber: 5, vendorID: 0x12d1, productID: 0x14dc, product: "HUAWEI HiLink",
        interfaces: [
            .init(number: 0, interfaceClass: 0x02, subclass: 0x06, proto: 0x00,
                  endpoints: [(0x81, 3, 16)], driver: "cdc_ether", net: "usb0"),
            .init(number: 1, interfaceClass: 0x0a, subclass: 0x00, proto: 0x00,
                  endpoints: [(0x82, 2, 512), (0x01, 2, 512)], driver: "cdc_ether"),
        ])
}
