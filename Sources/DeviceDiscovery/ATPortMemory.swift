import Synchronization

/// Remembers which interface of a device answered as its AT port, per device serial, so a device
/// seen again (re-plug, daemon restart within the run) is not probed again.
///
/// Keyed by the USB iSerial plus vendor:product when the device has a serial, else by USB path
/// plus vendor:product (a socket of the station). The interface number is stored, not the tty
/// name: tty names change when a device re-enumerates, interface numbers do not.
public final class ATPortMemory: Sendable {
    private let remembered = Mutex<[String: Int]>([:])

    /// Creates an empty memory.
    public init() {}

    /// The key of a snapshot in this memory.
    public static func key(for snapshot: USBDeviceSnapshot) -> String {
        if let serial = snapshot.serial, !serial.isEmpty { return "serial:\(snapshot.usbID):\(serial)" }
        return "path:\(snapshot.usbID):\(snapshot.usbPath)"
    }

    /// The remembered AT port of this snapshot, as one of its current tty nodes.
    public func port(for snapshot: USBDeviceSnapshot) -> String? {
        guard let number = remembered.withLock({ $0[Self.key(for: snapshot)] }) else { return nil }
        return snapshot.ttys.first { $0.interfaceNumber == number }?.devnode
    }

    /// Remembers that `port` of this snapshot speaks AT (ignored when its interface is unknown).
    public func remember(_ port: String, of snapshot: USBDeviceSnapshot) {
        guard let number = snapshot.ttys.first(where: { $0.devnode == port })?.interfaceNumber else { return }
        remembered.withLock { $0[Self.key(for: snapshot)] = number }
    }
}
