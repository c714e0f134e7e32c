import CUdev
import Glibc
import Logging

/// The body of the discovery thread: every libudev call of the daemon happens in here.
///
/// libudev objects are wrapped at once in owning `~Copyable` values that are not `Sendable`, so
/// the compiler keeps them on this thread; what leaves is `UdevObservation`s folded into
/// snapshots by `USBTopology`.
enum UdevLoop {
    /// Subsystems the monitor and the enumeration look at.
    static let subsystems = ["usb", "tty", "net"]

    /// Runs until a byte arrives on `wakeFD`. Calls `started` exactly once: with success after
    /// the initial enumeration was published, or with the failure that prevented it.
    static func run(wakeFD: Int32, logger: Logger,
                    started: (Result<Void, DiscoveryError>) -> Void,
                    publish: (DiscoveryEvent?, [USBDeviceSnapshot]?) -> Void) {
        guard let context = UdevContext() else {
            started(.failure(DiscoveryError(.udevUnavailable, errno: errno, context: "udev_new")))
            return
        }
        let monitor: UdevMonitor
        switch UdevMonitor.open(context, subsystems: subsystems) {
        case .success(let opened): monitor = opened
        case .failure(let error):
            started(.failure(error))
            return
        }
        // The monitor is receiving before the enumeration starts: a device plugged in meanwhile
        // is seen by both, and the topology folds the duplicate into no event.
        var topology: USBTopology
        switch enumerateAll(context) {
        case .success(let enumerated): topology = enumerated
        case .failure(let error):
            started(.failure(error))
            return
        }
        publish(nil, topology.snapshots)
        started(.success(()))

        var fds = [pollfd(fd: monitor.fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                logger.info("discovery stopped: poll failed", metadata: ["error.errno": "\(errno)"])
                return
            }
            if fds[1].revents != 0 { return }
            guard fds[0].revents & Int16(POLLIN) != 0 else { continue }
            // Drain: one readiness may cover several queued uevents.
            while true {
                errno = 0
                guard let device = monitor.receive() else { break }
                let observation = device.observation(action: device.action)
                if let event = topology.apply(observation) {
                    logger.debug("discovery event", metadata: [
                        "usb.path": "\(event.usbPath)", "udev.action": "\(device.action ?? "")",
                        "udev.syspath": "\(observation.syspath)",
                    ])
                    publish(event, nil)
                }
            }
            // The kernel dropped uevents (socket buffer overrun, e.g. a hub full of modems
            // re-enumerating): the only truth left is sysfs, so enumerate again and publish the
            // difference.
            if errno == ENOBUFS {
                logger.info("discovery lost uevents, enumerating again")
                guard case .success(let fresh) = enumerateAll(context) else { continue }
                for event in USBTopology.differences(from: topology.snapshots, to: fresh.snapshots) {
                    publish(event, nil)
                }
                topology = fresh
            }
        }
    }

    private static func enumerateAll(_ context: borrowing UdevContext) -> Result<USBTopology, DiscoveryError> {
        var topology = USBTopology()
        for subsystem in subsystems {
            let result = enumerate(context, subsystem: subsystem) { observation in
                _ = topology.apply(observation)
            }
            if case .failure(let error) = result { return .failure(error) }
        }
        return .success(topology)
    }

    private static func enumerate(_ context: borrowing UdevContext, subsystem: String,
                                  _ body: (UdevObservation) -> Void) -> Result<Void, DiscoveryError> {
        guard let enumerator = udev_enumerate_new(context.pointer) else {
            return .failure(DiscoveryError(.udevUnavailable, errno: errno, context: "udev_enumerate_new"))
        }
        defer { udev_enumerate_unref(enumerator) }
        var status = udev_enumerate_add_match_subsystem(enumerator, subsystem)
        if status >= 0 { status = udev_enumerate_scan_devices(enumerator) }
        guard status >= 0 else {
            return .failure(DiscoveryError(.udevUnavailable, errno: -status, context: "udev_enumerate \(subsystem)"))
        }
        var entry = udev_enumerate_get_list_entry(enumerator)
        while let current = entry {
            defer { entry = udev_list_entry_get_next(current) }
            guard let name = udev_list_entry_get_name(current),
                  let device = UdevDevice(syspath: name, context: context) else { continue }
            body(device.observation(action: "add"))
        }
        return .success(())
    }
}

