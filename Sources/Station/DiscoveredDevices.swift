#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
    /// Id of a session that went away → id of the session of the same device plugged back in.
    var replacedBy: [String: String] = [:]
    /// Discovery's waits for the station to be ready, by ticket; resumed when it is (`Station.untilReady`).
    var readyWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    /// The next ticket of `readyWaiters`.
    var nextReadyTicket: UInt64 = 0

    /// The id a reference stands for now (follows re-plugs: `d1` still finds the device after it came back as `d4`).
    func resolve(_ reference: String) -> String {
        var current = reference
        var seen: Set<String> = []
        while let next = replacedBy[current], seen.insert(current).inserted { current = next }
        return current
    }

    /// The session ids attached from this USB path, oldest first.
    func sessionIDs(usbPath: String) -> [String] {
        usbPathOfSession.filter { $0.value == usbPath }.map(\.key).sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
    }
}
