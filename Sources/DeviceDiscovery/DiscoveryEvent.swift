/// A change in the set of USB devices, as discovery reports it.
///
/// A device that arrives emits `added` once, then `changed` each time one of its interfaces,
/// ports or network interfaces appears, binds or goes (a tty usually shows up a few milliseconds
/// after its USB parent). `removed` carries only the path: the device is gone.
public enum DiscoveryEvent: Sendable, Equatable {
    /// A device discovery had not seen before (or saw leave) is present.
    case added(USBDeviceSnapshot)
    /// A known device has a new state (ports, drivers, properties).
    case changed(USBDeviceSnapshot)
    /// The device at this USB path left.
    case removed(usbPath: String)

    /// The USB path the event is about.
    public var usbPath: String {
        switch self {
        case .added(let snapshot), .changed(let snapshot): return snapshot.usbPath
        case .removed(let usbPath): return usbPath
        }
    }

    /// The snapshot carried by `added` and `changed`.
    public var snapshot: USBDeviceSnapshot? {
        switch self {
        case .added(let snapshot), .changed(let snapshot): return snapshot
        case .removed: return nil
        }
    }
}