/// An owned `struct udev *`; unreferenced when the value ends. Never leaves its thread.
struct UdevContext: ~Copyable {
    let pointer: OpaquePointer

    init?() {
        guard let pointer = udev_new() else { return nil }
        self.pointer = pointer
    }

    deinit { udev_unref(pointer) }
}

/// An owned netlink `struct udev_monitor *` filtered to our subsystems and receiving.
struct UdevMonitor: ~Copyable {
    let pointer: OpaquePointer
    let fd: Int32

    private init(pointer: OpaquePointer, fd: Int32) {
        self.pointer = pointer
        self.fd = fd
    }

    static func open(_ context: borrowing UdevContext, subsystems: [String]) -> Result<UdevMonitor, DiscoveryError> {
        guard let pointer = udev_monitor_new_from_netlink(context.pointer, "udev") else {
            return .failure(DiscoveryError(.udevUnavailable, errno: errno, context: "udev_monitor_new_from_netlink"))
        }
        for subsystem in subsystems {
            let status = udev_monitor_filter_add_match_subsystem_devtype(pointer, subsystem, nil)
            if status < 0 {
                udev_monitor_unref(pointer)
                return .failure(DiscoveryError(.udevUnavailable, errno: -status, context: "udev monitor filter \(subsystem)"))
            }
        }
        // A larger buffer survives bursts (a hub with four modems); needs CAP_NET_ADMIN, optional.
        _ = udev_monitor_set_receive_buffer_size(pointer, 4 * 1024 * 1024)
        let status = udev_monitor_enable_receiving(pointer)
        guard status >= 0 else {
            udev_monitor_unref(pointer)
            return .failure(DiscoveryError(.udevUnavailable, errno: -status, context: "udev_monitor_enable_receiving"))
        }
        return .success(UdevMonitor(pointer: pointer, fd: udev_monitor_get_fd(pointer)))
    }

    /// The next queued uevent, or `nil` when none is waiting (the socket is non-blocking).
    func receive() -> UdevDevice? {
        udev_monitor_receive_device(pointer).map { UdevDevice(owning: $0) }
    }

    deinit { udev_monitor_unref(pointer) }
}

/// An owned `struct udev_device *` and the readers that turn it into an observation.
struct UdevDevice: ~Copyable {
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) {
        self.pointer = pointer
    }

    init?(syspath: UnsafePointer<CChar>, context: borrowing UdevContext) {
        guard let pointer = udev_device_new_from_syspath(context.pointer, syspath) else { return nil }
        self.pointer = pointer
    }

    deinit { udev_device_unref(pointer) }

    var action: String? { udev_device_get_action(pointer).map { String(cString: $0) } }

    /// Reads everything the topology needs, parents included (parents are borrowed from this
    /// device and die with it, so they are read here and never stored).
    func observation(action: String?) -> UdevObservation {
        let raw = UdevRaw(pointer)
        let syspath = raw.syspath
        let parsedAction = UdevObservation.Action(action)
        let node: UdevObservation.Node
        switch (raw.subsystem, raw.devtype) {
        case ("usb", "usb_device"?):
            node = raw.sysname.hasPrefix("usb") ? .unrelated : .usbDevice(raw.deviceFacts())
        case ("usb", "usb_interface"?):
            let device = raw.parent(subsystem: "usb", devtype: "usb_device").map { $0.deviceFacts() }
            if let info = raw.interfaceInfo(), device.map({ !$0.usbPath.hasPrefix("usb") }) ?? true {
                node = .usbInterface(info, device: device, properties: raw.interestingProperties())
            } else {
                node = .unrelated
            }
        case ("tty", _):
            if let device = raw.parent(subsystem: "usb", devtype: "usb_device"), let devnode = raw.devnode {
                let interface = raw.parent(subsystem: "usb", devtype: "usb_interface")
                let number = interface?.hexAttribute("bInterfaceNumber").map(Int.init)
                    ?? raw.property("ID_USB_INTERFACE_NUM").flatMap { Int($0, radix: 16) }
                node = .tty(TTYPort(devnode: devnode, interfaceNumber: number), device: device.deviceFacts(),
                            properties: raw.interestingProperties())
            } else {
                node = .unrelated
            }
        case ("net", _):
            if let device = raw.parent(subsystem: "usb", devtype: "usb_device") {
                node = .net(name: raw.property("INTERFACE") ?? raw.sysname, device: device.deviceFacts(),
                            properties: raw.interestingProperties())
            } else {
                node = .unrelated
            }
        default:
            node = .unrelated
        }
        return UdevObservation(action: parsedAction, syspath: syspath, node: node)
    }
}

