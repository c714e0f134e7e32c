/// What the libudev thread read from one udev device (enumerated or from a uevent), as a value.
///
/// This is the seam between libudev and the pure grouping logic (`USBTopology`): the thread turns
/// each `udev_device` into an observation at once, so no libudev pointer outlives its callback and
/// the grouping can be tested without udev. On `remove` the sysfs attributes are gone; only the
/// syspath is relied on then.
struct UdevObservation: Sendable, Equatable {
    /// The uevent action; enumeration at start reports `add`.
    enum Action: Sendable, Equatable {
        case add, change, bind, unbind, remove, other(String)

        init(_ text: String?) {
            switch text {
            case nil, "add": self = .add
            case "change": self = .change
            case "bind": self = .bind
            case "unbind": self = .unbind
            case "remove": self = .remove
            case let other?: self = .other(other)
            }
        }
    }

    /// The facts of a `usb_device`, read from its sysfs attributes and udev properties.
    struct Device: Sendable, Equatable {
        var usbPath: String
        var syspath: String
        var vendorID: UInt16?
        var productID: UInt16?
        var serial: String?
        var manufacturer: String?
        var product: String?
        var busNumber: Int?
        var deviceNumber: Int?
        var devnode: String?
        var properties: [String: String]
    }

    /// Which kind of device the observation is about.
    enum Node: Sendable, Equatable {
        /// The USB device itself.
        case usbDevice(Device)
        /// One interface; `device` is its parent when it could be read.
        case usbInterface(USBInterfaceInfo, device: Device?, properties: [String: String])
        /// A tty with a USB ancestor.
        case tty(TTYPort, device: Device?, properties: [String: String])
        /// A network interface with a USB ancestor.
        case net(name: String, device: Device?, properties: [String: String])
        /// A device of a watched subsystem that is not under USB (virtual consoles, loopback).
        case unrelated
    }

    var action: Action
    var syspath: String
    var node: Node
}
