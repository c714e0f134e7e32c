import Foundation
import StationAPI

/// What the station knows about devices that discovery found: which USB socket each session came from, and the
/// devices that have no session (HiLink units, CD-ROM units being switched or left alone) with the reason.
///
/// Kept by `Station` (one value, mutated on the actor); discovery itself lives in `DiscoveryService`.
struct DiscoveredDevices: Sendable {
    /// Session id → USB path of the device it talks to.
    var usbPathOfSession: [String: String] = [:]
    /// USB path → the listed status of a device without a session.
    var placeholders: [String: DeviceStatus] = [:]

    /// The session ids attached from this USB path, oldest first.
    func sessionIDs(usbPath: String) -> [String] {
        usbPathOfSession.filter { $0.value == usbPath }.map(\.key).sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
    }
}