/// Read-only accessors over a borrowed `struct udev_device *` (this device or a parent).
private struct UdevRaw {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    var syspath: String { udev_device_get_syspath(pointer).map { String(cString: $0) } ?? "" }
    var sysname: String { udev_device_get_sysname(pointer).map { String(cString: $0) } ?? "" }
    var subsystem: String { udev_device_get_subsystem(pointer).map { String(cString: $0) } ?? "" }
    var devtype: String? { udev_device_get_devtype(pointer).map { String(cString: $0) } }
    var devnode: String? { udev_device_get_devnode(pointer).map { String(cString: $0) } }
    var driver: String? { udev_device_get_driver(pointer).map { String(cString: $0) } }

    func parent(subsystem: String, devtype: String) -> UdevRaw? {
        udev_device_get_parent_with_subsystem_devtype(pointer, subsystem, devtype).map(UdevRaw.init)
    }

    func property(_ key: String) -> String? {
        udev_device_get_property_value(pointer, key).map { String(cString: $0) }
    }

    /// A sysfs attribute without its trailing newline; `nil` when absent or empty.
    func attribute(_ name: String) -> String? {
        guard let value = udev_device_get_sysattr_value(pointer, name) else { return nil }
        let text = String(cString: value).trimmingWhitespace()
        return text.isEmpty ? nil : text
    }

    func hexAttribute(_ name: String) -> UInt8? {
        attribute(name).flatMap { UInt8($0, radix: 16) }
    }

    func intAttribute(_ name: String) -> Int? {
        attribute(name).flatMap { Int($0) }
    }

    /// `HOTSPOTD_*` and `ID_MM_*` properties: the ones our udev rule and ModemManager's set.
    func interestingProperties() -> [String: String] {
        var result: [String: String] = [:]
        var entry = udev_device_get_properties_list_entry(pointer)
        while let current = entry {
            defer { entry = udev_list_entry_get_next(current) }
            guard let namePointer = udev_list_entry_get_name(current) else { continue }
            let name = String(cString: namePointer)
            guard name.hasPrefix("HOTSPOTD_") || name.hasPrefix("ID_MM_") else { continue }
            result[name] = udev_list_entry_get_value(current).map { String(cString: $0) } ?? ""
        }
        return result
    }

    func deviceFacts() -> UdevObservation.Device {
        // PRODUCT=12d1/1506/102 is in the uevent itself, so it survives a remove.
        let product = property("PRODUCT")?.split(separator: "/").map(String.init) ?? []
        let vendorID = attribute("idVendor").flatMap(USBID.parseHex16)
            ?? (product.count >= 2 ? UInt16(product[0], radix: 16) : nil)
        let productID = attribute("idProduct").flatMap(USBID.parseHex16)
            ?? (product.count >= 2 ? UInt16(product[1], radix: 16) : nil)
        return UdevObservation.Device(
            usbPath: sysname, syspath: syspath, vendorID: vendorID, productID: productID,
            serial: attribute("serial"), manufacturer: attribute("manufacturer"), product: attribute("product"),
            busNumber: intAttribute("busnum") ?? property("BUSNUM").flatMap { Int($0) },
            deviceNumber: intAttribute("devnum") ?? property("DEVNUM").flatMap { Int($0) },
            devnode: devnode, properties: interestingProperties())
    }

    func interfaceInfo() -> USBInterfaceInfo? {
        guard let number = hexAttribute("bInterfaceNumber"),
              let interfaceClass = hexAttribute("bInterfaceClass") else { return nil }
        return USBInterfaceInfo(
            number: Int(number), interfaceClass: interfaceClass,
            interfaceSubclass: hexAttribute("bInterfaceSubClass") ?? 0,
            interfaceProtocol: hexAttribute("bInterfaceProtocol") ?? 0,
            interfaceString: attribute("interface"), driver: driver)
    }
}
