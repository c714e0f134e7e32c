/// Groups udev observations into one snapshot per physical USB device and says what changed.
///
/// Pure state, owned by the libudev thread: `apply` folds one observation in and returns the
/// event to publish, if any. Children (interfaces, ttys, network interfaces) are remembered by
/// syspath so a `remove` needs nothing but the syspath, which is all the kernel guarantees once
/// the device is gone. A child that arrives before its USB parent was seen (possible only in
/// enumeration order) creates the parent from the facts it carries.
struct USBTopology: Sendable {
    private struct DeviceState: Sendable {
        var device: UdevObservation.Device
        var interfaces: [String: USBInterfaceInfo] = [:]
        var interfaceProperties: [String: [String: String]] = [:]
        var ttys: [String: TTYPort] = [:]
        var ttyProperties: [String: [String: String]] = [:]
        var nets: [String: String] = [:]
        var netProperties: [String: [String: String]] = [:]
    }

    private var devices: [String: DeviceState] = [:]
    /// child syspath → usbPath of the device that owns it.
    private var owners: [String: String] = [:]
    /// usbPath → device syspath, to resolve device removal by syspath.
    private var pathsBySyspath: [String: String] = [:]

    /// Creates an empty topology.
    init() {}

    /// The current snapshots, ordered by USB path.
    var snapshots: [USBDeviceSnapshot] {
        devices.keys.sorted().compactMap { snapshot(for: $0) }
    }

    /// The current snapshot of one device.
    func snapshot(for usbPath: String) -> USBDeviceSnapshot? {
        guard let state = devices[usbPath],
              let vendorID = state.device.vendorID,
              let productID = state.device.productID else { return nil }
        var properties: [String: String] = [:]
        for props in state.interfaceProperties.values { properties.merge(props) { old, _ in old } }
        for props in state.ttyProperties.values { properties.merge(props) { old, _ in old } }
        for props in state.netProperties.values { properties.merge(props) { old, _ in old } }
        properties.merge(state.device.properties) { _, device in device }
        let ttys = state.ttys.values.sorted {
            ($0.interfaceNumber ?? Int.max, $0.devnode) < ($1.interfaceNumber ?? Int.max, $1.devnode)
        }
        return USBDeviceSnapshot(
            usbPath: usbPath, syspath: state.device.syspath, vendorID: vendorID, productID: productID,
            serial: state.device.serial, manufacturer: state.device.manufacturer, product: state.device.product,
            busNumber: state.device.busNumber, deviceNumber: state.device.deviceNumber, devnode: state.device.devnode,
            interfaces: state.interfaces.values.sorted { $0.number < $1.number },
            ttys: ttys, netInterfaces: state.nets.values.sorted(), properties: properties)
    }

    /// Folds one observation in; returns the event it causes (`nil` when nothing visible changed).
    mutating func apply(_ observation: UdevObservation) -> DiscoveryEvent? {
        let syspath = observation.syspath
        if observation.action == .remove {
            return remove(syspath: syspath)
        }
        switch observation.node {
        case .unrelated:
            return nil
        case .usbDevice(let device):
            let before = snapshot(for: device.usbPath)
            ensureDevice(device)
            return event(for: device.usbPath, before: before)
        case .usbInterface(var info, let device, let properties):
            if observation.action == .unbind { info.driver = nil }
            return updateChild(syspath, device: device) { state in
                state.interfaces[syspath] = info
                state.interfaceProperties[syspath] = properties
            }
        case .tty(let port, let device, let properties):
            return updateChild(syspath, device: device) { state in
                state.ttys[syspath] = port
                state.ttyProperties[syspath] = properties
            }
        case .net(let name, let device, let properties):
            return updateChild(syspath, device: device) { state in
                state.nets[syspath] = name
                state.netProperties[syspath] = properties
            }
        }
    }

