#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import StationAPI

/// Giving a port back: the session ends, the port is closed and its locks released, and it can be attached again.
extension Station {
    /// Detaches device `reference` (id, port, IMEI or ICCID, as `device(_:reveal:)`): its session is closed, its port
    /// released (descriptor, TIOCEXCL, flock and UUCP lock file) and the device leaves the list. A configured port is
    /// not attached again by its watcher until someone attaches it; discovery attaches its device again at its next
    /// plug. Returns the device's last status (state `gone`).
    ///
    /// Refused with 409 `device-busy` while a run is under way: cutting a recharge short would leave its voucher
    /// `unknown`; wait for the run to end (or unplug the device, which the workflow settles).
    public func detach(_ reference: String, actor: Int?) async throws(StationError) -> DeviceStatus {
        let session = try await find(reference)
        if await session.isBusy {
            let state = await session.snapshot().state
            throw StationError(.conflict, code: .deviceBusy,
                               message: "Device \(session.id) is busy (\(state.rawValue)): detach it once its run has ended.")
        }
        // Out of the list first: a request arriving while the port closes no longer finds the device.
        sessions.removeAll { $0 === session }
        discovered.usbPathOfSession[session.id] = nil
        detachedPorts.insert(session.port)
        let who = actor.map { "uid \($0)" } ?? "the station"
        await session.markGone(reason: "detached by \(who)")
        logger.notice("device detached", metadata: ["device.id": "\(session.id)", "port.path": "\(session.port)",
                                                    "actor.uid": "\(actor.map(String.init) ?? "-")"])
        return Self.redact(await session.snapshot(), reveal: false)
    }
}