    /// The events that turn one set of snapshots into another (after a re-enumeration):
    /// `removed` for devices that left, `added` for new ones, `changed` for the rest that differ.
    static func differences(from old: [USBDeviceSnapshot], to new: [USBDeviceSnapshot]) -> [DiscoveryEvent] {
        let oldByPath = Dictionary(old.map { ($0.usbPath, $0) }, uniquingKeysWith: { $1 })
        let newByPath = Dictionary(new.map { ($0.usbPath, $0) }, uniquingKeysWith: { $1 })
        var events: [DiscoveryEvent] = oldByPath.keys.sorted().filter { newByPath[$0] == nil }.map { .removed(usbPath: $0) }
        for path in newByPath.keys.sorted() {
            guard let snapshot = newByPath[path] else { continue }
            switch oldByPath[path] {
            case nil: events.append(.added(snapshot))
            case let previous? where previous.usbID != snapshot.usbID:
                // Another personality on the same path: it left and came back.
                events.append(.removed(usbPath: path))
                events.append(.added(snapshot))
            case let previous? where previous != snapshot: events.append(.changed(snapshot))
            default: break
            }
        }
        return events
    }

    // MARK: - Private

    /// Creates the device, or refreshes its facts keeping values the new reading lacks.
    private mutating func ensureDevice(_ device: UdevObservation.Device) {
        pathsBySyspath[device.syspath] = device.usbPath
        guard var state = devices[device.usbPath] else {
            devices[device.usbPath] = DeviceState(device: device)
            return
        }
        var merged = device
        let old = state.device
        merged.vendorID = device.vendorID ?? old.vendorID
        merged.productID = device.productID ?? old.productID
        merged.serial = device.serial ?? old.serial
        merged.manufacturer = device.manufacturer ?? old.manufacturer
        merged.product = device.product ?? old.product
        merged.busNumber = device.busNumber ?? old.busNumber
        merged.deviceNumber = device.deviceNumber ?? old.deviceNumber
        merged.devnode = device.devnode ?? old.devnode
        merged.properties = old.properties.merging(device.properties) { _, new in new }
        state.device = merged
        devices[device.usbPath] = state
    }

    /// Records a child under its device: the device comes from the parent facts the child
    /// carries (created if unseen), else from what an earlier observation of the child said.
    private mutating func updateChild(_ syspath: String, device: UdevObservation.Device?,
                                      _ change: (inout DeviceState) -> Void) -> DiscoveryEvent? {
        guard let usbPath = device?.usbPath ?? owners[syspath] else { return nil }
        let before = snapshot(for: usbPath)
        if let device, devices[usbPath] == nil || devices[usbPath]?.device.vendorID == nil {
            ensureDevice(device)
        }
        guard var state = devices[usbPath] else { return nil }
        change(&state)
        devices[usbPath] = state
        owners[syspath] = usbPath
        return event(for: usbPath, before: before)
    }

    private func event(for usbPath: String, before: USBDeviceSnapshot?) -> DiscoveryEvent? {
        guard let after = snapshot(for: usbPath) else { return nil }
        guard let before else { return .added(after) }
        return before == after ? nil : .changed(after)
    }

    private mutating func remove(syspath: String) -> DiscoveryEvent? {
        if let usbPath = pathsBySyspath.removeValue(forKey: syspath) {
            let wasVisible = snapshot(for: usbPath) != nil
            devices[usbPath] = nil
            owners = owners.filter { $0.value != usbPath }
            return wasVisible ? .removed(usbPath: usbPath) : nil
        }
        guard let usbPath = owners.removeValue(forKey: syspath), devices[usbPath] != nil else { return nil }
        let before = snapshot(for: usbPath)
        devices[usbPath]?.interfaces[syspath] = nil
        devices[usbPath]?.interfaceProperties[syspath] = nil
        devices[usbPath]?.ttys[syspath] = nil
        devices[usbPath]?.ttyProperties[syspath] = nil
        devices[usbPath]?.nets[syspath] = nil
        devices[usbPath]?.netProperties[syspath] = nil
        return event(for: usbPath, before: before)
    }
}
